"""Train SinGAN on one image, coarsest scale first.

    accelerate launch train/singan.py --image photo.jpg --out runs/my_singan --max-size 128
    accelerate launch train/singan.py --image photo.jpg --out runs/my_singan --resume   # goes on

Each scale is a WGAN-GP game between a small generator and a patch critic, plus a reconstruction
loss that replays fixed noise. Faster than the reference in two ways (ConSinGAN's ideas): the
newest `--joint-scales` generators train together, older ones at a lower learning rate, so fewer
iterations per scale suffice; and a new scale starts from the weights of the one below it.
After each scale the pyramid so far is saved to <out>/progress, so --resume restarts at the scale
it stopped in (and inside it, from the scale's own training state), and <out>/previews/scale_<n>.png
shows samples of the scales trained so far. The finished model goes to
<out>/singan in the hub's checkpoint format, with samples and a model card.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader
from torchvision.utils import save_image

from core import registry
from core.checkpoint import load_checkpoint, save_checkpoint
from core.images import load_image, to_tensor
from core.models.singan import (PatchCritic, channels_at, padding_at, pyramid_sizes, resize, sample_generator,
                                training_draws)
from core.steps import singan_step
from core.training import TrainArgs, Trainer, adam, parse_args


@dataclass
class SinGANArgs(TrainArgs):
    """SinGAN training flags (max_steps is the number of iterations per scale)."""
    image: str = ""
    out: str = "runs/singan"
    name: str = ""                 # what the image shows (the demo lists models by it)
    source: str = ""               # where the image comes from and its licence (model card)
    max_size: int = 128            # long side of the finest scale (the reference uses 250)
    min_size: int = 25
    scale_factor: float = 0.75
    channels: int = 32
    max_channels: int = 32
    coarsest_padding: str = "zeros"  # scale 0 only; "reflect" loses the borders' hint for layouts
    max_steps: int = 400
    lr: float = 5e-4
    beta1: float = 0.5
    lr_drop: float = 0.8           # the learning rate drops ×0.1 at this fraction of a scale's steps
    d_steps: int = 3
    g_steps: int = 3
    lambda_gp: float = 0.1
    lambda_rec: float = 10.0       # the reference uses 100 for super-resolution models
    noise_amp: float = 0.1         # × RMSE of the upsampled reconstruction
    joint_scales: int = 3          # generators trained together (1 = the reference's one at a time)
    older_lr_scale: float = 0.1    # learning-rate factor per scale of age among the joint ones
    sample_every: int = 200
    save_every: int = 200
    log_every: int = 20
    num_workers: int = 0


def train_scale(model, n: int, reals: list[torch.Tensor], args: SinGANArgs, out: Path, critic_init=None):
    """Train scale n (and, more gently, the joint scales below it). Returns the scale's critic and
    whether the scale finished (False when --time-limit stopped it; --resume goes on from there)."""
    sizes = model.config.sizes
    first = max(0, n - args.joint_scales + 1)
    same_width = n > 0 and channels_at(model.config, n) == channels_at(model.config, n - 1)
    if same_width:  # start from the scale below: it already draws this image, only coarser
        model.generators[n].load_state_dict(model.generators[n - 1].state_dict())
    critic = PatchCritic(channels_at(model.config, n), model.config.blocks, model.config.norm,
                         padding_at(model.config, n))
    if critic_init is not None and same_width:
        critic.load_state_dict(critic_init.state_dict())
    joint = nn.ModuleList(model.generators[k] for k in range(first, n + 1))
    groups = [{"params": model.generators[k].parameters(), "lr": args.lr * args.older_lr_scale ** (n - k)}
              for k in range(first, n + 1)]
    optimizers = {"G": adam(groups, args.lr, args.beta1), "D": adam(critic.parameters(), args.lr, args.beta1)}
    drop = int(args.lr_drop * args.max_steps)
    schedulers = {name: torch.optim.lr_scheduler.MultiStepLR(opt, [drop], 0.1) for name, opt in optimizers.items()}
    # The dataset is the real image at this scale, once per step.
    loader = DataLoader([reals[n][0]] * args.max_steps, batch_size=1)
    scale_args = replace(args, out=str(out / "scales" / f"scale_{n}"))
    trainer = Trainer(scale_args, models={"G": joint, "D": critic}, optimizers=optimizers, loader=loader,
                      schedulers=schedulers, sample_fn=lambda: samples())
    device = trainer.device
    model.to(device)
    if n > 0:
        with torch.no_grad():
            upsampled = resize(model.reconstruct(n - 1)[-1], sizes[n])
            model.noise_amp[n] = args.noise_amp * F.mse_loss(upsampled, reals[n].to(device)).sqrt()
    draw_start, generate, reconstruction = training_draws(model, n, first)

    def samples():
        with torch.no_grad():
            fakes = [generate(draw_start()).cpu() for _ in range(4)]
            return [torch.cat([reals[n], reconstruction().cpu(), *fakes])]

    progress = out / "progress.json"
    for real in trainer:
        trainer.log(**singan_step(trainer, real, draw_start, generate, reconstruction, args.d_steps, args.g_steps,
                                  args.lambda_gp, args.lambda_rec))
        if trainer.is_main and (trainer.step % 10 == 0 or trainer.step == args.max_steps - 1):
            report = {"scale": n, "scales": model.num_scales, "step": trainer.step + 1, "steps": args.max_steps}
            progress.write_text(json.dumps(report))
    return trainer.unwrap("D"), trainer.step >= args.max_steps


@torch.no_grad()
def sample_metrics(model, count: int = 8) -> dict:
    """Mean L1 ([0, 1] units) of random samples to the training image (how far samples stray),
    between pairs of samples (how much they vary) and of the reconstruction (should be ~0)."""
    real = model.image
    samples = [model.sample(0, generator=sample_generator(seed)) for seed in range(count)]
    to_real = sum((s - real).abs().mean().item() / 2 for s in samples) / count
    between = sum((samples[i] - samples[i + 1]).abs().mean().item() / 2 for i in range(count - 1)) / (count - 1)
    rec = (model.reconstruct()[-1] - real).abs().mean().item() / 2
    return {"samples_to_image_l1": round(to_real, 4), "between_samples_l1": round(between, 4),
            "reconstruction_l1": round(rec, 4), "samples": count}


@torch.no_grad()
def sample_grid(model, path: Path, last: int | None = None):
    """Rows: the image and its reconstruction, then four random samples, from scale 0 and from
    scale 1; with `last`, of the pyramid up to that scale (a preview while training)."""
    last = model.num_scales - 1 if last is None else last
    real, rec = model.real_pyramid()[last], model.reconstruct(last)[-1]
    rows = []
    for start in sorted({0, min(1, last)}):
        rows += [real, rec] + [model.sample(start, generator=sample_generator(s), last_scale=last)
                               for s in range(4)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}")
    save_image((torch.cat(rows).float().cpu() + 1) / 2, tmp, nrow=6, padding=2, pad_value=1, format="png")
    os.replace(tmp, path)  # whoever shows the preview never reads half a file


def main():
    args = parse_args(SinGANArgs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    image, _ = load_image(args.image)
    sizes = pyramid_sizes(image.height, image.width, args.min_size, args.max_size, args.scale_factor)
    name = args.name or Path(args.image).stem
    model = registry.build("singan", sizes=sizes, channels=args.channels, max_channels=args.max_channels,
                           scale_factor=args.scale_factor, subject=name, coarsest_padding=args.coarsest_padding)
    torch.manual_seed(args.seed)  # again: the fixed noise must not depend on how many draws building took
    model.fixed_noise.normal_()
    model.image.copy_(to_tensor(image.resize((sizes[-1][1], sizes[-1][0]), resample=3))[None])
    first, critic = 0, None
    if args.resume and (out / "progress").is_dir():
        model = load_checkpoint(out / "progress").train()
        first = model.checkpoint_extra["trained_scales"]
    started = time.time()
    reals = model.real_pyramid()
    print(f"SinGAN on {args.image}: {len(sizes)} scales, {sizes[0]} to {sizes[-1]}, {args.max_steps} steps each")
    for n in range(first, model.num_scales):
        # --time-limit bounds the whole run: each scale gets what is left of it.
        left = max(args.time_limit - (time.time() - started) / 60, 1e-6) if args.time_limit else 0.0
        critic, finished = train_scale(model, n, reals, replace(args, time_limit=left), out, critic)
        if not finished:
            print(f"Time limit reached in scale {n}; --resume goes on from there.")
            return
        save_checkpoint(out / "progress", model, extra={"trained_scales": n + 1})
        sample_grid(model, out / "previews" / f"scale_{n}.png", last=n)
    minutes = (time.time() - started) / 60
    model = model.cpu().eval()
    metrics = sample_metrics(model)
    final = save_checkpoint(out / "singan", model, card=model_card(args, model, metrics, minutes),
                            extra={"metrics": metrics}, dtype=torch.float16)
    sample_grid(model, final / "samples.png")
    print(json.dumps({"minutes": round(minutes, 2), **metrics}))


def model_card(args: SinGANArgs, model, metrics: dict, minutes: float) -> str:
    sizes = model.config.sizes
    device = "GPU" if torch.cuda.is_available() else "CPU"
    threads = torch.get_num_threads()
    return f"""# SinGAN: {model.config.subject}

A one-image GAN trained by `train/singan.py` of this hub on `{Path(args.image).name}`.

- Image: {args.source or "the user's own image (source and licence not given)"}
- Pyramid: {len(sizes)} scales from {sizes[0][1]}×{sizes[0][0]} to {sizes[-1][1]}×{sizes[-1][0]} px (W×H)
- Generators: 5 conv blocks, {args.channels}-{args.max_channels} channels; WGAN-GP (λ {args.lambda_gp:g}) +
  {args.lambda_rec:g}× reconstruction MSE; {args.max_steps} iterations per scale ({args.d_steps} critic and
  {args.g_steps} generator steps each), {args.joint_scales} scales trained jointly
- Training: {minutes:.1f} min on {device} ({threads} thread{'s' if threads > 1 else ''}) in this run

## Metrics
Mean L1 distance in [0, 1] units, {metrics['samples']} random samples from scale 0:
- samples to the training image: **{metrics['samples_to_image_l1']}** (0 would mean copies)
- between consecutive samples: {metrics['between_samples_l1']}
- reconstruction to the image: {metrics['reconstruction_l1']}

![samples](samples.png)

Rows: the image, its reconstruction, four random samples from scale 0; then the same from scale 1.

## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
