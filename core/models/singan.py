"""SinGAN: a pyramid of small fully convolutional GANs learned from one image.

Scale 0 is the coarsest (short side about 25 px); each finer scale is about 4/3 larger. Scale k's
generator adds detail to the upsampled output of scale k-1:

    x_k = G_k(amp_k · z_k + up(x_{k-1})) + up(x_{k-1})

amp_k (noise amplitude) is set in training from how far the upsampled reconstruction is from the
real image at scale k. Reconstruction uses fixed noise at scale 0 and no noise after it, so every
coarser scale can be replayed exactly. The model also keeps the training image, which editing,
super-resolution and the demos need.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from core import registry
from core.models.layers import init_weights, norm_layer


def pyramid_sizes(height: int, width: int, min_size: int = 25, max_size: int = 250,
                  scale_factor: float = 0.75) -> list[list[int]]:
    """[H, W] per scale, coarsest first: the long side is at most max_size, the short side of
    the coarsest scale is min_size, and the factor between scales is as close to scale_factor as
    a whole number of scales allows."""
    shrink = min(1.0, max_size / max(height, width))
    height, width = max(1, round(height * shrink)), max(1, round(width * shrink))
    short = min(height, width)
    if short <= min_size:
        return [[height, width]]
    count = math.ceil(math.log(min_size / short) / math.log(scale_factor)) + 1
    factor = (min_size / short) ** (1 / (count - 1))
    return [[max(1, round(height * factor ** (count - 1 - k))), max(1, round(width * factor ** (count - 1 - k)))]
            for k in range(count)]


def resize(x: torch.Tensor, size) -> torch.Tensor:
    """Bicubic resize of a [-1, 1] batch (antialiased when shrinking), clamped back to range."""
    size = tuple(int(s) for s in size)
    if tuple(x.shape[-2:]) == size:
        return x
    return F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True).clamp(-1, 1)


def conv3x3(in_channels: int, out_channels: int, padding: str = "reflect") -> nn.Conv2d:
    """Reflection padding by default: with zero padding the generators learned a frame along the
    borders (on a flat input, 0.25 of the [-1, 1] range within 5 px of the edge), which painting
    and editing showed."""
    return nn.Conv2d(in_channels, out_channels, 3, padding=1, padding_mode=padding)


def conv_block(in_channels: int, out_channels: int, norm: str, padding: str = "reflect") -> nn.Sequential:
    return nn.Sequential(conv3x3(in_channels, out_channels, padding), norm_layer(norm, out_channels),
                         nn.LeakyReLU(0.2, inplace=True))


SAMPLE_SEED_OFFSET = 0x5EED_0000  # PyTorch's CPU generator keeps only a seed's low 32 bits


def sample_generator(seed: int) -> torch.Generator:
    """The random stream of sample `seed`. Training draws the fixed reconstruction noise right after
    torch.manual_seed(its seed), so a sample stream seeded with that same number would replay the
    reconstruction as its "random" sample; sample seeds live in a range no training seed uses."""
    return torch.Generator().manual_seed((SAMPLE_SEED_OFFSET + int(seed)) % 2 ** 32)


class ScaleGenerator(nn.Module):
    """One scale's generator: `blocks` 3×3 conv blocks, a tanh, and the residual around them."""

    def __init__(self, channels: int = 32, blocks: int = 5, norm: str = "instance", padding: str = "reflect"):
        super().__init__()
        layers = [conv_block(3, channels, norm, padding)]
        layers += [conv_block(channels, channels, norm, padding) for _ in range(blocks - 2)]
        self.body = nn.Sequential(*layers, conv3x3(channels, 3, padding), nn.Tanh())

    def forward(self, noise: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
        return (self.body(noise + previous) + previous).clamp(-1, 1)


class PatchCritic(nn.Module):
    """One scale's WGAN critic: the generator's shape, ending in a score per patch (no sigmoid)."""

    def __init__(self, channels: int = 32, blocks: int = 5, norm: str = "instance", padding: str = "reflect"):
        super().__init__()
        layers = [conv_block(3, channels, norm, padding)]
        layers += [conv_block(channels, channels, norm, padding) for _ in range(blocks - 2)]
        self.body = nn.Sequential(*layers, conv3x3(channels, 1, padding))
        init_weights(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


@dataclass
class SinGANConfig:
    sizes: list = field(default_factory=lambda: [[25, 25]])  # [H, W] per scale, coarsest first
    channels: int = 32        # at the coarsest scales; doubles every `double_every` scales
    max_channels: int = 128
    double_every: int = 4
    blocks: int = 5
    norm: str = "instance"    # per-image statistics, as the reference's batch norm on one image
    scale_factor: float = 0.75  # the nominal factor between scales (super-resolution steps by it)
    subject: str = "image"      # what the training image shows, for the demo's model list
    coarsest_padding: str = "reflect"  # "zeros" tells scale 0, which draws the layout from noise,
                                       # where the borders are; finer scales always reflect


def padding_at(config: SinGANConfig, scale: int) -> str:
    return config.coarsest_padding if scale == 0 else "reflect"


def channels_at(config: SinGANConfig, scale: int) -> int:
    return min(config.channels * 2 ** (scale // config.double_every), config.max_channels)


@registry.register("singan", SinGANConfig)
class SinGAN(nn.Module):
    def __init__(self, config: SinGANConfig):
        super().__init__()
        self.config = config
        self.generators = nn.ModuleList(
            ScaleGenerator(channels_at(config, k), config.blocks, config.norm, padding_at(config, k))
            for k in range(len(config.sizes)))
        for generator in self.generators:
            init_weights(generator)
        h0, w0 = config.sizes[0]
        height, width = config.sizes[-1]
        self.register_buffer("noise_amp", torch.ones(len(config.sizes)))
        self.register_buffer("fixed_noise", torch.randn(1, 3, h0, w0))
        self.register_buffer("image", torch.zeros(1, 3, height, width))

    @property
    def num_scales(self) -> int:
        return len(self.config.sizes)

    def real_pyramid(self) -> list[torch.Tensor]:
        """The training image at every scale."""
        return [resize(self.image, size) for size in self.config.sizes]

    def scaled_sizes(self, scale_v: float = 1.0, scale_h: float = 1.0) -> list[tuple[int, int]]:
        return [(max(1, round(h * scale_v)), max(1, round(w * scale_h))) for h, w in self.config.sizes]

    def run_scales(self, previous: torch.Tensor, first: int, last: int, sizes, noises=None,
                   generator: torch.Generator | None = None) -> list[torch.Tensor]:
        """Outputs of scales first..last, starting from `previous` (already at sizes[first]).
        noises[k], where given, replaces fresh N(0, 1) noise at scale k (before its amplitude)."""
        outputs = []
        for k in range(first, last + 1):
            if k > first:
                previous = resize(outputs[-1], sizes[k])
            if noises is not None and k in noises:
                z = noises[k]
            else:
                z = torch.randn(previous.shape, generator=generator, device="cpu").to(previous.device)
            outputs.append(self.generators[k](self.noise_amp[k] * z, previous))
        return outputs

    def reconstruct(self, last: int | None = None) -> list[torch.Tensor]:
        """The reconstruction at scales 0..last: fixed noise at scale 0, no noise after."""
        last = self.num_scales - 1 if last is None else last
        sizes = self.config.sizes
        zeros = {k: torch.zeros(1, 3, *sizes[k], device=self.image.device) for k in range(1, last + 1)}
        start = torch.zeros_like(self.fixed_noise)
        return self.run_scales(start, 0, last, sizes, noises={0: self.fixed_noise, **zeros})

    def sample(self, start_scale: int = 0, scale_v: float = 1.0, scale_h: float = 1.0,
               injected: torch.Tensor | None = None, noises=None,
               generator: torch.Generator | None = None, last_scale: int | None = None) -> torch.Tensor:
        """One image: scales below start_scale replay the reconstruction (or, with `injected`,
        an image taken down to scale start_scale - 1 replaces it); scales from start_scale on draw
        fresh noise. scale_v / scale_h stretch the output (and every scale) vertically/horizontally.
        last_scale stops early (training previews the scales trained so far)."""
        last_scale = self.num_scales - 1 if last_scale is None else last_scale
        if not 0 <= start_scale <= last_scale < self.num_scales:
            raise ValueError(f"start scale must be 0..{last_scale}, not {start_scale}")
        sizes = self.scaled_sizes(scale_v, scale_h)
        if injected is not None:
            previous = resize(resize(injected, sizes[max(start_scale - 1, 0)]), sizes[start_scale])
        elif start_scale == 0:
            previous = torch.zeros(1, 3, *sizes[0], device=self.image.device)
        else:
            previous = resize(self.reconstruct(start_scale - 1)[-1], sizes[start_scale])
        return self.run_scales(previous, start_scale, last_scale, sizes, noises, generator)[-1]

    def super_resolve(self, image: torch.Tensor, factor: float, generator: torch.Generator | None = None):
        """Upscale `image` by `factor` in steps of about 1/scale_factor, each refined by the finest
        generator (SinGAN's super-resolution). Each step keeps only the detail the generator adds
        above the previous step's resolution (one back-projection): without it, colours drift a
        little at every step (the model cards give PSNR against bicubic resizing)."""
        steps = max(1, math.ceil(math.log(factor) / math.log(1 / self.config.scale_factor) - 1e-6))
        step = factor ** (1 / steps)
        height, width = image.shape[-2:]
        last = self.num_scales - 1
        x = image
        for n in range(1, steps + 1):
            size = (round(height * step ** n), round(width * step ** n))
            up = resize(x, size)
            refined = self.run_scales(up, last, last, {last: size}, generator=generator)[-1]
            x = (refined - resize(resize(refined, x.shape[-2:]), size) + up).clamp(-1, 1)
        return x


def training_draws(model: SinGAN, n: int, first: int):
    """What training scale n, with scales first..n learning together, draws from the pyramid:
    draw_start() runs the frozen scales below `first` from fresh noise (no gradients), generate(start)
    runs the learning scales on it, and reconstruct() replays the image from the fixed noise (the
    frozen scales' part of it computed once, here)."""
    sizes = model.config.sizes
    zeros = {k: torch.zeros(1, 3, *sizes[k], device=model.image.device) for k in range(n + 1)}
    with torch.no_grad():
        rec_start = resize(model.reconstruct(first - 1)[-1], sizes[first]) if first > 0 else zeros[0]

    def draw_start():
        if first == 0:
            return zeros[0]
        with torch.no_grad():
            return resize(model.run_scales(zeros[0], 0, first - 1, sizes)[-1], sizes[first])

    def generate(start):
        return model.run_scales(start, first, n, sizes)[-1]

    def reconstruct():
        noises = {k: zeros[k] for k in range(first, n + 1)}
        if first == 0:
            noises[0] = model.fixed_noise
        return model.run_scales(rec_start, first, n, sizes, noises)[-1]

    return draw_start, generate, reconstruct
