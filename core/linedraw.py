"""Photo → line drawing (XDoG, Winnemöller et al. 2012): thin dark strokes on white.

Turns any photo folder into sketch/photo pairs, so the sketch model can train without Sketchy.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter


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
