"""Small building blocks shared by the GAN families."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def norm_layer(kind: str, channels: int) -> nn.Module:
    """'batch', 'instance' (no affine, no running stats, as in pix2pix/CycleGAN) or 'none'."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}: use 'batch', 'instance' or 'none'")


def upsampling(kind: str, transposed: nn.ConvTranspose2d) -> list[nn.Module]:
    """×2 upsampling layers: the model's own `transposed` conv ("transpose"), or nearest neighbour
    then a 3×3 conv with the same channels ("resize"), which unlike a transposed conv whose kernel
    overlaps unevenly draws no checkerboard."""
    if kind == "transpose":
        return [transposed]
    if kind == "resize":
        conv = nn.Conv2d(transposed.in_channels, transposed.out_channels, 3, bias=transposed.bias is not None)
        return [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1), conv]
    raise ValueError(f"unknown upsampling {kind!r}: use 'transpose' or 'resize'")


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """DCGAN/pix2pix initialisation: conv weights N(0, std), norm scales N(1, std), biases 0."""
    for layer in module.modules():
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(layer.weight, 0.0, std)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, std)
            nn.init.zeros_(layer.bias)


def pad_to_multiple(x: torch.Tensor, multiple: int, min_size: int = 1) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad H and W up to multiples of `multiple`, and at least `min_size` (reflection where the
    image is large enough). Returns the padded batch and the original (H, W), so
    `x[..., :h, :w]` crops the result back.
    """
    h, w = x.shape[-2:]
    pad_h = max(-h % multiple, min_size - h + (-min_size % multiple) if h < min_size else 0)
    pad_w = max(-w % multiple, min_size - w + (-min_size % multiple) if w < min_size else 0)
    if pad_h == 0 and pad_w == 0:
        return x, (h, w)
    mode = "reflect" if pad_h < h and pad_w < w else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode), (h, w)


class ImageTranslator(nn.Module):
    """A fully convolutional image-to-image network that accepts sides of any length."""
    size_multiple = 1  # subclasses: the multiple of which H and W must be
    min_size = 1       # and the smallest H and W the network can take

    def translate(self, x: torch.Tensor) -> torch.Tensor:
        """forward() for any H, W: pads to a valid size (reflection) and crops the output back."""
        padded, (h, w) = pad_to_multiple(x, self.size_multiple, self.min_size)
        return self(padded)[..., :h, :w]
