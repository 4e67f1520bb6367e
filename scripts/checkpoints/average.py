"""Average the weights of checkpoints of one model (e.g. two stages of one run) into a new checkpoint.

    python scripts/checkpoints/average.py runs/colorize/colorizer runs/colorize_l1/colorizer --out weights/colorizer
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402


def shared_extra(models, names: list[str]) -> dict:
    """The training record the averaged checkpoints all share (e.g. the loss they trained with), and
    which checkpoints were averaged: the average keeps telling how it was made."""
    first = models[0].checkpoint_extra
    shared = {key: value for key, value in first.items()
              if all(model.checkpoint_extra.get(key) == value for model in models[1:])}
    return {**shared, "averaged": [str(name) for name in names]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    models = [load_checkpoint(path) for path in args.checkpoints]
    states = [model.state_dict() for model in models]
    average = {key: sum(state[key].float() for state in states) / len(states) if value.is_floating_point() else value
               for key, value in states[0].items()}
    models[0].load_state_dict(average)
    save_checkpoint(args.out, models[0], extra=shared_extra(models, args.checkpoints), dtype=torch.float16)


if __name__ == "__main__":
    main()
