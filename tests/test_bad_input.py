"""Every upload users might send, through every image endpoint's plain function: an image or a
clear ImageInputError, never another exception."""
import io

import numpy as np
import pytest
from PIL import Image

from core.images import ImageInputError
from demos.colorize import colorize
from demos.sketch2photo import sketch_to_photo
from demos.stylize import stylize


def png(image: Image.Image, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **kwargs)
    return buffer.getvalue()


def jpeg_rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def gif_animated() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (40, 40), c) for c in ("white", "black")]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def sketch(mode: str) -> Image.Image:
    image = Image.new("RGB", (64, 48), "white")
    image.paste(Image.new("RGB", (30, 3), "black"), (10, 20))
    return image.convert(mode) if mode != "I;16" else Image.fromarray(
        (np.asarray(image.convert("L"), dtype=np.uint16) * 257))


CASES = {
    "zero bytes": b"",
    "text named .png": b"just some text, not an image",
    "truncated png": png(sketch("RGB"))[:60],
    "1x1": png(Image.new("RGB", (1, 1), "black")),
    "huge 9000x7000": png(Image.new("L", (9000, 7000), 255)),
    "exif-rotated jpeg": jpeg_rotated(),
    "animated gif": gif_animated(),
    **{f"mode {mode}": png(sketch(mode)) for mode in ("RGBA", "LA", "P", "I;16", "L")},
    "cmyk": (lambda b: (sketch("CMYK").save(b, "JPEG"), b.getvalue())[1])(io.BytesIO()),
}
FUNCTIONS = {"sketch_to_photo": lambda f: sketch_to_photo(f)[0], "colorize": lambda f: colorize(f, 256)[1],
             "stylize": lambda f: stylize(f)[0]}


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_upload(function, case, tmp_path):
    path = tmp_path / "upload.png"
    path.write_bytes(CASES[case])
    try:
        result = FUNCTIONS[function](str(path))
    except ImageInputError as error:
        assert str(error) and "Traceback" not in str(error)
        assert case in ("zero bytes", "text named .png", "truncated png") or function == "sketch_to_photo"
        return
    assert isinstance(result, Image.Image) and result.mode == "RGB"
    assert case not in ("zero bytes", "text named .png", "truncated png")
