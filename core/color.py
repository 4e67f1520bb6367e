"""sRGB ↔ CIE Lab (D65) in torch: batched, differentiable, on any device.

Tensors are Bx3xHxW; RGB in [0, 1], L in [0, 100], a and b roughly in [-110, 110].
Colourisers see L/50 - 1 and predict ab/110 (the pix2pix colourisation convention).
"""
from __future__ import annotations

import torch

_RGB_TO_XYZ = torch.tensor([[0.412453, 0.357580, 0.180423],
                            [0.212671, 0.715160, 0.072169],
                            [0.019334, 0.119193, 0.950227]])
_XYZ_TO_RGB = torch.linalg.inv(_RGB_TO_XYZ.double()).float()
LUMINANCE = _RGB_TO_XYZ[1]  # CIE Y of linear R, G, B
_WHITE = torch.tensor([0.950456, 1.0, 1.088754])  # D65 white point in XYZ
_EPSILON = 0.008856  # (6/29)^3
_KAPPA = 7.787       # (29/6)^2 / 3
AB_SCALE = 110.0


def _apply(matrix: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
    return torch.einsum("ij,bjhw->bihw", matrix.to(image), image)


def srgb_to_linear(rgb: torch.Tensor) -> torch.Tensor:
    return torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)


def linear_to_srgb(linear: torch.Tensor) -> torch.Tensor:
    return torch.where(linear > 0.0031308, 1.055 * linear.clamp(min=1e-8) ** (1 / 2.4) - 0.055, 12.92 * linear)


def _lab_f(t: torch.Tensor) -> torch.Tensor:
    return torch.where(t > _EPSILON, t.clamp(min=_EPSILON) ** (1 / 3), _KAPPA * t + 16 / 116)


def lightness_of_luminance(Y: torch.Tensor) -> torch.Tensor:
    """Lab L (0-100) of CIE luminance Y (0-1): L depends on Y alone."""
    return 116 * _lab_f(Y) - 16


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    rgb = rgb.clamp(0, 1)
    linear = srgb_to_linear(rgb)
    xyz = _apply(_RGB_TO_XYZ, linear) / _WHITE.to(rgb).view(1, 3, 1, 1)
    f = _lab_f(xyz)
    L = 116 * f[:, 1:2] - 16
    a = 500 * (f[:, 0:1] - f[:, 1:2])
    b = 200 * (f[:, 1:2] - f[:, 2:3])
    return torch.cat([L, a, b], dim=1)


def lab_to_linear(lab: torch.Tensor) -> torch.Tensor:
    """Linear RGB (0-1) of Lab. A colour outside the sRGB gamut is desaturated towards the grey of
    the same L just enough to fit, along a straight line in linear RGB: luminance Y depends on L
    alone and is linear in linear RGB, so the pixel keeps its lightness exactly (clipping each
    channel would change it, darkening or brightening the scan where the colour is strong)."""
    L, a, b = lab[:, 0:1], lab[:, 1:2], lab[:, 2:3]
    fy = (L + 16) / 116
    f = torch.cat([fy + a / 500, fy, fy - b / 200], dim=1)
    xyz = torch.where(f > 6 / 29, f * f * f, (f - 16 / 116) / _KAPPA) * _WHITE.to(lab).view(1, 3, 1, 1)
    linear = _apply(_XYZ_TO_RGB.to(lab), xyz)
    grey = xyz[:, 1:2].clamp(0, 1)  # the grey of the same L: R = G = B = Y
    # Y is a weighted mean of R, G and B, so the brightest channel is the one that may overshoot 1
    # and the darkest the one that may undershoot 0: they alone bound how far from grey it can go.
    over = linear.amax(dim=1, keepdim=True) - grey
    under = grey - linear.amin(dim=1, keepdim=True)
    reach = torch.minimum((1 - grey) / over.clamp(min=1e-12), grey / under.clamp(min=1e-12)).clamp(max=1)
    return (grey + reach * (linear - grey)).clamp(0, 1)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """Inverse of rgb_to_lab, in gamut as lab_to_linear keeps it."""
    return linear_to_srgb(lab_to_linear(lab)).clamp(0, 1)


def normalize_l(L: torch.Tensor) -> torch.Tensor:
    return L / 50.0 - 1.0


def denormalize_l(L: torch.Tensor) -> torch.Tensor:
    return (L + 1.0) * 50.0


def normalize_ab(ab: torch.Tensor) -> torch.Tensor:
    return ab / AB_SCALE


def denormalize_ab(ab: torch.Tensor) -> torch.Tensor:
    return ab * AB_SCALE
