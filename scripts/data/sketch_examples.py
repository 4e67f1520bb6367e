"""Pick the sketch tab's examples at random from the held-out Sketchy sketches (never trained on
by the classifier or the photo model): two of each category the photo model knows (of two photos), one of a few
other categories. Copies them to demos/examples/sketch/<category>__<sketch name>.png.

    python scripts/data/sketch_examples.py --data data/sketchy
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.data import SEED_CATEGORIES, category_folders, in_split, list_images, photo_id, sketchy_folders  # noqa: E402

HELD_OUT = 0.05  # train/classifier.py's --val-fraction; train/pix2pix.py holds out more (a superset)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="a Sketchy-layout folder")
    parser.add_argument("--out", default="demos/examples/sketch")
    parser.add_argument("--others", type=int, default=6, help="how many other categories get one example")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sketch_root, _ = sketchy_folders(Path(args.data))
    others = rng.sample([c for c in category_folders(sketch_root) if c not in SEED_CATEGORIES], args.others)
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for category in SEED_CATEGORIES + others:
        held_out = [p for p in list_images(sketch_root / category) if in_split(photo_id(p), "val", HELD_OUT)]
        photos = sorted({photo_id(p) for p in held_out})
        photos = rng.sample(photos, min(len(photos), 2 if category in SEED_CATEGORIES else 1))
        for sketch in [rng.choice([p for p in held_out if photo_id(p) == photo]) for photo in photos]:
            shutil.copyfile(sketch, out / f"{category}__{sketch.name}")
            print(out / f"{category}__{sketch.name}")


if __name__ == "__main__":
    main()
