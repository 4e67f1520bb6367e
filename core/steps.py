"""One training step per GAN family. train/<family>.py, bench/<family>.py and the tests call these
same functions, so a benchmark times exactly what training does.

A step gets `run`: the Trainer, or `Bare` (one device, no Accelerate) in benchmarks and tests; it
uses run.models, run.optimizers, run.backward, run.unwrap and run.autocast. Steps return their losses
as detached tensors, so logging does not wait for the device every step. Every generator update
sees its discriminators frozen: G needs their input gradients, never their weight gradients. Each
update's forward pass has an autocast region of its own, closed before the optimizer steps: inside
one region, autocast reuses its low-precision copies of the weights, stale once they are updated.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from core.augment import soften_edges
from core.image_pool import ImagePool
from core.losses import GANLoss, gradient_penalty, l1_loss, total_variation
from core.models.colorizer import CELL_STRIDE, ab_bins, annealed_mean
from core.training import PRECISIONS, adam, frozen

class Bare:
    """What a step needs from the Trainer, for plain modules on one device (by default each with
    the train scripts' Adam at 2e-4)."""

    def __init__(self, models: dict[str, nn.Module], optimizers: dict[str, torch.optim.Optimizer] | None = None,
                 precision: str = "fp32"):
        self.models = models
        self.optimizers = optimizers or {name: adam(m.parameters(), 2e-4) for name, m in models.items()}
        self.dtype = PRECISIONS[precision]
        self.device = next(next(iter(models.values())).parameters()).device

    def unwrap(self, name: str) -> nn.Module:
        return self.models[name]

    def backward(self, loss: torch.Tensor):
        loss.backward()

    def autocast(self):
        return torch.autocast(self.device.type, dtype=self.dtype or torch.bfloat16, enabled=self.dtype is not None)


def discriminator_update(run, name: str, gan_loss: GANLoss, real, fake) -> torch.Tensor:
    """One update of discriminator `name`: what it sees of real images up, of generated ones down."""
    D, opt = run.models[name], run.optimizers[name]
    opt.zero_grad(set_to_none=True)
    with run.autocast():
        loss = gan_loss.discriminator(D(real), D(fake))
    run.backward(loss)
    opt.step()
    return loss.detach()


def conditional_gan_step(run, x: torch.Tensor, y: torch.Tensor, gan_loss: GANLoss, lambda_l1: float,
                         with_gan: bool = True, l1_weights: torch.Tensor | None = None,
                         perceptual: nn.Module | None = None, lambda_perceptual: float = 0.0,
                         projector: nn.Module | None = None, augment: Callable | None = None,
                         lambda_projected: float = 1.0,
                         recognition: Callable[[torch.Tensor], torch.Tensor] | None = None) -> dict:
    """pix2pix and the Lab colouriser: D learns real (x, y) pairs from generated ones, then G learns
    to fool D and stay near y (λ·L1; L1 alone while `with_gan` is False). `l1_weights` (broadcast over
    the channels) rebalance the L1 term, e.g. towards rare colours; `perceptual` (core.losses.PerceptualLoss)
    adds λ_p times the distance to y in pretrained features. With a "D_projected" among the models
    (Vision-aided GAN), a projected discriminator also learns real photos from generated ones in the
    frozen `projector`'s features, both `augment`ed, unconditionally, and G fools it too (weight λ_proj);
    without a "D" it judges alone (the colouriser's GAN phase, whose `augment` shows it the photo).
    With `recognition`, G (the global-context colouriser) also returns the pooled features of its one
    encoder pass (`pooled=True`), and `recognition(pooled)` adds its weighted recognition loss."""
    G, D_projected, opt_g = run.models["G"], run.models.get("D_projected"), run.optimizers["G"]
    with_patchgan = with_gan and "D" in run.models
    losses = {}
    with run.autocast():
        fake, pooled = G(x, pooled=True) if recognition is not None else (G(x), None)
    if with_patchgan:
        losses["loss_d"] = discriminator_update(run, "D", gan_loss, torch.cat([x, y], 1),
                                                torch.cat([x, fake.detach()], 1))
    if with_gan and D_projected is not None:
        with torch.no_grad(), run.autocast():  # the frozen network needs no graph for D's update
            real_maps, fake_maps = projector(augment(y)), projector(augment(fake.detach()))
        losses["loss_d_projected"] = discriminator_update(run, "D_projected", gan_loss, real_maps, fake_maps)

    opt_g.zero_grad(set_to_none=True)
    with run.autocast():
        error = (fake.float() - y).abs()
        loss_l1 = error.mean()
        loss_g = lambda_l1 * (loss_l1 if l1_weights is None else (l1_weights * error).mean())
        if perceptual is not None:
            loss_perceptual = perceptual(fake, y)
            loss_g = loss_g + lambda_perceptual * loss_perceptual
            losses["loss_perceptual"] = loss_perceptual.detach()
        if with_patchgan:
            with frozen(run.unwrap("D")) as D_fixed:  # outside DDP: G alone gets gradients
                loss_gan = gan_loss.generator(D_fixed(torch.cat([x, fake], 1)))
            loss_g = loss_g + loss_gan
            losses["loss_g_gan"] = loss_gan.detach()
        if with_gan and D_projected is not None:
            with frozen(run.unwrap("D_projected")) as projected_fixed:
                loss_g_projected = gan_loss.generator(projected_fixed(projector(augment(fake))))
            loss_g = loss_g + lambda_projected * loss_g_projected
            losses["loss_g_projected"] = loss_g_projected.detach()
        if recognition is not None:
            loss_recognition = recognition(pooled)
            loss_g = loss_g + loss_recognition
            losses["loss_recognition"] = loss_recognition.detach()
    run.backward(loss_g)
    opt_g.step()
    losses["loss_l1"] = loss_l1.detach()
    return losses


def ab_cell_step(run, L: torch.Tensor, ab: torch.Tensor, cell_weights: torch.Tensor | None = None,
                 perceptual: Callable | None = None, lambda_perceptual: float = 0.0) -> dict:
    """Zhang et al.'s colouriser (core/models/colorizer.py): cross-entropy between G's cell scores and
    each pixel's true ab cell, on the scores' coarser grid; `cell_weights` (one per cell) count
    rare, saturated colours more. `perceptual(fake_ab, ab)` adds λ_p times a loss on the colour G
    would show: the annealed mean of its scores, which is differentiable."""
    G, opt = run.models["G"], run.optimizers["G"]
    opt.zero_grad(set_to_none=True)
    with run.autocast():
        logits = G(L, logits=True)
    loss = F.cross_entropy(logits.float(), ab_bins(F.avg_pool2d(ab, CELL_STRIDE)), weight=cell_weights)
    losses = {"loss_ce": loss.detach()}
    if perceptual is not None:
        with run.autocast():
            loss_perceptual = perceptual(annealed_mean(logits, run.unwrap("G").config.temperature), ab)
        loss = loss + lambda_perceptual * loss_perceptual
        losses["loss_perceptual"] = loss_perceptual.detach()
    run.backward(loss)
    opt.step()
    return losses


def cyclegan_step(run, a: torch.Tensor, b: torch.Tensor, gan_loss: GANLoss, pools: tuple[ImagePool, ImagePool],
                  lambda_cycle: float, lambda_identity: float, lambda_tv: float = 0.0,
                  edge_promoting: bool = False) -> dict:
    """Both generators fool both discriminators, come back around the cycle and (λ_identity > 0)
    leave own-domain images alone; then each discriminator learns real images from a pool of
    past fakes. `lambda_identity` is the full weight (the paper's 0.5·λ_cycle); `lambda_tv` > 0
    penalises the total variation of the paintings (G_AB's output) for flat-fill styles;
    `edge_promoting` has D_B also call the real paintings with softened edges fake (sharp outlines)."""
    G, opt_g = run.models["G"], run.optimizers["G"]
    opt_g.zero_grad(set_to_none=True)
    with run.autocast():
        out = G(a, b, identity=lambda_identity > 0)
        with frozen(run.unwrap("D_A")) as D_A, frozen(run.unwrap("D_B")) as D_B:
            loss_gan = gan_loss.generator(D_B(out["fake_b"])) + gan_loss.generator(D_A(out["fake_a"]))
        loss_cycle = l1_loss(out["rec_a"], a) + l1_loss(out["rec_b"], b)
        loss_g = loss_gan + lambda_cycle * loss_cycle
        if lambda_identity > 0:
            loss_idt = l1_loss(out["idt_b"], b) + l1_loss(out["idt_a"], a)
            loss_g = loss_g + lambda_identity * loss_idt
        if lambda_tv > 0:
            loss_tv = total_variation(out["fake_b"])
            loss_g = loss_g + lambda_tv * loss_tv
    run.backward(loss_g)
    opt_g.step()

    loss_d = 0.0
    for name, real, pool, fake in (("D_A", a, pools[0], out["fake_a"]), ("D_B", b, pools[1], out["fake_b"])):
        D, opt = run.models[name], run.optimizers[name]
        opt.zero_grad(set_to_none=True)
        with run.autocast():
            real_logits = D(real)
            loss = gan_loss.discriminator(real_logits, D(pool.query(fake)))
            if edge_promoting and name == "D_B":
                loss = 0.5 * (loss + gan_loss.discriminator(real_logits, D(soften_edges(real))))
        run.backward(loss)
        opt.step()
        loss_d = loss_d + loss.detach()
    losses = {"loss_g_gan": loss_gan.detach(), "loss_cycle": loss_cycle.detach(), "loss_d": loss_d / 2}
    if lambda_identity > 0:
        losses["loss_idt"] = loss_idt.detach()
    if lambda_tv > 0:
        losses["loss_tv"] = loss_tv.detach()
    return losses


def dcgan_step(run, real: torch.Tensor, labels: torch.Tensor | None, z: torch.Tensor, gan_loss: GANLoss,
               augment: Callable[[torch.Tensor], torch.Tensor]) -> dict:
    """D learns real images from G(z), both seen through the same differentiable augmentation
    (DiffAugment), then G learns to fool D."""
    G, D = run.models["G"], run.models["D"]
    opt_g, opt_d = run.optimizers["G"], run.optimizers["D"]
    with run.autocast():
        fake = G(z, labels)
    opt_d.zero_grad(set_to_none=True)
    with run.autocast():
        loss_d = gan_loss.discriminator(D(augment(real), labels), D(augment(fake.detach()), labels))
    run.backward(loss_d)
    opt_d.step()

    opt_g.zero_grad(set_to_none=True)
    with run.autocast(), frozen(run.unwrap("D")) as D_fixed:  # outside DDP: G alone gets gradients
        loss_g = gan_loss.generator(D_fixed(augment(fake), labels))
    run.backward(loss_g)
    opt_g.step()
    return {"loss_d": loss_d.detach(), "loss_g": loss_g.detach()}


def projected_gan_step(run, real: torch.Tensor, z: torch.Tensor, projector: nn.Module, gan_loss: GANLoss,
                       augment: Callable[[torch.Tensor], torch.Tensor],
                       frechet: Callable[[torch.Tensor], torch.Tensor] | None = None,
                       lambda_frechet: float = 0.0) -> dict:
    """Projected GAN: D's heads learn real from G(z) in the frozen projector's features (both
    DiffAugmented), then G learns to fool them through the projector. The D update needs no
    gradient through the frozen network at all, so its features are computed without a graph.
    With a "D_pixel" among the models (Vision-aided GAN's ensemble), a discriminator on the pixels
    learns and judges beside it, on the same augmented images. `frechet` (core.losses.FrechetFeatureLoss)
    adds λ times the generated images' Fréchet distance to the photos in another frozen network."""
    G, D_pixel, opt_g = run.models["G"], run.models.get("D_pixel"), run.optimizers["G"]
    with run.autocast():
        fake = G(z)
    real_seen, fake_seen = augment(real), augment(fake.detach())
    with torch.no_grad(), run.autocast():
        real_maps, fake_maps = projector(real_seen), projector(fake_seen)
    losses = {"loss_d": discriminator_update(run, "D", gan_loss, real_maps, fake_maps)}
    if D_pixel is not None:
        losses["loss_d_pixel"] = discriminator_update(run, "D_pixel", gan_loss, real_seen, fake_seen)

    opt_g.zero_grad(set_to_none=True)
    with run.autocast(), frozen(run.unwrap("D")) as D_fixed:  # outside DDP: G alone gets gradients
        fake_seen = augment(fake)
        loss_g = gan_loss.generator(D_fixed(projector(fake_seen)))
        if D_pixel is not None:
            with frozen(run.unwrap("D_pixel")) as pixel_fixed:
                loss_g = loss_g + gan_loss.generator(pixel_fixed(fake_seen))
    if frechet is not None:
        loss_frechet = frechet(fake)
        loss_g = loss_g + lambda_frechet * loss_frechet.float()
        losses["loss_frechet"] = loss_frechet.detach()
    run.backward(loss_g)
    opt_g.step()
    return losses | {"loss_g": loss_g.detach()}


def singan_step(run, real: torch.Tensor, draw_start: Callable[[], torch.Tensor],
                generate: Callable[[torch.Tensor], torch.Tensor], reconstruct: Callable[[], torch.Tensor],
                d_steps: int = 3, g_steps: int = 3, lambda_gp: float = 0.1, lambda_rec: float = 10.0) -> dict:
    """One SinGAN iteration at a scale: `d_steps` critic updates (WGAN-GP: real patches up, fakes
    down), then `g_steps` generator updates (fool the critic, replay the image from the
    reconstruction noise). draw_start() is what the frozen coarser scales draw from fresh noise,
    generate(start) runs the scales in training on it; the generator updates reuse the last
    critic update's start instead of running every coarser scale again."""
    critic, opt_d, opt_g = run.models["D"], run.optimizers["D"], run.optimizers["G"]
    for _ in range(d_steps):
        with torch.no_grad(), run.autocast():
            start = draw_start()
            fake = generate(start)
        opt_d.zero_grad(set_to_none=True)
        with run.autocast():
            loss_d = critic(fake).mean() - critic(real).mean() + lambda_gp * gradient_penalty(critic, real, fake)
        run.backward(loss_d)
        opt_d.step()
    for _ in range(g_steps):
        opt_g.zero_grad(set_to_none=True)
        with run.autocast():
            with frozen(run.unwrap("D")) as critic_fixed:
                loss_adv = -critic_fixed(generate(start)).mean()
            loss_rec = F.mse_loss(reconstruct(), real)
        run.backward(loss_adv + lambda_rec * loss_rec)
        opt_g.step()
    return {"loss_d": loss_d.detach(), "loss_adv": loss_adv.detach(), "loss_rec": loss_rec.detach()}
