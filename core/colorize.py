"""Colourisation at the photo's own resolution: predict chroma small, keep the original luminance.

The generator sees L at a working size (aspect kept, never a square stretch) and predicts ab; ab
is upsampled to the full size and recombined with the full-resolution L of the input, so every
detail of the scan survives (as DeOldify and Zhang et al. do).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from core.color import AB_SCALE, lab_to_rgb, normalize_l, rgb_to_lab


def pil_to_rgb01(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0).permute(2, 0, 1)[None]


def rgb01_to_pil(rgb: torch.Tensor) -> Image.Image:
    return Image.fromarray((rgb[0].permute(1, 2, 0).cpu().numpy() * 255.0).round().astype(np.uint8))


def grey_version(image: Image.Image) -> Image.Image:
    """The photo as the colouriser sees it: only its Lab lightness (colour and sepia dropped)."""
    L = rgb_to_lab(pil_to_rgb01(image))[:, :1]
    return rgb01_to_pil(lab_to_rgb(torch.cat([L, torch.zeros_like(L), torch.zeros_like(L)], dim=1)))


@torch.no_grad()
def colorize(generator, image: Image.Image, render_size: int = 512) -> Image.Image:
    """Colour version of `image` at its own size. `render_size`: long side the model works at."""
    device = next(generator.parameters()).device
    L = rgb_to_lab(pil_to_rgb01(image).to(device))[:, :1]
    h, w = L.shape[-2:]
    scale = min(1.0, render_size / max(h, w))
    small = F.interpolate(L, size=(max(1, round(h * scale)), max(1, round(w * scale))), mode="area") \
        if scale < 1 else L
    ab = generator.translate(normalize_l(small)).float() * AB_SCALE
    ab = F.interpolate(ab, size=(h, w), mode="bilinear", align_corners=False)
    return rgb01_to_pil(lab_to_rgb(torch.cat([L, ab], dim=1)))
