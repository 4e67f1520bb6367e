"""Train a colouriser: the pix2pix U-Net from L to ab, L1 pre-training, then GAN + L1.

    accelerate launch train/colorize.py --data data/photos/train --val-data data/photos/held_out \
        --out runs/colorize

--data is any folder of colour photos (self-supervised: the grey input is made from each photo).
Phase 1 (--pretrain-steps) trains G with L1 alone, which avoids the brown-grey collapse of plain
GAN + L1 from scratch; phase 2 adds the PatchGAN on (L, ab). --rebalance (Zhang et al. 2016's
class rebalancing, applied to the L1 loss) weighs each pixel by how rare its true colour is in the
training photos, so the common greys and browns no longer win every ambiguous pixel. --bins trains
Zhang et al.'s classifier instead (core/models/colorizer.py: a distribution over ab cells per
pixel, cross-entropy, rebalanced by --rebalance; no GAN), decoded with --temperature. The generator
is exported to <out>/colorizer with a model card holding held-out PSNR, SSIM and colourfulness.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import torch
from torch.utils.data import DataLoader

from core import registry
from core.color import AB_SCALE, lab_to_rgb, normalize_l, rgb_to_lab
from core.colorize import colorize, grey_version
from core.data import PhotoCrops, list_images
from core.images import load_image
from core.losses import GANLoss
from core.models.colorizer import AB_SIDE, ab_bins
from core.metrics import colourfulness, psnr, ssim
from core.steps import ab_cell_step, conditional_gan_step
from core.training import GANArgs, Trainer, adam_with_linear_decay, parse_args


@dataclass
class ColorizeArgs(GANArgs):
    """Colouriser training flags."""
    val_data: str = ""            # held-out photos for the model card (default: none)
    image_size: int = 256
    crops_per_photo: int = 50
    depth: int = 8
    ngf: int = 32
    max_mult: int = 8
    norm: str = "instance"
    lambda_l1: float = 100.0
    pretrain_steps: int = 2000    # L1-only steps before the GAN joins
    rebalance: float = 0.0        # 0: plain L1; 0.5: Zhang's mix of colour rarity and uniform weights
    render_size: int = 512        # working size for the held-out evaluation
    bins: bool = False            # Zhang et al.: classify each pixel's ab cell (cross-entropy) instead of L1 + GAN
    temperature: float = 0.38     # --bins: of the annealed mean (1 = mean colour, lower = more vivid)


def lab_batch(images: torch.Tensor):
    """[-1, 1] RGB batch → (L/50 - 1, ab/110), the colouriser's input and target."""
    lab = rgb_to_lab((images + 1) / 2)
    return normalize_l(lab[:, :1]), lab[:, 1:] / AB_SCALE


def rebalancing_weights(dataset, mix: float, photos: int = 500, sigma_bins: float = 0.5) -> torch.Tensor:
    """A weight per ab bin, 1 / ((1 - mix) * smoothed frequency + mix / bins in use), normalised to
    a mean of 1 over the training pixels: rare, saturated colours count more."""
    counts = torch.zeros(AB_SIDE * AB_SIDE)
    for i in torch.linspace(0, len(dataset) - 1, min(photos, len(dataset))).long().tolist():
        _, ab = lab_batch(dataset[i]["image"][None])
        counts += torch.bincount(ab_bins(ab).flatten(), minlength=AB_SIDE * AB_SIDE).float()
    grid = torch.arange(-2, 3, dtype=torch.float32)
    kernel = torch.exp(-grid ** 2 / (2 * sigma_bins ** 2))
    kernel = (kernel[:, None] * kernel[None]) / kernel.sum() ** 2
    p = torch.nn.functional.conv2d((counts / counts.sum()).view(1, 1, AB_SIDE, AB_SIDE), kernel[None, None], padding=2)
    p = p.flatten()
    used = (p > 0).sum()
    weights = 1 / ((1 - mix) * p + mix / used)
    return weights / (p * weights).sum()


def held_out_metrics(generator, folder, render_size) -> dict:
    rows = []
    for path in list_images(folder):
        truth, _ = load_image(path)
        grey = grey_version(truth)
        result = colorize(generator, grey, render_size)
        rows.append({"photo": path.name, "psnr": psnr(result, truth), "psnr_grey": psnr(grey, truth),
                     "ssim": ssim(result, truth), "ssim_grey": ssim(grey, truth),
                     "colourfulness": colourfulness(result), "colourfulness_truth": colourfulness(truth)})
    return {"rows": rows, "mean": _mean(rows)}


def _mean(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0] if key != "photo"} if rows else {}


def main():
    args = parse_args(ColorizeArgs)
    train_set = PhotoCrops(args.data, args.image_size, args.crops_per_photo)
    unet = dict(in_channels=1, depth=args.depth, ngf=args.ngf, max_mult=args.max_mult, norm=args.norm)
    if args.bins:  # no discriminator: the cell distribution is the remedy for brown, not the GAN
        models = {"G": registry.build("binned_colorizer", temperature=args.temperature, **unet)}
    else:
        models = {"G": registry.build("unet_generator", out_channels=2, **unet),
                  "D": registry.build("patchgan_discriminator", in_channels=3, ndf=args.ndf,
                                      n_layers=args.n_layers, norm=args.norm)}
    optimizers, schedulers = adam_with_linear_decay(models, args)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    fixed = next(iter(DataLoader(PhotoCrops(args.val_data or args.data, args.image_size, train=False),
                                 batch_size=4)))["image"]
    gan_loss = GANLoss(args.gan_loss)
    weights = rebalancing_weights(train_set, args.rebalance) if args.rebalance else None

    def samples():
        """Rows: grey inputs, colourised, originals (held-out crops when --val-data is given)."""
        G_eval = trainer.unwrap("G").eval()
        L, _ = lab_batch(fixed.to(trainer.device))
        with torch.no_grad():
            ab = G_eval(L).float() * AB_SCALE
        G_eval.train()
        L100 = (L + 1) * 50
        to_pm1 = lambda lab: lab_to_rgb(lab).cpu() * 2 - 1
        return [to_pm1(torch.cat([L100, torch.zeros_like(ab)], 1)), to_pm1(torch.cat([L100, ab], 1)), fixed]

    def card(name):
        G_eval = trainer.unwrap("G").eval()
        metrics = held_out_metrics(G_eval, args.val_data, args.render_size) if args.val_data else None
        G_eval.train()
        return model_card(args, train_set, metrics, trainer.step, trainer.hardware())

    trainer = Trainer(args, models=models, optimizers=optimizers, loader=loader,
                      exports={"G": "colorizer"}, sample_fn=samples, card_fn=card, schedulers=schedulers)
    if weights is not None:
        weights = weights.to(trainer.device)
    for batch in trainer:
        L, ab = lab_batch(batch["image"])
        if args.bins:
            trainer.log(**ab_cell_step(trainer, L, ab, weights))
            continue
        trainer.log(**conditional_gan_step(trainer, L, ab, gan_loss, args.lambda_l1,
                                           with_gan=trainer.step >= args.pretrain_steps,
                                           l1_weights=None if weights is None else weights[ab_bins(ab)][:, None]))


def model_card(args, train_set, metrics, step, hardware) -> str:
    if metrics:
        m = metrics["mean"]
        # One row per photo for a few photos; per source (the name's prefix, e.g. "landscape_") for many.
        few = len(metrics["rows"]) <= 20
        groups = {}
        for r in metrics["rows"]:
            groups.setdefault(r["photo"] if few else r["photo"].split("_")[0] + " photos", []).append(r)
        rows = "\n".join(f"| {name} ({len(group)}) | {g['psnr']:.2f} / {g['psnr_grey']:.2f} | {g['ssim']:.3f} / "
                         f"{g['ssim_grey']:.3f} | {g['colourfulness']:.1f} / {g['colourfulness_truth']:.1f} |"
                         for name, group in groups.items() for g in [_mean(group)])
        table = f"""On {len(metrics['rows'])} held-out photos (`{args.val_data}`, never used in training), each
turned grey and colourised at render size {args.render_size}, compared with the original colour photo:

| photo | PSNR dB: result / grey input | SSIM: result / grey input | colourfulness: result / truth |
| --- | --- | --- | --- |
{rows}
| **mean** | **{m['psnr']:.2f} / {m['psnr_grey']:.2f}** | **{m['ssim']:.3f} / {m['ssim_grey']:.3f}** | **{m['colourfulness']:.1f} / {m['colourfulness_truth']:.1f}** |
"""
    else:
        table = "No held-out folder was given (--val-data), so no held-out metrics."
    if args.bins:
        steps = (f"{step} at batch {args.batch_size}, cross-entropy over {AB_SIDE ** 2} ab cells (Zhang et al. 2016), "
                 f"rebalancing {args.rebalance or 'off'}; colour = annealed mean at temperature {args.temperature:g}")
    else:
        steps = (f"{step} at batch {args.batch_size} ({min(step, args.pretrain_steps)} L1-only, then GAN + "
                 f"{args.lambda_l1:g} x L1);\n  class rebalancing of the L1 loss: {args.rebalance or 'off'}")
    return f"""# Colouriser (pix2pix in Lab space)

Trained by `train/colorize.py` of this hub.

- Data: `{args.data}` ({len(train_set.files)} photos, {args.crops_per_photo} random {args.image_size} px crops each per epoch)
- Steps: {steps}
- Hardware: {hardware}

## Held-out metrics
{table}
## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
