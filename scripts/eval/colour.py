"""Held-out figures of a colouriser checkpoint: PSNR, SSIM and colourfulness against the grey input,
and Zhang et al.'s semantic test in an ImageNet network it never trained against (--judge, Lite2):
how often the grey input's and the colourised photo's top-1 class is the colour original's.

For a binned colouriser (`--bins`), `--temperatures` scores each annealed-mean temperature in turn
(lower = more vivid, further from the mean colour) and `--save-temperature` stores the chosen one in
the checkpoint's config, which is what the hub then uses:

    python scripts/eval/colour.py --colorizer runs/colorize_bins/colorizer --photos data/colour/test \\
        --temperatures 1 0.6 0.38 --json runs/colour_temperatures.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import CONFIG_FILE, load_checkpoint  # noqa: E402
from core.colorize import held_out_metrics, held_out_table  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--colorizer", default="weights/colorizer")
    parser.add_argument("--photos", required=True, help="held-out colour photos")
    parser.add_argument("--render-size", type=int, default=512)
    parser.add_argument("--judge", default="lite2",
                        help="ImageNet network for the semantic test ('' to skip); never one the colouriser trained on")
    parser.add_argument("--temperatures", type=float, nargs="*", default=[],
                        help="annealed-mean temperatures to score (binned colourisers only)")
    parser.add_argument("--save-temperature", type=float, help="store this temperature in the checkpoint")
    parser.add_argument("--json", help="write the means per temperature here")
    args = parser.parse_args()
    generator = load_checkpoint(args.colorizer).eval()
    binned = getattr(generator.config, "head", "cells") == "cells"  # a pretrained colouriser's head, if any
    stored = getattr(generator.config, "temperature", None) if binned else None  # None: a regression colouriser
    if (args.temperatures or args.save_temperature) and stored is None:
        parser.error(f"{args.colorizer} predicts ab directly: it has no temperature")
    results = {}
    for temperature in args.temperatures or [stored]:
        if temperature is not None:
            generator.config.temperature = temperature
            print(f"## temperature {temperature}")
        metrics = held_out_metrics(generator, args.photos, args.render_size, args.judge)
        results[str(temperature)] = metrics["mean"]
        print(held_out_table(metrics), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    if args.save_temperature:  # a config field: the weights stay as they are stored
        config_file = Path(args.colorizer, CONFIG_FILE)
        config = json.loads(config_file.read_text())
        config["config"]["temperature"] = args.save_temperature
        config_file.write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    main()
