"""pix2pix speed and memory on this machine; prints one JSON object.

    python bench/pix2pix.py [--config shipped|paper] [--precision fp32|bf16] [--batch-size 1] [--device cpu]

--config shipped: the generator in --weights (weights/sketch2photo) at the size it was trained at;
--config paper: the paper's U-Net (8 levels, ngf 64, batch norm) and PatchGAN (ndf 64) at 256², fresh
weights. Figures: generator latency (ms per image, eval mode, no grad), training throughput of one
full pix2pix step (core.steps.conditional_gan_step, as train/pix2pix.py runs it: D then G), and peak memory.
"""
from __future__ import annotations

import json
import statistics

import torch

from core import registry
from core.checkpoint import load_checkpoint
from core.losses import GANLoss
from core.profiling import bench_parser, device_name, peak_memory_mb, timed
from core.steps import Bare, conditional_gan_step

def main():
    parser = bench_parser(__doc__, "weights/sketch2photo", repeats=10, training=True)
    parser.add_argument("--config", choices=("shipped", "paper"), default="shipped")
    parser.add_argument("--size", type=int, help="default: 256 for paper, else the size --weights was trained at")
    args = parser.parse_args()
    device = args.device

    if args.config == "paper":
        generator = registry.build("unet_generator").to(device)  # UNetConfig's defaults are the paper's
        args.size = args.size or 256
    else:
        generator = load_checkpoint(args.weights, device=device)
        args.size = args.size or generator.checkpoint_extra.get("image_size", 256)
    c = generator.config
    x = torch.randn(args.batch_size, c.in_channels, args.size, args.size, device=device)
    generator.eval()
    with torch.no_grad():
        latency = timed(lambda: generator(x), args.repeats, device=device)

    # Training steps of the same configuration, from fresh weights.
    G = registry.build("unet_generator", c).to(device).train()
    D = registry.build("patchgan_discriminator", in_channels=c.in_channels + c.out_channels,
                       norm=c.norm).to(device)
    run = Bare({"G": G, "D": D}, precision=args.precision)
    y = torch.randn(args.batch_size, c.out_channels, args.size, args.size, device=device).clamp(-1, 1)
    gan = GANLoss("vanilla")
    step = timed(lambda: conditional_gan_step(run, x, y, gan, 100.0), args.repeats, device=device)
    print(json.dumps({
        "benchmark": "pix2pix",
        "config": args.config,
        "precision": args.precision,
        "device": device_name(device),
        "generator": f"{c.depth}-level U-Net, ngf {c.ngf}, {sum(p.numel() for p in G.parameters()) / 1e6:.2f}M params",
        "image_size": args.size,
        "batch_size": args.batch_size,
        "generator_ms_per_image": round(statistics.median(latency) * 1000 / args.batch_size, 2),
        "train_images_per_s": round(args.batch_size / statistics.median(step), 2),
        "peak_memory_mb": round(peak_memory_mb(device), 1),
    }, indent=1))


if __name__ == "__main__":
    main()
