"""pix2pix speed and memory on this machine; prints one JSON object.

    python bench/pix2pix.py [--weights weights/sketch2photo] [--batch-size 1] [--device cpu]

Figures: generator latency (ms per image at the trained size, eval mode, no grad), training throughput of one
full pix2pix step (D and G updates, images/s) for the shipped configuration, and peak memory.
"""
from __future__ import annotations

import json
import statistics

import torch

from core import registry
from core.checkpoint import load_checkpoint
from core.losses import GANLoss, l1_loss
from core.profiling import bench_parser, device_name, peak_memory_mb, timed


def main():
    parser = bench_parser(__doc__, "weights/sketch2photo", repeats=10)
    parser.add_argument("--size", type=int, help="default: the size the checkpoint was trained at, else 256")
    parser.add_argument("--batch-size", type=int, default=1)
    args = parser.parse_args()
    device = args.device

    generator = load_checkpoint(args.weights, device=device)
    c = generator.config
    args.size = args.size or generator.checkpoint_extra.get("image_size", 256)
    x = torch.randn(args.batch_size, c.in_channels, args.size, args.size, device=device)
    with torch.no_grad():
        latency = timed(lambda: generator(x), args.repeats, device=device)

    # One training step of the same configuration, from fresh weights.
    G = registry.build("unet_generator", c).to(device).train()
    D = registry.build("patchgan_discriminator", in_channels=c.in_channels + c.out_channels).to(device)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    gan = GANLoss("vanilla")
    b = torch.randn(args.batch_size, c.out_channels, args.size, args.size, device=device)

    def train_step():
        fake = G(x)
        opt_d.zero_grad()
        gan.discriminator(D(torch.cat([x, b], 1)), D(torch.cat([x, fake.detach()], 1))).backward()
        opt_d.step()
        opt_g.zero_grad()
        (gan.generator(D(torch.cat([x, fake], 1))) + 100 * l1_loss(fake, b)).backward()
        opt_g.step()

    step = timed(train_step, max(3, args.repeats // 2), device=device)
    print(json.dumps({
        "benchmark": "pix2pix",
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
