"""FastGAN's generator, lite variant (Liu et al., ICLR 2021), the one Projected GAN trains.

Every upsampling is nearest neighbour then a 3×3 conv (no transposed conv: no checkerboard), batch
norm and a gated linear unit (GLU: half the channels gate the other half). Skip-layer excitation
(SLE) lets the 4×4 and 8×8 feature maps, pooled and squeezed to one weight per channel, gate the
two finest scales: the layout settled early decides which channels draw the detail, cheaply, with
no full-resolution skip connection. Unconditional; truncation anchors and standing statistics as
the DCGAN generator's (LatentGenerator), so the dog tab and train/dcgan.py take either.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from core.models.dcgan import LatentGenerator, _levels
from core.models.layers import init_weights
from core.registry import register


@dataclass
class FastGANConfig:
    image_size: int = 64      # any power of two from 32
    z_dim: int = 128
    ngf: int = 32             # channels at the output scale, doubled at each coarser one up to max_width
    max_width: int = 512
    anchors: int = 0          # truncation anchors (scripts/checkpoints/dog_anchors.py)
    class_names: list[str] = field(default_factory=list)  # unconditional: stays empty


def up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """×2: nearest neighbour, 3×3 conv to twice the channels, batch norm, GLU."""
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                         nn.Conv2d(in_channels, 2 * out_channels, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(2 * out_channels), nn.GLU(dim=1))


class SkipLayerExcitation(nn.Module):
    """One weight in (0, 1) per channel of a fine feature map, read from a coarse one."""

    def __init__(self, coarse_channels: int, fine_channels: int):
        super().__init__()
        self.net = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Conv2d(coarse_channels, fine_channels, 4, 1, 0, bias=False),
                                 nn.SiLU(), nn.Conv2d(fine_channels, fine_channels, 1, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, coarse: torch.Tensor, fine: torch.Tensor) -> torch.Tensor:
        return fine * self.net(coarse)


@register("fastgan_generator", FastGANConfig)
class FastGANGenerator(LatentGenerator):
    def __init__(self, config: FastGANConfig):
        super().__init__()
        self.config = c = config
        if c.class_names:
            raise ValueError("the FastGAN generator is unconditional: use the DCGAN one for classes")
        self.sizes = [4 * 2 ** level for level in range(_levels(c.image_size) + 1)]  # 4, 8, ..., image_size
        width = {size: min(c.max_width, c.ngf * c.image_size // size) for size in self.sizes}
        self.start = nn.Sequential(nn.ConvTranspose2d(c.z_dim, 2 * width[4], 4, 1, 0, bias=False),
                                   nn.BatchNorm2d(2 * width[4]), nn.GLU(dim=1))
        self.ups = nn.ModuleList(up_block(width[coarse], width[fine])
                                 for coarse, fine in zip(self.sizes, self.sizes[1:]))
        # FastGAN pairs scales 16× apart at 256 px; here the two finest scales read 4×4 and 8×8.
        self.excited = {self.sizes[-2]: 4, self.sizes[-1]: 8}
        self.excitations = nn.ModuleDict({str(fine): SkipLayerExcitation(width[coarse], width[fine])
                                          for fine, coarse in self.excited.items()})
        self.to_rgb = nn.Conv2d(width[c.image_size], 3, 3, 1, 1)
        init_weights(self)
        self._anchor_buffer(c.anchors, c.z_dim)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        x = self.start(z[:, :, None, None])
        features = {4: x}
        for size, up in zip(self.sizes[1:], self.ups):
            x = up(x)
            if size in self.excited:
                x = self.excitations[str(size)](features[self.excited[size]], x)
            features[size] = x
        return torch.tanh(self.to_rgb(x))
