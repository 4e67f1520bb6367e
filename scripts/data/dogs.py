"""Unpack the dog photos for the dog-generation tab, with a random held-out test split.

Reads the zip of Kaggle Dogs vs. Cats dog photos (128×128 centre crops, `dogs/dog.<n>.jpg`; see
shared/data/README.md), draws `--test` photos at random (seeded) for testing before any training,
and writes the rest for training, resized to `--size` px:

    data/dogs/train/dog.<n>.png   (what train/dcgan.py --data data/dogs/train reads)
    data/dogs/test/dog.<n>.png    (never trained on: FID/KID and the memorisation check)
    data/dogs/split.json          (which photo went where, and the seed)

    python scripts/data/dogs.py --zip ../shared/data/dogs/dogs.zip [--size 64] [--test 1000]
"""
from __future__ import annotations

import argparse
import io
import json
import random
import zipfile
from pathlib import Path

from PIL import Image


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zip", required=True, help="dogs.zip (dogs/dog.<n>.jpg)")
    parser.add_argument("--out", default="data/dogs")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--test", type=int, default=1000, help="photos held out for testing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    archive = zipfile.ZipFile(args.zip)
    names = sorted(n for n in archive.namelist() if n.lower().endswith((".jpg", ".jpeg", ".png")))
    test = set(random.Random(args.seed).sample(names, args.test))
    out = Path(args.out)
    for name in names:
        split = "test" if name in test else "train"
        image = Image.open(io.BytesIO(archive.read(name))).convert("RGB")
        image = image.resize((args.size, args.size), Image.Resampling.LANCZOS)
        target = out / split / (Path(name).stem + ".png")
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target)
    split = {"source": Path(args.zip).name, "seed": args.seed, "size": args.size,
             "test": sorted(Path(n).stem for n in test)}
    (out / "split.json").write_text(json.dumps(split, indent=1))
    print(f"{len(names) - len(test)} training and {len(test)} test photos in {out}")


if __name__ == "__main__":
    main()
