"""Train a DCGAN-family generator of dogs (or anything) on a folder of images.

    accelerate launch train/dcgan.py --data data/dogs --out runs/dogs
    accelerate launch train/dcgan.py --data StanfordDogs --conditional --out runs/breeds   # Images/ + Annotation/

Defaults are the small-data recipe: hinge loss, spectral norm in D, DiffAugment on real and fake
in both steps; --ema 0.999 keeps and exports a moving average of G's weights instead of G, with
batch-norm statistics recomputed for the averaged weights ("standing statistics") at each export.
`--no-spectral-norm --gan-loss vanilla --diffaugment "" --ema 0` gives the plain DCGAN of the paper.
`--discriminator projected` trains against small heads on frozen ImageNet features instead
(Projected GAN: core/models/projected.py), the recipe behind the shipped dogs:

    accelerate launch train/dcgan.py --data data/dogs/train --discriminator projected --upsample resize \
        --precision bf16 --ema 0.999 --ema-rampup 0.05 --out runs/dogs_projected

`--frechet lite1 --frechet-weight 0.05` adds, for G, the Fréchet distance of its samples to the training
photos in another frozen network's pooled features (core.losses.FrechetFeatureLoss): a push towards the
photos' variety. The photos' statistics are computed once per run (kept in <out>/frechet_reference).
Judge its runs outside the EfficientNet family: on the dogs, Lite1's Fréchet loss moved Lite2's figures
far more than it moved the pictures (weights/dogs/README.md, "Tried since, not shipped: a Fréchet loss
in Lite1").

`--generator fastgan --ngf 32` swaps in FastGAN's lite generator (core/models/fastgan.py, 5.9M
parameters at 64 px), the one Projected GAN pairs with.

FID/KID need Inception weights, which cannot be downloaded offline: pass --inception-weights
(a torchvision/torch-fidelity FID Inception file) to report them; without it the card says so.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from core import registry
from core.checkpoint import load_checkpoint
from core.data import GenerativeImages
from core.diffaugment import diff_augment
from core.losses import FrechetFeatureLoss, GANLoss
from core.models.dcgan import truncated_noise
from core.models.projected import FeatureProjector
from core.steps import dcgan_step, projected_gan_step
from core.training import GANArgs, Trainer, adam_with_linear_decay, parse_args, update_ema


@dataclass
class DCGANArgs(GANArgs):
    """DCGAN-family training flags (small-data defaults)."""
    image_size: int = 64
    z_dim: int = 128
    ngf: int = 64
    ndf: int = 64
    conditional: bool = False     # one class per sub-folder / Stanford Dogs breed
    upsample: str = "transpose"   # DCGAN generator: "transpose" or "resize" (nearest + 3×3 conv)
    generator: str = "dcgan"      # "dcgan" or "fastgan" (FastGAN's lite generator, unconditional: --ngf is
                                  # then its width at the output scale, doubled at each coarser one)
    discriminator: str = "dcgan"  # "dcgan" (learned from scratch) or "projected" (heads on frozen ImageNet features)
    projected_backbone: str = "lite0"  # projected: the frozen network (core.features)
    projected_size: int = 128     # projected: images are resized to this for the frozen network
    pixel_discriminator: bool = False  # projected: the DCGAN D on the pixels beside it (Vision-aided GAN's ensemble)
    frechet: str = ""             # projected: "lite0"/"lite1", G also minimises its Fréchet distance to the photos there
    frechet_weight: float = 0.05
    frechet_size: int = 224       # frechet: images are seen at this size (resized to size / 0.875, centre crop)
    spectral_norm: bool = True
    gan_loss: str = "hinge"
    diffaugment: str = "colour,translation,cutout"
    ema: float = 0.999            # export a moving average of G's weights (0: export G itself)
    ema_rampup: float = 0.0       # > 0: early on, average only over this fraction of the steps so far (StyleGAN2-ADA)
    lr: float = 2e-4
    beta1: float = 0.0            # BigGAN-style Adam for hinge + spectral norm
    batch_size: int = 32
    decay_start: float = 1.0      # no learning-rate decay by default
    inception_weights: str = ""


def ema_decay(args: DCGANArgs, step: int) -> float:
    """--ema, or with --ema-rampup a shorter memory early on: an average over the first steps of a
    fast-moving generator is a blur of different pictures (StyleGAN2-ADA's ramp-up)."""
    if not args.ema_rampup:
        return args.ema
    return min(args.ema, 1 - 1 / max(1.0, args.ema_rampup * (step + 1)))


@torch.no_grad()
def fid_kid(generator, dataset, weights_path: str, device, count: int = 1000) -> dict:
    """FID and KID (torchmetrics, Inception features from a local weights file) of `count` samples
    against the training images."""
    from torchmetrics.image.fid import FrechetInceptionDistance
    from torchmetrics.image.kid import KernelInceptionDistance
    fid = FrechetInceptionDistance(feature_extractor_weights_path=weights_path).to(device)
    kid = KernelInceptionDistance(feature_extractor_weights_path=weights_path,
                                  subset_size=min(50, len(dataset))).to(device)
    to_uint8 = lambda images: ((images.clamp(-1, 1) + 1) * 127.5).to(torch.uint8)
    for batch in DataLoader(dataset, batch_size=64):
        real = to_uint8(batch["image"].to(device))
        fid.update(real, real=True)
        kid.update(real, real=True)
    n_classes = max(1, len(dataset.class_names))
    for start in range(0, count, 64):
        n = min(64, count - start)
        labels = (torch.arange(n, device=device) % n_classes) if dataset.class_names else None
        fake = to_uint8(generator(torch.randn(n, generator.config.z_dim, device=device), labels))
        fid.update(fake, real=False)
        kid.update(fake, real=False)
    kid_mean, kid_std = kid.compute()
    return {"fid": float(fid.compute()), "kid": float(kid_mean), "kid_std": float(kid_std), "samples": count}


def check_inception_weights(path: str) -> None:
    """Fail at start, not after training, when FID/KID were asked for but cannot be computed."""
    if not path:
        return
    if not Path(path).is_file():
        raise SystemExit(f"--inception-weights {path}: no such file. FID/KID need the FID Inception weights "
                         "(pt_inception-2015-12-05) as a local file, since they cannot be downloaded here.")
    try:
        import torch_fidelity  # noqa: F401
        import torchmetrics  # noqa: F401
    except ImportError:
        raise SystemExit("FID/KID need two more packages: pip install torchmetrics torch-fidelity") from None


def main():
    args = parse_args(DCGANArgs)
    check_inception_weights(args.inception_weights)
    dataset = GenerativeImages(args.data, args.image_size, conditional=args.conditional)
    config = dict(image_size=args.image_size, z_dim=args.z_dim, ngf=args.ngf, ndf=args.ndf,
                  class_names=dataset.class_names, spectral_norm=args.spectral_norm, upsample=args.upsample)
    if args.generator == "fastgan":
        if dataset.class_names:
            raise SystemExit("--generator fastgan is unconditional: drop --conditional.")
        G = registry.build("fastgan_generator", image_size=args.image_size, z_dim=args.z_dim, ngf=args.ngf)
    elif args.generator == "dcgan":
        G = registry.build("dcgan_generator", config)
    else:
        raise SystemExit(f"--generator {args.generator!r}: use 'dcgan' or 'fastgan'.")
    projector, discriminators = None, {}
    if args.discriminator == "projected":
        if dataset.class_names:
            raise SystemExit("--discriminator projected is unconditional: drop --conditional.")
        D = registry.build("projected_discriminator", backbone=args.projected_backbone, input_size=args.projected_size)
        projector = FeatureProjector(D.config)
        if args.pixel_discriminator:
            discriminators["D_pixel"] = registry.build("dcgan_discriminator", config)
    elif args.discriminator == "dcgan":
        if args.frechet:
            raise SystemExit("--frechet goes with --discriminator projected.")
        D = registry.build("dcgan_discriminator", config)
    else:
        raise SystemExit(f"--discriminator {args.discriminator!r}: use 'dcgan' or 'projected'.")
    if args.start_from:  # more training for a shipped generator; D starts afresh. Truncation anchors
        # belong to the old weights, so they are left behind (scripts/checkpoints/dog_anchors.py picks new ones).
        # A DCGAN start with a smaller --ngf is widened to this run's, drawing the same pictures at step 0.
        start = load_checkpoint(args.start_from)
        if start.registry_name != G.registry_name:
            raise SystemExit(f"--start-from {args.start_from} is a {start.registry_name}, not a {G.registry_name}.")
        if args.generator == "dcgan":
            G.load_narrower(start.state_dict())
        else:
            G.load_state_dict({k: v for k, v in start.state_dict().items() if k != "anchors"})
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    models = {"G": G, "D": D, **discriminators}
    optimizers, schedulers = adam_with_linear_decay(models, args)
    loader = DataLoader(dataset, batch_size=min(args.batch_size, len(dataset)), shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    n_classes = max(1, len(dataset.class_names))
    fixed_z = truncated_noise(16, args.z_dim, seed=0)  # untruncated, as the tab draws at truncation off
    fixed_labels = torch.arange(16) % n_classes
    gan_loss = GANLoss(args.gan_loss)
    augment = lambda images: diff_augment(images, args.diffaugment)
    labels_or_none = lambda labels: labels if dataset.class_names else None

    exported = "G_ema" if args.ema else "G"

    def standing_statistics(name):
        if name == "G_ema":
            trainer.unwrap(name).standing_statistics()

    def samples():
        """Rows of the same 16 latents, from the exported generator as it would be exported."""
        standing_statistics(exported)
        model = trainer.unwrap(exported).eval()
        with torch.no_grad():
            images = model(fixed_z.to(trainer.device), labels_or_none(fixed_labels.to(trainer.device))).cpu()
        trainer.unwrap("G").train()
        return [images[:8], images[8:]]

    def card(name):
        metrics = fid_kid(trainer.unwrap(name), dataset, args.inception_weights, trainer.device) \
            if args.inception_weights else None
        return model_card(args, dataset, trainer.step, trainer.hardware(), metrics)

    trainer = Trainer(args, models=models, optimizers=optimizers, loader=loader, schedulers=schedulers,
                      keep={"G_ema": G_ema} if args.ema else None,
                      exports={exported: "generator"}, sample_fn=samples, card_fn=card,
                      before_export=standing_statistics,
                      export_extras={exported: discriminator_record(D, discriminators.get("D_pixel"), args)})
    if projector is not None:
        projector.to(trainer.device)
    frechet = frechet_loss(args, dataset, trainer.device) if args.frechet else None
    for batch in trainer:
        real, labels = batch["image"], labels_or_none(batch["label"])
        z = torch.randn(len(real), args.z_dim, device=trainer.device)
        if projector is None:
            trainer.log(**dcgan_step(trainer, real, labels, z, gan_loss, augment))
        else:
            trainer.log(**projected_gan_step(trainer, real, z, projector, gan_loss, augment, frechet,
                                             args.frechet_weight))
        if args.ema:
            update_ema(trainer.unwrap("G_ema"), trainer.unwrap("G"), ema_decay(args, trainer.step))


def frechet_loss(args: DCGANArgs, dataset, device) -> FrechetFeatureLoss:
    """The Fréchet loss with the training photos' feature statistics: computed once (a few minutes
    for 9,000 photos on a CPU) and kept in the run's folder for --resume."""
    from safetensors.torch import load_file, save_file
    loss = FrechetFeatureLoss(args.frechet, args.frechet_size).to(device)
    cached = Path(args.out) / "frechet_reference" / f"{args.frechet}_{args.frechet_size}.safetensors"
    if cached.is_file():
        loss.load_reference(load_file(cached))
    else:
        loss.fit_reference(batch["image"].to(device) for batch in DataLoader(dataset, batch_size=64))
        cached.parent.mkdir(parents=True, exist_ok=True)
        written = cached.with_suffix(f".{os.getpid()}.tmp")  # whole or absent, for the other processes
        save_file({k: v.contiguous().cpu() for k, v in loss.reference().items()}, written)
        written.replace(cached)
    return loss


def discriminator_record(D, D_pixel, args) -> dict:
    """What the generator trained against, kept in its checkpoint: bench/dcgan.py times the same step."""
    record = {"discriminator": asdict(D.config) | {"kind": args.discriminator},
              "objective": {"gan_loss": args.gan_loss, "diffaugment": args.diffaugment}}
    if D_pixel is not None:
        record["pixel_discriminator"] = asdict(D_pixel.config)
    if args.frechet:
        record["objective"]["frechet"] = {"network": args.frechet, "size": args.frechet_size,
                                          "weight": args.frechet_weight}
    return record


def model_card(args, dataset, step, hardware, metrics=None) -> str:
    classes = f"{len(dataset.class_names)} classes" if dataset.class_names else "unconditional"
    start = f"; G started from `{args.start_from}`, D from scratch" if args.start_from else ""
    fid = ("FID/KID: not measured (Inception weights are needed and cannot be downloaded offline; "
           "pass --inception-weights)" if not metrics else
           f"FID {metrics['fid']:.1f}, KID {metrics['kid']:.4f} ± {metrics['kid_std']:.4f} "
           f"({metrics['samples']} samples against the training images)")
    if args.discriminator == "projected":
        generator = (f"FastGAN G (lite: resize upsampling, GLU, skip-layer excitation), z {args.z_dim}, width "
                     f"{args.ngf} at {args.image_size} px" if args.generator == "fastgan" else
                     f"DCGAN G ({args.upsample} upsampling), z {args.z_dim}, ngf {args.ngf}")
        model = (f"{generator}; projected D: frozen EfficientNet-{args.projected_backbone.title()} (ImageNet) "
                 f"at {args.projected_size} px, fixed random channel and scale mixing, four trainable heads with "
                 f"spectral norm"
                 + (f"; beside it a DCGAN D on the pixels (ndf {args.ndf})" if args.pixel_discriminator else ""))
    else:
        model = (f"DCGAN G/D, z {args.z_dim}, ngf {args.ngf}, ndf {args.ndf}; spectral norm in D: "
                 f"{args.spectral_norm}")
    return f"""# DCGAN-family generator

Trained by `train/dcgan.py` of this hub.

- Data: `{args.data}` ({len(dataset)} images, {classes}), {args.image_size} px, horizontal flips
- Model: {model};
  {args.gan_loss} loss; DiffAugment: {args.diffaugment or 'off'}; EMA of G: {args.ema or 'off'}
- Steps: {step} at batch {min(args.batch_size, len(dataset))}; Adam lr {args.lr:g}, betas ({args.beta1}, 0.999){start}
- Hardware: {hardware}
- {fid}

## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
