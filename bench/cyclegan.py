"""CycleGAN speed on this machine; prints one JSON object.

    python bench/cyclegan.py [--config shipped|paper] [--precision fp32|bf16] [--weights weights/styles/vangogh]

--config shipped: the configuration of the style in --weights, training on 128² crops; --config paper:
ResNet-9 with ngf 64 and PatchGAN ndf 64 at 256². Figures: generator latency at 256² and 1024² (ms
per image, one direction) and training throughput (images/s of core.steps.cyclegan_step, as
train/cyclegan.py runs it: both generators, then both discriminators from pools of fakes).
"""
from __future__ import annotations

import json
import statistics

import torch

from core import registry
from core.checkpoint import read_config, resolve
from core.image_pool import ImagePool
from core.losses import GANLoss
from core.profiling import bench_parser, device_name, peak_memory_mb, timed
from core.steps import Bare, cyclegan_step


def main():
    parser = bench_parser(__doc__, "weights/styles/vangogh", training=True)
    parser.add_argument("--config", choices=("shipped", "paper"), default="shipped")
    args = parser.parse_args()
    device = args.device
    config = read_config(resolve(args.weights))["config"]
    ndf, train_size = 32, 128
    if args.config == "paper":
        config, ndf, train_size = dict(config, generator="resnet", ngf=64, n_blocks=9), 64, 256
    model = registry.build("cyclegan", config).to(device)
    figures = {"benchmark": "cyclegan", "config": args.config, "precision": args.precision,
               "device": device_name(device),
               "generator": f"{config['generator']} ngf {config['ngf']}, {config['n_blocks']} blocks, "
                            f"{sum(p.numel() for p in model.g_ab.parameters()) / 1e6:.2f}M params"}
    model.eval()
    with torch.no_grad():
        for side in (256, 1024):
            x = torch.randn(1, 3, side, side, device=device)
            figures[f"generator_ms_{side}"] = round(statistics.median(
                timed(lambda: model.g_ab(x), args.repeats, warmup=1, device=device)) * 1000, 1)

    model.train()
    models = {"G": model, **{name: registry.build("patchgan_discriminator", in_channels=3, ndf=ndf, norm="instance")
                             .to(device) for name in ("D_A", "D_B")}}
    run = Bare(models, precision=args.precision)
    a, b = (torch.rand(args.batch_size, 3, train_size, train_size, device=device) * 2 - 1 for _ in "ab")
    gan, pools = GANLoss("lsgan"), (ImagePool(), ImagePool())
    step = timed(lambda: cyclegan_step(run, a, b, gan, pools, 10.0, 5.0), args.repeats, warmup=1, device=device)
    figures.update({"train_size": train_size, "batch_size": args.batch_size,
                    "train_images_per_s": round(args.batch_size / statistics.median(step), 2),
                    "peak_memory_mb": round(peak_memory_mb(device), 1)})
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
