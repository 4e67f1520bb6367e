"""Colourisation latency on this machine for 512² and 2048² photos; prints one JSON object.

    python bench/colorize.py [--weights weights/colorizer] [--render-size 512] [--device cpu]

Each figure is the median wall time of the whole tab function minus file I/O: Lab conversion at
full size, the generator at the render size, chroma upsampling and recombination.
"""
from __future__ import annotations

import argparse
import json
import statistics

import numpy as np
import torch
from PIL import Image

from core.checkpoint import load_checkpoint
from core.colorize import colorize
from core.profiling import peak_memory_mb, timed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", default="weights/colorizer")
    parser.add_argument("--render-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    generator = load_checkpoint(args.weights, device=device)
    rng = np.random.default_rng(0)
    figures = {}
    for side in (512, 2048):
        grey = Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8)).convert("RGB")
        times = timed(lambda: colorize(generator, grey, args.render_size), args.repeats, warmup=1, device=device)
        figures[f"latency_ms_{side}"] = round(statistics.median(times) * 1000, 1)
    print(json.dumps({"benchmark": "colorize", "device": str(device) if device.type == "cpu" else
                      torch.cuda.get_device_name(device), "threads": torch.get_num_threads(),
                      "render_size": args.render_size, **figures,
                      "peak_memory_mb": round(peak_memory_mb(device), 1)}, indent=1))


if __name__ == "__main__":
    main()
