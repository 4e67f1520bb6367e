"""SinGAN on this machine: a full training run at 128 px and the applications' latency; one JSON object.

    python bench/singan.py                  # a full training run (default flags) on the model's image
    python bench/singan.py --quick          # two short runs (20 and 60 steps per scale), projected
    python bench/singan.py --image my.jpg --max-steps 100 --skip-training   # or parts of it
    python bench/singan.py --image balloons.png --max-size 250 --precision bf16   # the paper's size (GPU if any)
    python bench/singan.py --config reference --precision fp32 --iterations-only --image balloons.png --max-size 250

Training runs train/singan.py as a user would (its default flags: the target is at most 15
minutes for a 128 px image on a 2-core CPU). --quick measures the time per step (all scales) and
the fixed cost from two short runs and projects the default run from them: a line, as training
time is linear in the steps per scale. Latencies, and the PSNR of super-resolution against
bicubic, are on the shipped --weights model.

Iterations: milliseconds per training iteration (core.steps.singan_step: 3 critic and 3 generator
updates) at the coarsest and the finest scale, for --config shipped (32 channels, three scales
learning together, as train/singan.py's defaults) or reference (tamarott/SinGAN's architecture at
--nfc 64: 64 channels doubling every 4 scales to 128, one scale at a time), at --precision.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from core import registry
from core import singan as apps
from core.checkpoint import load_checkpoint
from core.images import load_image, to_image, to_tensor
from core.metrics import psnr
from core.models.singan import PatchCritic, channels_at, padding_at, pyramid_sizes, resize, training_draws
from core.profiling import bench_parser, device_name, peak_memory_mb, timed
from core.steps import Bare, singan_step

REPO = Path(__file__).resolve().parent.parent


def train(image: str, max_size: int, max_steps: int | None, subject: str, source: str, keep: str | None,
          precision: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, str(REPO / "train" / "singan.py"), "--image", image, "--out", out,
                   "--max-size", str(max_size), "--name", subject, "--source", source, "--precision", precision]
        if max_steps:
            command += ["--max-steps", str(max_steps)]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        minutes = (time.perf_counter() - started) / 60
        if result.returncode != 0:
            raise SystemExit(result.stderr[-2000:])
        model = load_checkpoint(Path(out) / "singan")
        if keep:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(Path(out) / "singan", keep)
        return {"max_size": max_size, "scales": model.num_scales, "sizes": model.config.sizes,
                "steps_per_scale": max_steps or "default", "wall_minutes": round(minutes, 2),
                **json.loads(result.stdout.strip().splitlines()[-1])}


@torch.no_grad()
def super_resolution_psnr(model) -> dict:
    """PSNR (dB) against the model's own image of that image shrunk ×2 and ×4 and enlarged back,
    by SinGAN and by bicubic resizing: GAN detail is not the lost detail, so PSNR favours bicubic."""
    truth = to_image(model.image[0])
    height, width = model.image.shape[-2:]
    figures = {}
    for factor in (2, 4):
        small = resize(model.image, (round(height / factor), round(width / factor)))
        for method, large in (("singan", apps.super_resolve(model, small, factor)), ("bicubic", small)):
            figures[f"x{factor}_{method}_psnr_db"] = round(psnr(to_image(resize(large, (height, width))[0]), truth), 2)
    return figures


def training_defaults():
    """train/singan.py's default flags (train/ holds scripts, not a package: load it from its file)."""
    spec = importlib.util.spec_from_file_location("train_singan", REPO / "train" / "singan.py")
    script = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look it up there
    spec.loader.exec_module(script)
    return script.SinGANArgs()


SHIPPED = training_defaults()
CONFIGS = {"shipped": {"channels": SHIPPED.channels, "max_channels": SHIPPED.max_channels,
                       "joint_scales": SHIPPED.joint_scales},
           "reference": {"channels": 64, "max_channels": 128, "joint_scales": 1}}


def iteration_ms(image: torch.Tensor, config: str, precision: str, max_size: int, device, repeats: int) -> dict:
    """Training iterations at the coarsest and the finest scale of the image's pyramid (the scales
    below the learning ones are untrained: they cost the same as trained ones)."""
    settings = CONFIGS[config]
    sizes = pyramid_sizes(*image.shape[-2:], max_size=max_size)
    model = registry.build("singan", sizes=sizes, channels=settings["channels"],
                           max_channels=settings["max_channels"], coarsest_padding="zeros").to(device)
    model.image.copy_(resize(image.to(device), sizes[-1]))
    figures = {"scales": len(sizes), "sizes": [sizes[0], sizes[-1]]}
    for name, n in (("coarsest", 0), ("finest", len(sizes) - 1)):
        first = max(0, n - settings["joint_scales"] + 1)
        critic = PatchCritic(channels_at(model.config, n), model.config.blocks, model.config.norm,
                             padding_at(model.config, n)).to(device)
        run = Bare({"G": nn.ModuleList(model.generators[first:n + 1]), "D": critic}, precision=precision)
        real = resize(model.image, sizes[n])
        draws = training_draws(model, n, first)
        times = timed(lambda: singan_step(run, real, *draws), repeats, warmup=2, device=device)
        figures[f"{name}_iteration_ms"] = round(statistics.median(times) * 1000, 1)
    return figures


def latencies(model, device, repeats: int) -> dict:
    model = model.to(device)
    image = torch.rand(1, 3, 256, 384, device=device) * 2 - 1
    mask = torch.zeros(1, 1, 256, 384, device=device)
    mask[..., 64:128, 64:160] = 1

    def ms(fn):
        return round(statistics.median(timed(fn, repeats, warmup=1, device=device)) * 1000, 1)

    return {"sample_ms": ms(lambda: apps.samples(model, 1)),
            "sample_2x_wide_ms": ms(lambda: apps.samples(model, 1, scale_h=2.0)),
            "edit_384x256_ms": ms(lambda: apps.inject(model, image, 2, mask)),
            "super_resolve_x4_ms": ms(lambda: apps.super_resolve(model, model.image, 4)),
            "animation_24_frames_ms": ms(lambda: apps.animation(model, 1, 24))}


def main():
    parser = bench_parser(__doc__, "weights/singan/balloons", training=True)
    parser.add_argument("--config", choices=tuple(CONFIGS), default="shipped")
    parser.add_argument("--iterations-only", action="store_true", help="only the per-iteration timings")
    parser.add_argument("--image", help="image to train on (default: the --weights model's own image)")
    parser.add_argument("--max-size", type=int, default=128)
    parser.add_argument("--max-steps", type=int, help="iterations per scale (default: the script's)")
    parser.add_argument("--name", default="benchmark image", help="what the image shows (model card)")
    parser.add_argument("--source", default="", help="where the image comes from and its licence (model card)")
    parser.add_argument("--keep", help="copy the trained checkpoint to this folder")
    parser.add_argument("--quick", action="store_true", help="two short runs and a projection, not a full run")
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()
    device = args.device
    model = load_checkpoint(args.weights)
    figures = {"benchmark": "singan", "config": args.config, "precision": args.precision,
               "device": device_name(device)}
    image = to_tensor(load_image(args.image)[0])[None] if args.image else model.image
    figures["iterations"] = iteration_ms(image, args.config, args.precision, args.max_size, device, args.repeats)
    if args.iterations_only:
        print(json.dumps(figures, indent=1))
        return
    if not args.skip_training:
        with tempfile.TemporaryDirectory() as folder:
            image = args.image or str(Path(folder) / "image.png")
            if not args.image:
                to_image(model.image[0]).save(image)
            if args.quick:
                short, longer = (train(image, args.max_size, steps, args.name, args.source, None, args.precision)
                                 for steps in (20, 60))
                per_step = (longer["wall_minutes"] - short["wall_minutes"]) / 40
                fixed = short["wall_minutes"] - 20 * per_step
                figures["training"] = {"runs": [short, longer], "seconds_per_step_all_scales": round(per_step * 60, 2),
                                       "fixed_minutes": round(fixed, 2),
                                       "projected_minutes_400_steps": round(fixed + 400 * per_step, 1)}
            else:
                figures["training"] = train(image, args.max_size, args.max_steps, args.name, args.source, args.keep,
                                           args.precision)
    figures["applications"] = latencies(model.float(), device, args.repeats)
    figures["super_resolution"] = super_resolution_psnr(model.float().cpu())
    figures["peak_memory_mb"] = round(peak_memory_mb(device), 1)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
