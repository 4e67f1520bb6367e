"""CycleGAN speed on this machine; prints one JSON object.

    python bench/cyclegan.py [--weights weights/styles/starry_night] [--device cpu]

For the shipped style's configuration and for the paper's ResNet-9 with ngf 64: generator latency
at 256² and 1024² (ms per image, one direction) and training throughput (images/s of a full
CycleGAN step at batch 1, 128² crops for the shipped configuration, 256² for the paper's).
"""
from __future__ import annotations

import json
import statistics

import torch

from core import registry
from core.checkpoint import read_config, resolve
from core.image_pool import ImagePool
from core.losses import GANLoss, l1_loss
from core.profiling import bench_parser, device_name, peak_memory_mb, timed


def measure(config: dict, train_size: int, device, repeats: int) -> dict:
    model = registry.build("cyclegan", config).to(device)
    figures = {"generator": f"{config['generator']} ngf {config['ngf']}, {config['n_blocks']} blocks, "
                            f"{sum(p.numel() for p in model.g_ab.parameters()) / 1e6:.2f}M params"}
    model.eval()
    with torch.no_grad():
        for side in (256, 1024):
            x = torch.randn(1, 3, side, side, device=device)
            figures[f"generator_ms_{side}"] = round(statistics.median(
                timed(lambda: model.g_ab(x), repeats, warmup=1, device=device)) * 1000, 1)
    model.train()
    d_a, d_b = (registry.build("patchgan_discriminator", in_channels=3, norm="instance").to(device) for _ in "ab")
    opt_g = torch.optim.Adam(model.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam([*d_a.parameters(), *d_b.parameters()], 2e-4, betas=(0.5, 0.999))
    gan, pool_a, pool_b = GANLoss("lsgan"), ImagePool(), ImagePool()
    a = torch.randn(1, 3, train_size, train_size, device=device)
    b = torch.randn(1, 3, train_size, train_size, device=device)

    def step():
        out = model(a, b)
        opt_g.zero_grad()
        (gan.generator(d_b(out["fake_b"])) + gan.generator(d_a(out["fake_a"]))
         + 10 * (l1_loss(out["rec_a"], a) + l1_loss(out["rec_b"], b))
         + 5 * (l1_loss(out["idt_a"], a) + l1_loss(out["idt_b"], b))).backward()
        opt_g.step()
        opt_d.zero_grad()
        (gan.discriminator(d_a(a), d_a(pool_a.query(out["fake_a"])))
         + gan.discriminator(d_b(b), d_b(pool_b.query(out["fake_b"])))).backward()
        opt_d.step()

    figures[f"train_images_per_s_{train_size}"] = round(1 / statistics.median(
        timed(step, max(3, repeats // 2), warmup=1, device=device)), 2)
    return figures


def main():
    parser = bench_parser(__doc__, "weights/styles/starry_night")
    args = parser.parse_args()
    device = args.device
    shipped = read_config(resolve(args.weights))["config"]
    paper = dict(shipped, generator="resnet", ngf=64, n_blocks=9)
    print(json.dumps({
        "benchmark": "cyclegan",
        "device": device_name(device),
        "shipped": measure(shipped, 128, device, args.repeats),
        "resnet9_ngf64": measure(paper, 256, device, args.repeats),
        "peak_memory_mb": round(peak_memory_mb(device), 1),
    }, indent=1))


if __name__ == "__main__":
    main()
