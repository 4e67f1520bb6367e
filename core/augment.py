"""Batch augmentation on tensors in [-1, 1]: sketches and the photos paired with them, and
paintings with softened edges (the fakes of CartoonGAN's edge-promoting loss).

Sketches are dark strokes on white. A sketch and its photo get the same geometry; only the
sketch gets stroke changes (a broader pen, parts left out), as people draw differently.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_affine(batches: list[torch.Tensor], fills: list[float | None], scale=(0.8, 1.1),
                  degrees: float = 10.0, shear: float = 0.1, translate: float = 0.08,
                  flip: bool = True) -> list[torch.Tensor]:
    """One random flip, zoom, rotation, shear and shift per sample, the same across `batches`.

    Outside the image each batch is filled with its `fills` value (1.0: white paper) or, for None,
    mirrored (photos). scale > 1 zooms in.
    """
    first = batches[0]
    n, device = first.shape[0], first.device

    def uniform(low, high):
        return torch.empty(n, device=device).uniform_(low, high)

    angle = uniform(-degrees, degrees) * math.pi / 180
    zoom = uniform(*scale)
    skew = uniform(-shear, shear)
    mirror = torch.where(torch.rand(n, device=device) < 0.5, -1.0, 1.0) if flip else torch.ones(n, device=device)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos * mirror, -sin + skew, uniform(-translate, translate) * 2], -1),
                         torch.stack([sin * mirror, cos, uniform(-translate, translate) * 2], -1)], 1)
    out = []
    for batch, fill in zip(batches, fills):
        grid = F.affine_grid(theta.to(batch.dtype), list(batch.shape), align_corners=False)
        if fill is None:
            out.append(F.grid_sample(batch, grid, padding_mode="reflection", align_corners=False))
        else:
            out.append(F.grid_sample(batch - fill, grid, padding_mode="zeros", align_corners=False) + fill)
    return out


def stroke_jitter(sketch: torch.Tensor, thicken: float = 0.3, erase: float = 0.0,
                  erase_size=(0.15, 0.4)) -> torch.Tensor:
    """Broaden the strokes of a random `thicken` share of the sketches by about one pixel; blank a
    random rectangle in an `erase` share (a part the person did not draw)."""
    n, _, height, width = sketch.shape
    device = sketch.device
    ink = (1 - sketch) / 2
    broad = F.max_pool2d(ink, 3, stride=1, padding=1)
    ink = torch.where((torch.rand(n, 1, 1, 1, device=device) < thicken), broad, ink)
    if erase > 0:
        ys = torch.arange(height, device=device).view(1, 1, -1, 1)
        xs = torch.arange(width, device=device).view(1, 1, 1, -1)
        sides = torch.empty(n, 2, device=device).uniform_(*erase_size) * torch.tensor([height, width], device=device)
        top = torch.rand(n, device=device) * (height - sides[:, 0])
        left = torch.rand(n, device=device) * (width - sides[:, 1])
        inside = ((ys >= top.view(-1, 1, 1, 1)) & (ys < (top + sides[:, 0]).view(-1, 1, 1, 1)) &
                  (xs >= left.view(-1, 1, 1, 1)) & (xs < (left + sides[:, 1]).view(-1, 1, 1, 1)))
        chosen = (torch.rand(n, device=device) < erase).view(-1, 1, 1, 1)
        ink = torch.where(inside & chosen, torch.zeros_like(ink), ink)
    return 1 - 2 * ink


def soften_edges(images: torch.Tensor, sigma: float = 1.5, threshold: float = 0.2) -> torch.Tensor:
    """The images with a Gaussian blur near their strong edges (a neighbour difference above
    `threshold`, widened by 2 px) and untouched elsewhere: shown to a discriminator as fakes, they
    teach it that soft outlines are not the style's (Chen et al. 2018, CartoonGAN)."""
    radius = math.ceil(3 * sigma)
    taps = torch.exp(-torch.arange(-radius, radius + 1, device=images.device, dtype=images.dtype) ** 2
                     / (2 * sigma ** 2))
    taps = (taps / taps.sum()).repeat(images.shape[1], 1, 1)
    blurred = F.pad(images, (radius, radius, radius, radius), mode="replicate")
    blurred = F.conv2d(blurred, taps.unsqueeze(2), groups=images.shape[1])       # along x
    blurred = F.conv2d(blurred, taps.unsqueeze(3), groups=images.shape[1])       # along y
    grey = images.mean(dim=1, keepdim=True)
    step = torch.zeros_like(grey)
    step[..., :, 1:] = (grey[..., :, 1:] - grey[..., :, :-1]).abs()
    step[..., 1:, :] = torch.maximum(step[..., 1:, :], (grey[..., 1:, :] - grey[..., :-1, :]).abs())
    near_edge = F.max_pool2d((step > threshold).to(images.dtype), 5, stride=1, padding=2) > 0
    return torch.where(near_edge, blurred, images)
