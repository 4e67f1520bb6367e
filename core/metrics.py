"""Image quality figures for model cards: PSNR, SSIM and colourfulness."""
from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def psnr(result: Image.Image, truth: Image.Image) -> float:
    return float(peak_signal_noise_ratio(np.asarray(truth), np.asarray(result), data_range=255))


def ssim(result: Image.Image, truth: Image.Image) -> float:
    return float(structural_similarity(np.asarray(truth), np.asarray(result), channel_axis=2, data_range=255))


def colourfulness(image: Image.Image) -> float:
    """Hasler and Süsstrunk (2003): 0 for grey, about 30-60 for typical photos, more for vivid ones."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
