"""Line drawings: photo → strokes (XDoG, Winnemöller et al. 2012), pen width, and framing.

XDoG turns any photo folder into sketch/photo pairs, so the sketch model can train without
Sketchy; frame_sketch prepares a drawing the way a model's training sketches were prepared.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from core.images import ImageInputError, centred_on_square

INK_THRESHOLD = 200          # grey levels below this count as strokes when finding a drawing
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


def frame_sketch(image: Image.Image, size: int = 256, extent: tuple[float, float] = SKETCHY_EXTENT) -> Image.Image:
    """A drawing cropped to its strokes and centred on a white size×size square, its long side
    kept at the share of the canvas it had, within `extent` (the default, Sketchy's range, prepares
    a drawing as the Sketchy sketches are: a small drawing in a corner is enlarged; (0.9, 0.9)
    makes every drawing fill 90% of the square, as a photo frames its object). A pen much thinner
    or broader than Sketchy's (SKETCHY_STROKE px at 256 px) is changed to it before the scaling."""
    grey = image.convert("L")
    box = grey.point(lambda v: 255 if v < INK_THRESHOLD else 0).getbbox()
    if box is None:
        raise ImageInputError("The sketch is empty: draw some dark lines on the white canvas.")
    share = max(box[2] - box[0], box[3] - box[1]) / max(grey.size)
    share = min(max(share, extent[0]), extent[1])
    grey = grey.crop(box)
    inner = max(1, round(size * share))
    scale = inner / max(grey.size)
    width = stroke_width(np.asarray(grey) < INK_THRESHOLD)  # in the drawing's own pixels
    target = SKETCHY_STROKE * size / 256
    # Only pens far from Sketchy's are changed: the classifier copes with 1.5-3x its width, and
    # filtering pens near it cost held-out accuracy (measured).
    if 0 < width * scale < target / 2 or width * scale > 3 * target:
        change = int((target / scale - width) / 2) * 2  # filters widen or narrow by even amounts
        if change >= 2:
            grey = grey.filter(ImageFilter.MinFilter(change + 1))
        elif change <= -2:
            grey = grey.filter(ImageFilter.MaxFilter(-change + 1))
    return centred_on_square(grey, size, share, fill=255)
