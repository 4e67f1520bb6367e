"""DCGAN speed on this machine; prints one JSON object.

    python bench/dcgan.py [--weights weights/dogs] [--precision fp32|bf16] [--batch-size 64] [--device cpu]

Generation: images/s for one batch of 64 from the shipped generator (eval mode, no grad).
Training: images/s of the step the checkpoint was trained with, as train/dcgan.py runs it, against
fresh discriminators as its checkpoint records them (core.steps.projected_gan_step for a projected
one, with a pixel one beside it if recorded; core.steps.dcgan_step otherwise), with the GAN loss and
DiffAugment policy it records (and its Fréchet loss, if recorded, fitted to random images):
D, then G against a frozen D, then the EMA update.
"""
from __future__ import annotations

import copy
import json
import statistics

import torch

from core import registry
from core.checkpoint import load_checkpoint
from core.diffaugment import diff_augment
from core.losses import FrechetFeatureLoss, GANLoss
from core.models.projected import FeatureProjector
from core.profiling import bench_parser, device_name, peak_memory_mb, timed
from core.steps import Bare, dcgan_step, projected_gan_step
from core.training import update_ema


# A checkpoint without a record (an imported one) is timed with the paper's DCGAN step.
PAPER_DCGAN = {"gan_loss": "vanilla", "diffaugment": ""}


def trained_against(generator) -> tuple[dict, FeatureProjector | None, dict]:
    """Fresh discriminators as the checkpoint records them (train/dcgan.py), the frozen projector a
    projected one reads, and the objective (GAN loss, DiffAugment policy) it was trained with."""
    extra = generator.checkpoint_extra
    record = dict(extra.get("discriminator", {"kind": "dcgan"}))
    objective = extra.get("objective", PAPER_DCGAN)
    if record.pop("kind") != "projected":
        return {"D": registry.build("dcgan_discriminator", record or generator.config)}, None, objective
    discriminators = {"D": registry.build("projected_discriminator", record)}
    if "pixel_discriminator" in extra:
        discriminators["D_pixel"] = registry.build("dcgan_discriminator", extra["pixel_discriminator"])
    return discriminators, FeatureProjector(discriminators["D"].config), objective


def main():
    parser = bench_parser(__doc__, "weights/dogs", training=True)
    parser.set_defaults(batch_size=64)
    args = parser.parse_args()
    device = args.device
    generator = load_checkpoint(args.weights, device=device)
    c = generator.config
    z = torch.randn(64, c.z_dim, device=device)
    labels = torch.zeros(64, dtype=torch.long, device=device) if c.class_names else None
    with torch.no_grad():
        generate = statistics.median(timed(lambda: generator(z, labels), args.repeats, device=device))

    G = registry.build(generator.registry_name, c).to(device)
    discriminators, projector, objective = trained_against(generator)
    if projector is not None:
        projector.to(device)
    G_ema = copy.deepcopy(G).requires_grad_(False)
    run = Bare({"G": G} | {name: D.to(device) for name, D in discriminators.items()}, precision=args.precision)
    gan = GANLoss(objective["gan_loss"])
    augment = lambda images: diff_augment(images, objective["diffaugment"])
    real = torch.rand(args.batch_size, 3, c.image_size, c.image_size, device=device) * 2 - 1
    y = labels[: args.batch_size] if labels is not None else None
    frechet, frechet_record = None, objective.get("frechet", {})
    if frechet_record:
        frechet = FrechetFeatureLoss(frechet_record["network"], frechet_record["size"]).to(device)
        frechet.fit_reference([real])

    def step():
        z_batch = torch.randn(args.batch_size, c.z_dim, device=device)
        if projector is None:
            dcgan_step(run, real, y, z_batch, gan, augment)
        else:
            projected_gan_step(run, real, z_batch, projector, gan, augment, frechet, frechet_record.get("weight", 0.0))
        update_ema(G_ema, G, 0.999)

    train = statistics.median(timed(step, args.repeats, device=device))
    print(json.dumps({
        "benchmark": "dcgan",
        "precision": args.precision,
        "device": device_name(device),
        "model": f"{generator.registry_name}, {c.image_size} px, ngf {c.ngf}, z {c.z_dim}",
        "generate_batch64_images_per_s": round(64 / generate, 1),
        "generate_batch64_ms": round(generate * 1000, 1),
        "discriminators": sorted(discriminators),
        "projected": projector is not None,
        "objective": objective,
        "batch_size": args.batch_size,
        "train_images_per_s": round(args.batch_size / train, 1),
        "peak_memory_mb": round(peak_memory_mb(device), 1),
    }, indent=1))


if __name__ == "__main__":
    main()
