"""The one way the hub reads images: any file or array in, a plain RGB PIL image out."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow only warns between MAX_IMAGE_PIXELS (about 89 megapixels) and twice that; load_image
# turns the warning into an error, so no upload over this many pixels is ever decoded.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS


class ImageInputError(ValueError):
    """An upload that cannot be used as an image; the message is shown to the user as is."""


def _flatten_to_rgb(image: Image.Image, background=(255, 255, 255)) -> Image.Image:
    """Any PIL mode to RGB, compositing transparency onto `background`."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit and float greys: scale the real range to 0..255 instead of clipping to white.
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(array.max()), 1.0)
        if image.mode == "F":
            top = 1.0 if array.max() <= 1.0 else 255.0
        array = np.clip(array / top * 255.0, 0, 255).round().astype(np.uint8)
        image = Image.fromarray(array, mode="L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
        canvas = Image.new("RGBA", image.size, background + (255,))
        return Image.alpha_composite(canvas, image).convert("RGB")
    if image.mode == "CMYK":
        return image.convert("RGB")
    return image.convert("RGB")


def load_image(source, max_side: int | None = None) -> tuple[Image.Image, str | None]:
    """Read `source` (path, bytes, PIL image or HxW[xC] uint8 array) as an RGB image.

    EXIF orientation is applied, alpha is composited on white, and an image whose long side is
    over `max_side` is downscaled. Returns the image and a note for the user (or None) saying
    what was changed. Raises ImageInputError with a readable message for anything unusable.
    """
    note = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Broken EXIF is ignored (the image itself still opens, or fails below with a message).
            warnings.filterwarnings("ignore", message="Corrupt EXIF", category=UserWarning)
            image = _open(source)
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # animated GIF/WebP/TIFF: the first frame
                note = "The file has several frames; the first one was used."
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(
            f"The image is too large (over {MAX_PIXELS // 1_000_000} megapixels).") from None
    except UnidentifiedImageError:
        raise ImageInputError("That file is not an image Pillow can read "
                              "(PNG, JPEG, WebP, BMP, GIF, TIFF ...).") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageInputError(f"The image file is damaged or truncated ({error}).") from None
    if image.width < 1 or image.height < 1:
        raise ImageInputError("The image has no pixels.")
    image = _flatten_to_rgb(image)
    if max_side and max(image.size) > max_side:
        scale = max_side / max(image.size)
        new_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        note_resize = (f"The image was {image.width}×{image.height}; it was scaled down to "
                       f"{new_size[0]}×{new_size[1]} (maximum side {max_side}).")
        image = image.resize(new_size, Image.Resampling.LANCZOS)
        note = f"{note} {note_resize}" if note else note_resize
    return image, note


def _open(source) -> Image.Image:
    if isinstance(source, Image.Image):
        if source.width * source.height > MAX_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
        return source
    if isinstance(source, np.ndarray):
        return Image.fromarray(_array_to_uint8(source))
    if isinstance(source, (bytes, bytearray)):
        return Image.open(io.BytesIO(source))
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ImageInputError(f"No file at {path.name}.")
        if path.stat().st_size == 0:
            raise ImageInputError(f"{path.name} is empty (0 bytes).")
        return Image.open(path)
    if source is None:
        raise ImageInputError("No image was given.")
    raise ImageInputError(f"Cannot read an image from a {type(source).__name__}.")


def _array_to_uint8(array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.uint16:
        return (array / 257.0).round().astype(np.uint8)
    if np.issubdtype(array.dtype, np.floating):
        scale = 255.0 if array.max() <= 1.0 else 1.0
        return np.clip(array * scale, 0, 255).round().astype(np.uint8)
    return np.clip(array, 0, 255).astype(np.uint8)


def to_tensor(image: Image.Image) -> torch.Tensor:
    """RGB (or L) PIL image to a CxHxW float tensor in [-1, 1], the range every generator uses."""
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(array.transpose(2, 0, 1).copy())


def resize_batch(images: torch.Tensor, size: int) -> torch.Tensor:
    """NxCxHxW to NxCxsize×size, antialiased: how sketches are shrunk for the classifier, in
    training and in the demo alike."""
    return torch.nn.functional.interpolate(images, size=(size, size), mode="bilinear", antialias=True,
                                           align_corners=False)


def to_image(tensor: torch.Tensor) -> Image.Image:
    """CxHxW tensor in [-1, 1] (1 or 3 channels) back to a PIL image."""
    array = ((tensor.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
    array = array.transpose(1, 2, 0)
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)


def centred_on_square(image: Image.Image, size: int, share: float, fill="white") -> Image.Image:
    """`image` scaled so its long side is `share` of a size×size square and pasted at its centre,
    the rest `fill`: how a drawing and a cut-out photo are framed alike for the sketch models."""
    inner = max(1, round(size * share))
    image = ImageOps.contain(image, (inner, inner), Image.Resampling.LANCZOS)
    canvas = Image.new(image.mode, (size, size), fill)
    canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    return canvas
