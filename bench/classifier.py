"""Sketch classifier speed on this machine; prints one JSON object.

    python bench/classifier.py [--weights weights/sketch_classifier] [--device cpu]

Figures: the latency of one prediction as the tab makes it (a 256² sketch resized to the model's
size, then its top 5), median over the repeats, and peak memory.
"""
from __future__ import annotations

import json
import statistics

import torch

from core.checkpoint import load_checkpoint
from core.profiling import bench_parser, device_name, peak_memory_mb, timed


def main():
    args = bench_parser(__doc__, "weights/sketch_classifier", repeats=30).parse_args()
    classifier = load_checkpoint(args.weights, device=args.device).eval()
    sketch = torch.ones(1, 1, 256, 256, device=args.device)
    sketch[..., 60:200, 120:136] = -1
    latency = timed(lambda: classifier.top_k(sketch, k=5), args.repeats, device=args.device)
    print(json.dumps({
        "benchmark": "sketch classifier",
        "device": device_name(args.device),
        "model": f"{classifier.config.arch} {classifier.config.arch_options}, "
                 f"{sum(p.numel() for p in classifier.parameters()) / 1e6:.2f}M params, "
                 f"{classifier.config.image_size} px, {len(classifier.config.class_names)} classes",
        "prediction_ms": round(statistics.median(latency) * 1000, 2),
        "peak_memory_mb": round(peak_memory_mb(args.device), 1),
    }, indent=1))


if __name__ == "__main__":
    main()
