"""Colourisation latency on this machine for 512² and 2048² photos; prints one JSON object.

    python bench/colorize.py [--weights weights/colorizer] [--render-size 512] [--device cpu]

Each figure is the median wall time of the whole tab function minus file I/O: Lab conversion at
full size, the generator at the render size, chroma upsampling and recombination.
"""
from __future__ import annotations

import json
import statistics

import numpy as np
from PIL import Image

from core.checkpoint import load_checkpoint
from core.colorize import colorize
from core.profiling import bench_parser, device_name, peak_memory_mb, timed


def main():
    parser = bench_parser(__doc__, "weights/colorizer")
    parser.add_argument("--render-size", type=int, default=512)
    args = parser.parse_args()
    device = args.device
    generator = load_checkpoint(args.weights, device=device)
    rng = np.random.default_rng(0)
    figures = {}
    for side in (512, 2048):
        grey = Image.fromarray(rng.integers(0, 256, (side, side), dtype=np.uint8)).convert("RGB")
        times = timed(lambda: colorize(generator, grey, args.render_size), args.repeats, warmup=1, device=device)
        figures[f"latency_ms_{side}"] = round(statistics.median(times) * 1000, 1)
    print(json.dumps({"benchmark": "colorize", "device": device_name(device),
                      "render_size": args.render_size, **figures,
                      "peak_memory_mb": round(peak_memory_mb(device), 1)}, indent=1))


if __name__ == "__main__":
    main()
