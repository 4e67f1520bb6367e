"""What a trained SinGAN can do, on [-1, 1] tensors: samples, editing, harmonization,
paint-to-image, super-resolution and animation (SinGAN paper, section 4).

Images of any size go in: the model works at its own resolution, keeping the input's aspect, and
results come back at the input's size, blended into the untouched input outside the mask.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import distance_transform_edt, gaussian_filter

from core.models.singan import SinGAN, resize, sample_generator

MASK_RADIUS = {"editing": 20, "harmonization": 7}  # dilation, in pixels of a 250 px image
MASK_BLUR_SIGMA = 5


def soft_mask(mask: torch.Tensor, mode: str) -> torch.Tensor:
    """A (1, 1, H, W) 0/1 mask dilated by a disk and blurred, so the generated region fades into
    the original; radius and blur grow with the image (the reference's values are for 250 px)."""
    scale = max(mask.shape[-2:]) / 250
    radius = max(1, round(MASK_RADIUS[mode] * scale))
    outside = mask[0, 0].cpu().numpy() <= 0.5
    dilated = (distance_transform_edt(outside) <= radius).astype(np.float32)  # a disk around every pixel
    soft = gaussian_filter(dilated, MASK_BLUR_SIGMA * max(scale, 0.2), truncate=3.0, mode="nearest")
    return torch.from_numpy(soft).clamp(0, 1)[None, None].to(mask.device, mask.dtype)


def _fitted_scales(model: SinGAN, height: int, width: int) -> tuple[float, float]:
    """scale_v, scale_h that give the model's number of pixels in the input's aspect ratio."""
    model_h, model_w = model.config.sizes[-1]
    factor = math.sqrt(model_h * model_w / (height * width))
    return height * factor / model_h, width * factor / model_w


@torch.no_grad()
def samples(model: SinGAN, count: int = 4, start_scale: int = 0, scale_v: float = 1.0, scale_h: float = 1.0,
            seed: int = 0) -> list[torch.Tensor]:
    """Random images; from start_scale > 0 they keep the training image's layout."""
    generator = sample_generator(seed)
    return [model.sample(start_scale, scale_v, scale_h, generator=generator) for _ in range(count)]


@torch.no_grad()
def inject(model: SinGAN, image: torch.Tensor, start_scale: int, mask: torch.Tensor | None = None,
           mode: str = "editing", seed: int = 0) -> torch.Tensor:
    """Paint-to-image (no mask), editing and harmonization (mask: where to regenerate).

    `image` is taken down to scale start_scale - 1 and the finer scales draw it again in the
    training image's patches; the result is resized to the image's size and, with a mask,
    blended into `image` through the dilated and blurred mask."""
    height, width = image.shape[-2:]
    scale_v, scale_h = _fitted_scales(model, height, width)
    generated = model.sample(start_scale, scale_v, scale_h, injected=image, generator=sample_generator(seed))
    generated = resize(generated, (height, width))
    if mask is None:
        return generated
    soft = soft_mask(resize_mask(mask, (height, width)), mode)
    return soft * generated + (1 - soft) * image


def resize_mask(mask: torch.Tensor, size) -> torch.Tensor:
    return (F.interpolate(mask, size=tuple(size), mode="bilinear", align_corners=False) > 0.5).to(mask.dtype)


@torch.no_grad()
def super_resolve(model: SinGAN, image: torch.Tensor, factor: float, seed: int = 0) -> torch.Tensor:
    return model.super_resolve(image, factor, generator=sample_generator(seed))


@torch.no_grad()
def animation(model: SinGAN, start_scale: int = 1, frames: int = 24, seed: int = 0,
              motion: float = 0.5) -> list[torch.Tensor]:
    """Frames of a loop through noise space: at every scale from start_scale on, the noise turns
    around a circle z(t) = cos(t)·a + sin(t)·b (unit variance all along, back where it began), mixed
    with the reconstruction noise by `motion` (0 still, 1 all random)."""
    generator = sample_generator(seed)
    sizes = model.config.sizes
    circles = {k: (torch.randn(1, 3, *sizes[k], generator=generator), torch.randn(1, 3, *sizes[k], generator=generator))
               for k in range(start_scale, model.num_scales)}
    device = model.image.device
    still = {k: (model.fixed_noise if k == 0 else torch.zeros(1, 3, *sizes[k], device=device))
             for k in range(start_scale, model.num_scales)}
    keep = math.sqrt(1 - motion ** 2)
    images = []
    for t in range(frames):
        angle = 2 * math.pi * t / frames
        noises = {k: keep * still[k] + motion * (math.cos(angle) * a + math.sin(angle) * b).to(device)
                  for k, (a, b) in circles.items()}
        images.append(model.sample(start_scale, noises=noises))
    return images
