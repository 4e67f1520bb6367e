import io

import numpy as np
import pytest
from PIL import Image

from core.images import ImageInputError, load_image, to_image, to_tensor


def saved(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


@pytest.mark.parametrize("mode", ["L", "LA", "P", "RGBA", "CMYK", "I;16", "I", "F", "1", "RGB"])
def test_every_mode_becomes_rgb(mode):
    image, _ = load_image(Image.new(mode, (7, 5)))
    assert image.mode == "RGB" and image.size == (7, 5)


def test_transparency_is_composited_on_white():
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert load_image(rgba)[0].getpixel((0, 0)) == (255, 255, 255)
    la = Image.new("LA", (4, 4), (0, 0))
    assert load_image(la)[0].getpixel((0, 0)) == (255, 255, 255)


def test_16_bit_grey_keeps_its_range():
    array = np.full((4, 4), 32768, dtype=np.uint16)
    image = Image.fromarray(array)
    assert image.mode.startswith("I;16")
    assert abs(load_image(image)[0].getpixel((0, 0))[0] - 128) <= 1


def test_exif_orientation_is_applied(tmp_path):
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif)
    assert load_image(path)[0].size == (20, 40)


def test_large_images_are_scaled_down_with_a_note():
    image, note = load_image(Image.new("RGB", (3000, 1000)), max_side=600)
    assert image.size == (600, 200)
    assert "scaled down" in note


def test_animated_gif_uses_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    data = saved(frames[0], "GIF", save_all=True, append_images=frames[1:])
    image, note = load_image(data)
    assert image.size == (8, 8) and "first one" in note


@pytest.mark.parametrize("payload,message", [
    (b"", "not an image"),
    (b"this is text, named .png", "not an image"),
])
def test_non_images_are_clear_errors(payload, message):
    with pytest.raises(ImageInputError, match=message):
        load_image(payload)


def test_truncated_png_is_a_clear_error():
    data = saved(Image.new("RGB", (64, 64), "red"), "PNG")
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        load_image(data[: len(data) // 2])


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageInputError, match="empty"):
        load_image(empty)
    with pytest.raises(ImageInputError, match="No file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ImageInputError, match="No image"):
        load_image(None)


def test_decompression_bomb_is_refused():
    from core.images import MAX_PIXELS
    side = int(MAX_PIXELS ** 0.5) + 100
    data = saved(Image.new("1", (side, side)), "PNG")
    with pytest.raises(ImageInputError, match="too large"):
        load_image(data)


def test_tensor_round_trip():
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (5, 6, 3), dtype=np.uint8))
    tensor = to_tensor(image)
    assert tensor.shape == (3, 5, 6) and tensor.min() >= -1 and tensor.max() <= 1
    assert np.array_equal(np.asarray(to_image(tensor)), np.asarray(image))
