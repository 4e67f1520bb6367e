"""Timing and memory helpers for the scripts in bench/."""
from __future__ import annotations

import argparse
import platform
import resource
import time

import torch

from core.training import PRECISIONS


def bench_parser(doc: str, weights: str, repeats: int = 5, training: bool = False) -> argparse.ArgumentParser:
    """The flags every benchmark takes: the checkpoint, how many timed repeats, the device; and for
    one that times training steps, the precision (as train scripts' --precision) and batch size."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", default=weights)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--device", type=torch.device, default="cuda" if torch.cuda.is_available() else "cpu")
    if training:
        parser.add_argument("--precision", choices=tuple(PRECISIONS), default="fp32")
        parser.add_argument("--batch-size", type=int, default=1)
    return parser


def device_name(device: torch.device) -> str:
    """What the figures were measured on, for the JSON they are printed in."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({torch.get_num_threads()} threads, {platform.processor() or platform.machine()})"


def timed(fn, repeats: int, warmup: int = 2, device=None) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        if device is not None and device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device is not None and device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mb(device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2 ** 20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
