"""pix2pix networks (Isola et al. 2017): a U-Net generator and a PatchGAN discriminator.

Read top to bottom: configs, the generator's down/up blocks, the generator, the discriminator.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.models.layers import ImageTranslator, init_weights, norm_layer, upsampling
from core.registry import register


@dataclass
class UNetConfig:
    in_channels: int = 3
    out_channels: int = 3
    depth: int = 8          # number of stride-2 downsamplings: inputs must be multiples of 2**depth
    ngf: int = 64           # channels after the first conv
    max_mult: int = 8       # channels stop doubling at ngf * max_mult
    norm: str = "batch"
    dropout: float = 0.5    # dropout in the innermost decoder blocks (the noise z of pix2pix)
    dropout_blocks: int = 3
    upsample: str = "transpose"  # or "resize": nearest ×2 then a 3×3 conv, which draws no checkerboard


@dataclass
class PatchGANConfig:
    in_channels: int = 6    # pix2pix's D sees (input, output) stacked
    ndf: int = 64
    n_layers: int = 3       # 3 gives the 70x70 receptive field
    norm: str = "batch"


def _down(in_ch, out_ch, norm, outermost=False, innermost=False):
    bias = norm != "batch"
    layers = [] if outermost else [nn.LeakyReLU(0.2, True)]
    layers.append(nn.Conv2d(in_ch, out_ch, 4, 2, 1, bias=bias))
    if not (outermost or innermost):
        layers.append(norm_layer(norm, out_ch))
    return nn.Sequential(*layers)


def _up(in_ch, out_ch, norm, outermost=False, dropout=0.0, upsample="transpose"):
    transposed = nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=outermost or norm != "batch")
    layers = [nn.ReLU(True), *upsampling(upsample, transposed)]
    if outermost:
        layers.append(nn.Tanh())
    else:
        layers.append(norm_layer(norm, out_ch))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


@register("unet_generator", UNetConfig)
class UNetGenerator(ImageTranslator):
    """Encoder-decoder with a skip connection from every encoder level to its decoder mirror."""

    def __init__(self, config: UNetConfig):
        super().__init__()
        self.config = config
        c = config
        widths = [c.ngf * min(2 ** i, c.max_mult) for i in range(c.depth)]
        self.downs = nn.ModuleList()
        self.ups = nn.ModuleList()
        for i, width in enumerate(widths):
            outermost, innermost = i == 0, i == c.depth - 1
            in_ch = c.in_channels if outermost else widths[i - 1]
            self.downs.append(_down(in_ch, width, c.norm, outermost, innermost))
            up_in = width if innermost else 2 * width
            up_out = c.out_channels if outermost else widths[i - 1]
            with_dropout = c.depth - 1 - c.dropout_blocks <= i < c.depth - 1
            self.ups.append(_up(up_in, up_out, c.norm, outermost, c.dropout if with_dropout else 0.0, c.upsample))
        init_weights(self)

    @property
    def size_multiple(self) -> int:
        return 2 ** self.config.depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for down in self.downs:
            x = down(x)
            skips.append(x)
        x = self.ups[-1](skips.pop())
        for up in reversed(self.ups[:-1]):
            x = up(torch.cat([skips.pop(), x], dim=1))
        return x


@register("patchgan_discriminator", PatchGANConfig)
class PatchGANDiscriminator(nn.Module):
    """Classifies each overlapping patch as real or fake; outputs a map of logits."""

    def __init__(self, config: PatchGANConfig):
        super().__init__()
        self.config = config
        c = config
        bias = c.norm != "batch"
        layers = [nn.Conv2d(c.in_channels, c.ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        width = c.ndf
        for n in range(1, c.n_layers + 1):
            next_width = c.ndf * min(2 ** n, 8)
            stride = 2 if n < c.n_layers else 1
            layers += [nn.Conv2d(width, next_width, 4, stride, 1, bias=bias),
                       norm_layer(c.norm, next_width), nn.LeakyReLU(0.2, True)]
            width = next_width
        layers.append(nn.Conv2d(width, 1, 4, 1, 1))
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
