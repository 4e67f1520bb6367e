"""DiffAugment (Zhao et al. 2020): differentiable colour, translation and cutout for small-data GANs.

Applied to real and fake images alike, in both the D and the G step, so D never sees an
augmentation only on one side and G learns through it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def colour(x: torch.Tensor) -> torch.Tensor:
    n = x.shape[0]
    x = x + (torch.rand(n, 1, 1, 1, device=x.device) - 0.5)  # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) * 2) + mean  # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (torch.rand(n, 1, 1, 1, device=x.device) + 0.5) + mean  # contrast


def translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by up to ratio of its size, filling with zeros (grey in [-1, 1])."""
    n, _, h, w = x.shape
    dy, dx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    shift_y = torch.randint(-dy, dy + 1, (n,), device=x.device)
    shift_x = torch.randint(-dx, dx + 1, (n,), device=x.device)
    rows = (torch.arange(h, device=x.device)[None, :] - shift_y[:, None]).clamp(-1, h)
    cols = (torch.arange(w, device=x.device)[None, :] - shift_x[:, None]).clamp(-1, w)
    padded = F.pad(x, (1, 1, 1, 1))
    index = torch.arange(n, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[index, rows[:, :, None] + 1, cols[:, None, :] + 1].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero a random square of ratio × the size in each image."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    top = torch.randint(0, h - ch + 1, (n, 1, 1), device=x.device)
    left = torch.randint(0, w - cw + 1, (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device)[None, :, None]
    xs = torch.arange(w, device=x.device)[None, None, :]
    inside = (ys >= top) & (ys < top + ch) & (xs >= left) & (xs < left + cw)
    return x * (~inside)[:, None].to(x.dtype)


POLICIES = {"colour": colour, "translation": translation, "cutout": cutout}


def diff_augment(x: torch.Tensor, policy: str = "colour,translation,cutout") -> torch.Tensor:
    for name in filter(None, policy.split(",")):
        x = POLICIES[name](x)
    return x
