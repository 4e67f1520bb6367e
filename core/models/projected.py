"""Projected GAN discriminator (Sauer et al., NeurIPS 2021): small heads on frozen ImageNet features.

Real and fake images are resized to `input_size` and seen through a frozen pretrained network
(core.features, EfficientNet-Lite0 as in the paper), whose feature maps at strides 4, 8, 16 and 32
are mixed by fixed random 1×1 convolutions across channels (CCM) and, top-down, across scales
(CSM). That frozen part is the `FeatureProjector`: built from the config and a seed, never trained,
never saved (it rebuilds identically). Only the `ProjectedDiscriminator`, one small patch
discriminator per scale, trains; it is what the training state holds.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm as sn

from core.features import pretrained_features
from core.registry import register


@dataclass
class ProjectedConfig:
    backbone: str = "lite0"   # core.features variant
    input_size: int = 128     # images are resized to this before the frozen network (the paper: 224)
    mix_channels: int = 64    # width of the mixed features at stride 4, doubled at each coarser scale
    mixing_seed: int = 0      # the fixed random mixing is drawn from this seed


class FeatureProjector(nn.Module):
    """Frozen: images in [-1, 1] → pretrained feature maps → random channel and scale mixing."""

    def __init__(self, config: ProjectedConfig):
        super().__init__()
        self.config = c = config
        self.features = pretrained_features(c.backbone)
        widths = [c.mix_channels * 2 ** i for i in range(4)]
        with torch.random.fork_rng():
            torch.manual_seed(c.mixing_seed)
            self.channel_mix = nn.ModuleList(nn.Conv2d(cin, w, 1) for cin, w in zip(self.features.channels, widths))
            self.scale_mix = nn.ModuleList(nn.Conv2d(widths[i + 1], widths[i], 1) for i in range(3))
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True):
        return super().train(False)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        size = self.config.input_size
        if images.shape[-1] != size or images.shape[-2] != size:
            images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
        maps = [mix(m) for mix, m in zip(self.channel_mix, self.features.pyramid(images))]
        mixed = [maps[-1]]
        for i in (2, 1, 0):  # top-down: each scale adds the coarser (already mixed) one, upsampled
            coarser = F.interpolate(mixed[0], size=maps[i].shape[-2:], mode="bilinear", align_corners=False)
            mixed.insert(0, maps[i] + self.scale_mix[i](coarser))
        return mixed

    def sizes(self) -> list[int]:
        return [self.config.input_size // stride for stride in (4, 8, 16, 32)]


def down_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(sn(nn.Conv2d(cin, cout, 4, 2, 1, bias=False)), nn.BatchNorm2d(cout),
                         nn.LeakyReLU(0.2, True))


def scale_head(channels: int, size: int, max_channels: int = 512) -> nn.Sequential:
    """Strided convs down to 8×8 (or stay at a smaller map), then 4×4 patch logits."""
    layers = []
    while size > 8:
        layers.append(down_block(channels, min(2 * channels, max_channels)))
        channels, size = min(2 * channels, max_channels), size // 2
    layers.append(sn(nn.Conv2d(channels, 1, 4, 1, 0 if size >= 4 else 1)))
    return nn.Sequential(*layers)


@register("projected_discriminator", ProjectedConfig)
class ProjectedDiscriminator(nn.Module):
    """The trainable part: one head per mixed feature scale; logits of every head, concatenated."""

    def __init__(self, config: ProjectedConfig):
        super().__init__()
        self.config = c = config
        widths = [c.mix_channels * 2 ** i for i in range(4)]
        sizes = [c.input_size // stride for stride in (4, 8, 16, 32)]
        self.heads = nn.ModuleList(scale_head(w, s) for w, s in zip(widths, sizes))

    def forward(self, maps: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat([head(m).flatten(1) for head, m in zip(self.heads, maps)], dim=1)
