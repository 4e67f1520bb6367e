"""CycleGAN (Zhu et al. 2017): two generators that translate between unpaired domains A and B.

The ResNet generator (reflection padding, instance norm) is the paper's; the pix2pix U-Net is an
option. `CycleGAN` holds both directions so a checkpoint is one style, and its forward() returns
everything one training step needs, so data parallelism sees every generator call.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.models.layers import ImageTranslator, init_weights, norm_layer, upsampling
from core.models.pix2pix import UNetConfig, UNetGenerator
from core.registry import register


@dataclass
class ResnetConfig:
    in_channels: int = 3
    out_channels: int = 3
    ngf: int = 64
    n_blocks: int = 9       # 9 for 256 px training in the paper, 6 for 128 px
    norm: str = "instance"
    dropout: float = 0.0
    upsample: str = "transpose"  # or "resize": nearest ×2 then a 3×3 conv, which draws no checkerboard


class ResnetBlock(nn.Module):
    def __init__(self, channels: int, norm: str, dropout: float):
        super().__init__()
        bias = norm != "batch"
        layers = [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=bias),
                  norm_layer(norm, channels), nn.ReLU(True)]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=bias), norm_layer(norm, channels)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


@register("resnet_generator", ResnetConfig)
class ResnetGenerator(ImageTranslator):
    """7x7 stem, two stride-2 convs down, residual blocks, two ×2 upsamplings (transposed convs as in
    the paper, or resize-convolutions), 7x7 to RGB."""
    size_multiple = 4
    min_size = 8  # the residual blocks' reflection padding needs 2x2 at a quarter of the size

    def __init__(self, config: ResnetConfig):
        super().__init__()
        self.config = c = config
        bias = c.norm != "batch"
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(c.in_channels, c.ngf, 7, bias=bias),
                  norm_layer(c.norm, c.ngf), nn.ReLU(True)]
        for mult in (1, 2):  # downsample
            layers += [nn.Conv2d(c.ngf * mult, c.ngf * mult * 2, 3, stride=2, padding=1, bias=bias),
                       norm_layer(c.norm, c.ngf * mult * 2), nn.ReLU(True)]
        layers += [ResnetBlock(c.ngf * 4, c.norm, c.dropout) for _ in range(c.n_blocks)]
        for mult in (4, 2):  # upsample
            layers += upsampling(c.upsample, nn.ConvTranspose2d(c.ngf * mult, c.ngf * mult // 2, 3, stride=2,
                                                                padding=1, output_padding=1, bias=bias))
            layers += [norm_layer(c.norm, c.ngf * mult // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(c.ngf, c.out_channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, x):
        return self.net(x)


@dataclass
class CycleGANConfig:
    generator: str = "resnet"   # "resnet" or "unet"
    ngf: int = 64
    n_blocks: int = 9           # resnet only
    depth: int = 8              # unet only
    norm: str = "instance"
    upsample: str = "transpose"  # resnet only: "transpose" or "resize"
    domain_a: str = "photo"
    domain_b: str = "painting"


@register("cyclegan", CycleGANConfig)
class CycleGAN(nn.Module):
    """g_ab: A → B (photo → painting); g_ba: B → A."""

    def __init__(self, config: CycleGANConfig):
        super().__init__()
        self.config = c = config
        if c.generator == "resnet":
            make = lambda: ResnetGenerator(ResnetConfig(ngf=c.ngf, n_blocks=c.n_blocks, norm=c.norm,
                                                         upsample=c.upsample))
        elif c.generator == "unet":
            make = lambda: UNetGenerator(UNetConfig(ngf=c.ngf, depth=c.depth, norm=c.norm, dropout=0.0))
        else:
            raise ValueError(f"unknown CycleGAN generator {c.generator!r}: use 'resnet' or 'unet'")
        self.g_ab, self.g_ba = make(), make()

    def forward(self, a: torch.Tensor, b: torch.Tensor, identity: bool = True) -> dict[str, torch.Tensor]:
        """Both translations, both reconstructions and (optionally) both identity mappings."""
        fake_b, fake_a = self.g_ab(a), self.g_ba(b)
        out = {"fake_b": fake_b, "rec_a": self.g_ba(fake_b), "fake_a": fake_a, "rec_b": self.g_ab(fake_a)}
        if identity:
            out["idt_b"], out["idt_a"] = self.g_ab(b), self.g_ba(a)
        return out
