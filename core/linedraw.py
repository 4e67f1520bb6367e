"""Line drawings: photo → strokes (XDoG, Winnemöller et al. 2012), pen width, and framing.

XDoG turns any photo folder into sketch/photo pairs, so the sketch model can train without
Sketchy; frame_sketch prepares a drawing the way a model's training sketches were prepared.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from core.images import ImageInputError, centred_on_square

INK_THRESHOLD = 200          # grey levels below this count as strokes when finding a drawing
MAX_INK_SHARE = 0.5          # a line drawing is mostly paper (Sketchy's sketches: at most 7% ink)
MAX_MID_GREY_SHARE = 0.25    # ... and black and white (Sketchy's: no mid greys; its photos: 33% and more)
SKETCHY_EXTENT = (0.4, 0.9)  # 10th-90th percentile of a Sketchy sketch's long side, as a share of its canvas
SKETCHY_STROKE = 3           # median pen width of the Sketchy sketches at 256 px (measured)


def xdog(image: Image.Image, sigma: float = 0.8, k: float = 1.6, tau: float = 0.98,
         epsilon: float = -0.02, phi: float = 200.0, threshold: float = 0.5) -> Image.Image:
    """Binary 'L' line drawing of `image`: difference of Gaussians, soft-thresholded, then cut.

    sigma sets stroke thickness; epsilon and phi how much texture becomes strokes.
    """
    grey = image.convert("L")
    fine = np.asarray(grey.filter(ImageFilter.GaussianBlur(sigma)), dtype=np.float32) / 255.0
    coarse = np.asarray(grey.filter(ImageFilter.GaussianBlur(sigma * k)), dtype=np.float32) / 255.0
    difference = fine - tau * coarse
    soft = np.where(difference >= epsilon, 1.0, 1.0 + np.tanh(phi * (difference - epsilon)))
    lines = (soft > threshold).astype(np.uint8) * 255
    return Image.fromarray(lines, mode="L")


def thicken(sketch: Image.Image, width: int) -> Image.Image:
    """Widen dark strokes by `width` pixels (a min filter), like a broader pen."""
    if width <= 1:
        return sketch
    return sketch.filter(ImageFilter.MinFilter(width if width % 2 else width + 1))


def stroke_width(ink: np.ndarray) -> float:
    """About the pen's width, in pixels, of the strokes in an HxW bool ink mask: a stroke of width w
    and length L covers w·L pixels, 2·L of them on its edge, so the width is 2·area / edge pixels
    (a one-pixel pen reads as 2)."""
    padded = np.pad(ink, 1)
    inside = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    edge = int((ink & ~inside).sum())
    return 2.0 * int(ink.sum()) / edge if edge else 0.0


def check_line_drawing(grey: Image.Image) -> None:
    """Refuse what is not a line drawing (a photo, a dark or noisy picture) with a message that says
    what the tab expects. Judged on at most ~512×512 of the image's own pixels (every n-th row and
    column, no averaging that would turn thin strokes grey), so it costs the same at any size."""
    pixels = np.asarray(grey)
    step = max(1, max(pixels.shape) // 512)
    pixels = pixels[::step, ::step]
    ink = float((pixels < INK_THRESHOLD).mean())
    mid_grey = float(((pixels >= 40) & (pixels < 215)).mean())
    if ink > MAX_INK_SHARE or mid_grey > MAX_MID_GREY_SHARE:
        raise ImageInputError(
            f"This does not look like a line drawing ({ink:.0%} of it is dark, {mid_grey:.0%} mid-grey): the "
            "sketch tab expects dark lines on a white background, like the examples. Draw one on the canvas, "
            "or upload a drawing rather than a photo.")


def shrink_keeping_strokes(grey: Image.Image, factor: int) -> Image.Image:
    """Scale a drawing down by an integer factor keeping each block's darkest pixel (a min-pool), so
    a hairline stays one solid pixel wide instead of fading to grey as an averaging resize makes it."""
    pixels = np.asarray(grey)
    h, w = pixels.shape
    padded = np.pad(pixels, ((0, -h % factor), (0, -w % factor)), constant_values=255)
    blocks = padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor)
    return Image.fromarray(blocks.min(axis=(1, 3)))


def change_pen(grey: Image.Image, change: int) -> Image.Image:
    """Widen (change > 0) or narrow (< 0) dark strokes by `change` pixels, in 3×3 passes: a k×k rank
    filter costs k² per pixel, k/2 passes of 3×3 (the same result) cost 9k/2."""
    layer = ImageFilter.MinFilter(3) if change > 0 else ImageFilter.MaxFilter(3)
    for _ in range(abs(change) // 2):
        grey = grey.filter(layer)
    return grey


def frame_sketch(image: Image.Image, size: int = 256, extent: tuple[float, float] = SKETCHY_EXTENT) -> Image.Image:
    """A drawing cropped to its strokes and centred on a white size×size square, its long side
    kept at the share of the canvas it had, within `extent` (the default, Sketchy's range, prepares
    a drawing as the Sketchy sketches are: a small drawing in a corner is enlarged; (0.9, 0.9)
    makes every drawing fill 90% of the square, as a photo frames its object). A pen much thinner
    or broader than Sketchy's (SKETCHY_STROKE px at 256 px) is changed to it before the final
    scaling, on the drawing shrunk to at most about twice its final size: the cost is bounded by
    `size`, not by the upload's. Raises ImageInputError for an empty canvas or a photo."""
    grey = image.convert("L")
    check_line_drawing(grey)
    box = grey.point(lambda v: 255 if v < INK_THRESHOLD else 0).getbbox()
    if box is None:
        raise ImageInputError("The sketch is empty: draw some dark lines on the white canvas.")
    share = max(box[2] - box[0], box[3] - box[1]) / max(grey.size)
    share = min(max(share, extent[0]), extent[1])
    grey = grey.crop(box)
    inner = max(1, round(size * share))
    factor = max(grey.size) // (2 * inner)
    if factor > 1:
        grey = shrink_keeping_strokes(grey, factor)
    scale = inner / max(grey.size)
    width = stroke_width(np.asarray(grey) < INK_THRESHOLD)  # in the working drawing's pixels
    target = SKETCHY_STROKE * size / 256
    # Only pens far from Sketchy's are changed: the classifier copes with 1.5-3x its width, and
    # filtering pens near it cost held-out accuracy (measured).
    if 0 < width * scale < target / 2:
        grey = change_pen(grey, int((target / scale - width) / 2) * 2)  # filters change widths by even amounts
    elif width * scale > 3 * target:  # the estimate runs ~10% high on broad strokes, and narrowing a
        grey = change_pen(grey, -int(0.8 * (width - target / scale) / 2) * 2)  # stroke past its width erases it
    return centred_on_square(grey, size, share, fill=255)
