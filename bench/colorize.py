"""Colourisation speed on this machine; prints one JSON object.

    python bench/colorize.py [--weights weights/colorizer] [--render-size 512] [--precision fp32|bf16]
                             [--batch-size 16] [--ndf 32] [--device cpu]

Latency for 512² and 2048² photos: the median wall time of the whole tab function minus file I/O
(Lab conversion at full size, the generator at the render size, chroma upsampling and recombination).
Training: images/s on --crop² crops of the step train/colorize.py runs for the shipped kind of
generator: core.steps.ab_cell_step for an ab-cell classifier (--bins), else conditional_gan_step
(after the L1-only phase) with a discriminator of width --ndf (the regression runs used 32), every
weight trained (a pretrained encoder's second stage).
"""
from __future__ import annotations

import json
import statistics

import numpy as np
import torch
from PIL import Image

from core import registry
from core.checkpoint import load_checkpoint
from core.colorize import colorize
from core.losses import GANLoss
from core.models.colorizer import BinnedColorizer
from core.profiling import bench_parser, device_name, peak_memory_mb, timed
from core.steps import Bare, ab_cell_step, conditional_gan_step


def main():
    parser = bench_parser(__doc__, "weights/colorizer", training=True)
    parser.set_defaults(batch_size=16)
    parser.add_argument("--render-size", type=int, default=512)
    parser.add_argument("--ndf", type=int, default=32, help="the training discriminator's width")
    parser.add_argument("--crop", type=int, default=128, help="training crop size (the pretrained-encoder runs: 192)")
    args = parser.parse_args()
    device = args.device
    generator = load_checkpoint(args.weights, device=device)
    rng = np.random.default_rng(0)
    figures = {}
    for side in (512, 2048):
        grey = Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8)).convert("RGB")
        times = timed(lambda: colorize(generator, grey, args.render_size), args.repeats, warmup=1, device=device)
        figures[f"latency_ms_{side}"] = round(statistics.median(times) * 1000, 1)

    c = generator.config
    L = torch.rand(args.batch_size, 1, args.crop, args.crop, device=device) * 2 - 1
    ab = torch.rand(args.batch_size, 2, args.crop, args.crop, device=device) - 0.5
    if getattr(c, "head", "ab") == "cells" or isinstance(generator, BinnedColorizer):
        run = Bare({"G": registry.build(generator.registry_name, c).to(device)}, precision=args.precision)
        step = timed(lambda: ab_cell_step(run, L, ab), args.repeats, device=device)
    else:
        models = {"G": registry.build(generator.registry_name, c).to(device),
                  "D": registry.build("patchgan_discriminator", in_channels=3, ndf=args.ndf,
                                      norm=getattr(c, "norm", "instance")).to(device)}
        run = Bare(models, precision=args.precision)
        step = timed(lambda: conditional_gan_step(run, L, ab, GANLoss("vanilla"), 100.0), args.repeats,
                     device=device)
    figures.update(precision=args.precision, batch_size=args.batch_size,
                   train_images_per_s=round(args.batch_size / statistics.median(step), 1))
    print(json.dumps({"benchmark": "colorize", "device": device_name(device),
                      "render_size": args.render_size, **figures,
                      "peak_memory_mb": round(peak_memory_mb(device), 1)}, indent=1))


if __name__ == "__main__":
    main()
