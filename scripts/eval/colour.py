"""Held-out figures of a colouriser checkpoint: PSNR, SSIM and colourfulness against the grey input,
and Zhang et al.'s semantic test in an ImageNet network it never trained against (--judge, Lite2):
how often the grey input's and the colourised photo's top-1 class is the colour original's.

For a binned colouriser (`--bins`), `--temperatures` scores each annealed-mean temperature in turn
(lower = more vivid, further from the mean colour) and `--save-temperature` stores the chosen one in
the checkpoint's config, which is what the hub then uses. `--json` keeps each photo's verdict too, so a
later run can be compared photo by photo with `--against` (McNemar's exact test): a lead of a few
photos in 500 is often chance.

    python scripts/eval/colour.py --colorizer runs/colorize_bins/colorizer --photos data/colour/test \\
        --temperatures 1 0.6 0.38 --json runs/colour_temperatures.json
    python scripts/eval/colour.py --colorizer runs/colour_lite1_stage9/colorizer --photos data/colour/test \\
        --json runs/colour_lite1_stage9.eval.json --against runs/colour_lite1_stage8.eval.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import CONFIG_FILE, load_checkpoint  # noqa: E402
from core.colorize import held_out_metrics, held_out_table  # noqa: E402
from core.metrics import paired_right_or_wrong  # noqa: E402


def compared(name: str, ours: dict[str, float], theirs: dict[str, float]) -> str:
    gains, losses, p = paired_right_or_wrong(ours, theirs)
    return (f"Against {name}: right on {gains} photos where it is wrong, wrong on {losses} where it is right "
            f"(McNemar's exact two-sided p = {p:.2g}).")


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
    parser.add_argument("--json", help="write the means per temperature here, with each photo's semantic verdict")
    parser.add_argument("--against",
                        help="another colouriser's --json (its first temperature): the semantic test photo by photo")
    args = parser.parse_args()
    generator = load_checkpoint(args.colorizer).eval()
    binned = getattr(generator.config, "head", "cells") == "cells"  # a pretrained colouriser's head, if any
    stored = getattr(generator.config, "temperature", None) if binned else None  # None: a regression colouriser
    if (args.temperatures or args.save_temperature) and stored is None:
        parser.error(f"{args.colorizer} predicts ab directly: it has no temperature")
    if args.against and not args.judge:
        parser.error("--against compares the semantic test: it needs a --judge")
    # read before the long evaluation, once for every temperature
    other = next(iter(json.loads(Path(args.against).read_text()).values()))["agrees_by_photo"] if args.against else None
    results = {}
    for temperature in args.temperatures or [stored]:
        if temperature is not None:
            generator.config.temperature = temperature
            print(f"## temperature {temperature}")
        metrics = held_out_metrics(generator, args.photos, args.render_size, args.judge)
        print(held_out_table(metrics), flush=True)
        verdicts = {row["photo"]: row["agrees"] for row in metrics["rows"] if "agrees" in row}
        results[str(temperature)] = {**metrics["mean"], "agrees_by_photo": verdicts}
        if verdicts:
            print(compared("the grey input", verdicts, {row["photo"]: row["agrees_grey"] for row in metrics["rows"]}))
        if verdicts and other is not None:
            print(compared(args.against, verdicts, other))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    if args.save_temperature:  # a config field: the weights stay as they are stored
        config_file = Path(args.colorizer, CONFIG_FILE)
        config = json.loads(config_file.read_text())
        config["config"]["temperature"] = args.save_temperature
        config_file.write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    main()
