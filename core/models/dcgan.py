"""DCGAN (Radford et al. 2016) at 64 or 128 px, with the small-data options of later GANs.

The generator upsamples z (plus a breed embedding when conditional) with transposed convs (or
nearest-neighbour resizes and 3×3 convs), batch norm and ReLU; the discriminator mirrors it with
strided convs and LeakyReLU, using spectral norm instead of batch norm when asked (Miyato et al.),
and a projection term for the class (Miyato & Koyama) when conditional. train/dcgan.py can pair
the generator with a projected discriminator instead (core/models/projected.py). Truncation trades variety for fidelity at sampling time:
BigGAN's resampling of z, a pull towards the mean (psi), or a pull towards the nearest of a set of
anchor latents stored with the generator (multi-modal truncation, Mokady et al. 2022).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm as sn

from core.models.layers import init_weights, upsampling
from core.registry import register


@dataclass
class DCGANConfig:
    image_size: int = 64          # 64 or 128 (any power of two from 32)
    z_dim: int = 128
    ngf: int = 64
    ndf: int = 64
    class_names: list[str] = field(default_factory=list)  # breeds; empty = unconditional
    spectral_norm: bool = True    # discriminator only
    anchors: int = 0              # latents that "anchor" truncation pulls towards (scripts/checkpoints/dog_anchors.py)
    upsample: str = "transpose"   # generator only: "transpose" (the paper) or "resize" (nearest + 3×3 conv, no checkerboard)


def _levels(image_size: int) -> int:
    levels = int(math.log2(image_size)) - 2  # 4x4 → image_size
    if 2 ** (levels + 2) != image_size or levels < 3:
        raise ValueError(f"image_size must be a power of two ≥ 32, not {image_size}")
    return levels


class LatentGenerator(nn.Module):
    """What the dog tab and train/dcgan.py need of any generator family: z (and labels) in, images
    out; `config.z_dim`, `config.class_names` and truncation anchors stored with the weights; and
    batch-norm statistics that can be recomputed for averaged weights."""

    def _anchor_buffer(self, count: int, z_dim: int) -> None:
        # Filled in after training, for the weights they were picked for (None: no anchor truncation).
        self.register_buffer("anchors", torch.zeros(count, z_dim) if count else None)

    @torch.no_grad()
    def standing_statistics(self, batches: int = 32, batch_size: int = 64, seed: int = 0) -> None:
        """Recompute the batch-norm statistics for the current weights (BigGAN's "standing stats").

        An EMA of G's weights cannot borrow G's running statistics: they belong to other weights,
        and the samples come out washed out. Averaging each layer's batch statistics over many
        batches of z ~ N(0, I) gives the statistics these weights really produce.

        (Not per truncation: every batch norm here follows a bias-free linear layer, so statistics
        recomputed for truncated z would cancel the truncation exactly.)
        """
        norms = [m for m in self.modules() if isinstance(m, nn.BatchNorm2d)]
        was_training, device = self.training, next(self.parameters()).device
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a plain average over the batches below
        self.train()
        generator = torch.Generator().manual_seed(seed)
        n_classes = len(self.config.class_names)
        for _ in range(batches):
            z = torch.randn(batch_size, self.config.z_dim, generator=generator).to(device)
            labels = torch.randint(n_classes, (batch_size,), generator=generator).to(device) if n_classes else None
            self(z, labels)
        for norm in norms:
            norm.momentum = 0.1
        self.train(was_training)


@register("dcgan_generator", DCGANConfig)
class DCGANGenerator(LatentGenerator):
    def __init__(self, config: DCGANConfig):
        super().__init__()
        self.config = c = config
        levels = _levels(c.image_size)
        width = c.ngf * 2 ** (levels - 1)
        self.embed = nn.Embedding(len(c.class_names), c.z_dim) if c.class_names else None
        in_dim = c.z_dim * (2 if self.embed is not None else 1)
        layers = [nn.ConvTranspose2d(in_dim, width, 4, 1, 0, bias=False), nn.BatchNorm2d(width), nn.ReLU(True)]
        for _ in range(levels - 1):
            layers += [*upsampling(c.upsample, nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False)),
                       nn.BatchNorm2d(width // 2), nn.ReLU(True)]
            width //= 2
        layers += [*upsampling(c.upsample, nn.ConvTranspose2d(width, 3, 4, 2, 1)), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        init_weights(self)
        self._anchor_buffer(c.anchors, c.z_dim)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            if labels is None:
                raise ValueError("this generator is class-conditional: pass labels")
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.net(z[:, :, None, None])

    @torch.no_grad()
    def load_narrower(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Load a trained generator of the same depth but a smaller ngf, drawing the same pictures.

        Net2Net-style widening (Chen et al. 2016), so a longer run can add capacity without
        starting over: every old tensor fills the leading slice of the wider one; the new
        channels keep their random start, but their weights into the old channels are zero, so
        the old channels (and the RGB output) compute exactly what they did. Gradients reach the
        new channels' outgoing weights at once, and through them the rest.
        """
        own = self.state_dict()
        for name, old in state_dict.items():
            if name == "anchors" or name.endswith("num_batches_tracked"):
                continue
            if old.dim() != own[name].dim() or any(o > n for o, n in zip(old.shape, own[name].shape)):
                raise ValueError(f"{name}: {tuple(old.shape)} does not fit in {tuple(own[name].shape)}")
            own[name][tuple(slice(0, size) for size in old.shape)] = old
        for layer_name, layer in self.named_modules():
            if isinstance(layer, (nn.ConvTranspose2d, nn.Conv2d)):
                old = state_dict[f"{layer_name}.weight"]
                # ConvTranspose2d weights are (in, out, k, k), Conv2d's (out, in, k, k).
                new_in_to_old_out = ((slice(old.shape[0], None), slice(0, old.shape[1]))
                                     if isinstance(layer, nn.ConvTranspose2d)
                                     else (slice(0, old.shape[0]), slice(old.shape[1], None)))
                own[f"{layer_name}.weight"][new_in_to_old_out] = 0
        self.load_state_dict(own)


@register("dcgan_discriminator", DCGANConfig)
class DCGANDiscriminator(nn.Module):
    def __init__(self, config: DCGANConfig):
        super().__init__()
        self.config = c = config
        levels = _levels(c.image_size)
        wrap = sn if c.spectral_norm else (lambda layer: layer)
        layers = [wrap(nn.Conv2d(3, c.ndf, 4, 2, 1)), nn.LeakyReLU(0.2, True)]
        width = c.ndf
        for _ in range(levels - 1):
            layers.append(wrap(nn.Conv2d(width, width * 2, 4, 2, 1, bias=c.spectral_norm)))
            if not c.spectral_norm:
                layers.append(nn.BatchNorm2d(width * 2))
            layers.append(nn.LeakyReLU(0.2, True))
            width *= 2
        self.features = nn.Sequential(*layers)
        self.head = wrap(nn.Conv2d(width, 1, 4, 1, 0))
        self.embed = None
        if c.class_names:  # small at the start like the other layers: without spectral norm an N(0, 1)
            embed = nn.Embedding(len(c.class_names), width)  # table made the projection swamp the logits
            nn.init.normal_(embed.weight, 0.0, 0.02)
            self.embed = wrap(embed)
        init_weights(self)

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(images)
        logits = self.head(h).flatten(1)
        if self.embed is not None:  # projection: <embed(y), sum of features>
            logits = logits + (self.embed(labels) * h.sum(dim=(2, 3))).sum(dim=1, keepdim=True)
        return logits


TRUNCATION_OFF = {"anchor": 1.0, "resample": 4.0, "psi": 1.0}  # each mode's truncation that leaves z (about) as drawn


def truncated_noise(count: int, z_dim: int, seed: int, truncation: float | None = None, mode: str = "resample",
                    anchors: torch.Tensor | None = None) -> torch.Tensor:
    """Latent vectors for `seed`, truncated: the same arguments always give the same tensor.

    mode "resample" (BigGAN): entries with |z| > truncation are drawn again until inside.
    mode "psi" (StyleGAN-style, towards the latent mean 0): z * truncation.
    mode "anchor" (multi-modal): z slerped towards its nearest anchor (by angle), z's share being
    `truncation`; the anchors are latents whose pictures scored as the most realistic, so instead
    of fading towards one average picture the samples settle on the generator's cleanest ones.
    truncation None (the default), ≥ 4 (resample) or 1 (psi, anchor) leaves z as drawn.
    """
    generator = torch.Generator().manual_seed(int(seed))
    z = torch.randn(count, z_dim, generator=generator)
    if truncation is None:
        return z
    if truncation <= 0:
        raise ValueError("truncation must be above 0")
    if mode == "psi":
        return z * truncation
    if mode == "anchor":
        if anchors is None or not len(anchors):
            raise ValueError("this generator has no truncation anchors (scripts/checkpoints/dog_anchors.py adds them); "
                             "use the 'resample' or 'psi' mode")
        anchors = anchors.float().cpu()
        nearest = anchors[(F.normalize(z, dim=1) @ F.normalize(anchors, dim=1).T).argmax(dim=1)]
        return slerp(nearest, z, min(float(truncation), 1.0))
    if mode != "resample":
        raise ValueError(f"unknown truncation mode {mode!r}: use 'anchor', 'resample' or 'psi'")
    outside = z.abs() > truncation
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=generator)
        outside = z.abs() > truncation
    return z


def slerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Spherical interpolation between rows of a (t = 0) and b (t = 1): Gaussian latents keep
    their typical length on the way, where a straight line would shrink them towards the mean."""
    t = torch.as_tensor(t, dtype=a.dtype).reshape(-1, 1)
    cos = (F.normalize(a, dim=-1) * F.normalize(b, dim=-1)).sum(-1, keepdim=True).clamp(-1, 1)
    angle = torch.arccos(cos)
    sin = torch.sin(angle)
    mixed = (torch.sin((1 - t) * angle) * a + torch.sin(t * angle) * b) / sin.clamp_min(1e-6)
    return torch.where(sin > 1e-4, mixed, (1 - t) * a + t * b)  # (nearly) parallel: a line is the same path


def random_labels(count: int, n_classes: int, seed: int) -> torch.Tensor | None:
    """Classes for `seed` when none is chosen: uniform draws, the same for the same seed (from a
    stream of their own, apart from the latents'); None for an unconditional generator."""
    if not n_classes:
        return None
    generator = torch.Generator().manual_seed(int(seed) + 2 ** 32)
    return torch.randint(n_classes, (count,), generator=generator)
