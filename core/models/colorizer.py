"""Zhang et al. 2016 ("Colorful Image Colorization") on the pix2pix U-Net: a colour distribution per pixel.

Regressing ab with L1 picks one colour where several are plausible (a car may be red or blue) and
settles on brownish grey. This colouriser instead gives every pixel a probability for each 10×10
cell of the ab plane, trained with cross-entropy, and returns their *annealed mean*: softmax of
the logits over a temperature, then the mean cell centre. Temperature 1 is the plain mean (safe,
greyish); towards 0 it becomes the most likely colour (vivid, sometimes wrong); Zhang et al. use
0.38. As in their paper the cells are scored at a quarter of the working resolution, which keeps
the 484-way head cheap; the ab it returns is enlarged back, as the colouriser does with every result.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.color import AB_SCALE
from core.models.pix2pix import UNetConfig, UNetGenerator
from core.registry import register

AB_BIN = 10.0                          # ab units per cell (Zhang et al. use 10)
AB_SIDE = int(2 * AB_SCALE / AB_BIN)   # cells along a and along b: 22 × 22 = 484
CELL_STRIDE = 4                        # cells are scored on a grid this many times coarser


def ab_bins(ab: torch.Tensor) -> torch.Tensor:
    """The cell of each pixel's ab (given as ab/110, Bx2xHxW), as one index per pixel (BxHxW)."""
    cells = ((ab * AB_SCALE + AB_SCALE) / AB_BIN).long().clamp(0, AB_SIDE - 1)
    return cells[:, 0] * AB_SIDE + cells[:, 1]


@dataclass
class BinnedColorizerConfig(UNetConfig):
    in_channels: int = 1
    out_channels: int = 32     # U-Net features per pixel, read by the 1×1 cell classifier
    temperature: float = 0.38  # of the annealed mean: 1 = mean colour, → 0 = most likely colour


@register("binned_colorizer", BinnedColorizerConfig)
class BinnedColorizer(UNetGenerator):
    """L/50 - 1 in; ab/110 out (forward), or the cell logits on the coarser grid (logits=True)."""

    def __init__(self, config: BinnedColorizerConfig):
        super().__init__(config)
        self.head = nn.Conv2d(config.out_channels, AB_SIDE * AB_SIDE, 1)

    def forward(self, x: torch.Tensor, logits: bool = False) -> torch.Tensor:
        scores = self.head(F.avg_pool2d(super().forward(x), CELL_STRIDE))
        return scores if logits else annealed_mean(scores, self.config.temperature)


def cell_centres() -> torch.Tensor:
    """The ab (as ab/110) at the centre of each cell, in ab_bins' order: 484×2."""
    centres = ((torch.arange(AB_SIDE) + 0.5) * AB_BIN - AB_SCALE) / AB_SCALE
    a, b = torch.meshgrid(centres, centres, indexing="ij")  # cell i * AB_SIDE + j is (a_i, b_j)
    return torch.stack([a, b], -1).view(-1, 2)


def annealed_mean(scores: torch.Tensor, temperature: float) -> torch.Tensor:
    """Cell scores on the coarse grid → ab/110 at CELL_STRIDE times their size: the mean cell
    centre under softmax(scores / temperature)."""
    p = (scores.float() / temperature).softmax(dim=1)
    ab = torch.einsum("bqhw,qc->bchw", p, cell_centres().to(p.device))
    return F.interpolate(ab, scale_factor=CELL_STRIDE, mode="bilinear", align_corners=False)
