"""Split photo and painting folders for the CycleGAN styles, holding out a random share of each.

Each source folder becomes <out>/<name>/train and <out>/<name>/test (copies; `--test` of the images,
drawn at random with `--seed` before any training), plus <out>/split.json saying which went where:

    python scripts/data/styles.py --out data/styles photos=../shared/data/landscapes \\
        vangogh=../shared/data/paintings/vangogh monet=../shared/data/paintings/monet
    accelerate launch train/cyclegan.py --data-a data/styles/photos/train --data-b data/styles/vangogh/train \\
        --val-data data/styles/photos/test ...
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.data import list_images  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", help="name=folder")
    parser.add_argument("--out", default="data/styles")
    parser.add_argument("--test", type=float, default=0.1, help="share held out for testing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    split = {"seed": args.seed, "test_share": args.test}
    for source in args.sources:
        name, folder = source.split("=", 1)
        images = list_images(Path(folder))
        test = set(random.Random(args.seed).sample(images, round(len(images) * args.test)))
        for part in ("train", "test"):
            shutil.rmtree(out / name / part, ignore_errors=True)
            (out / name / part).mkdir(parents=True)
        for image in images:
            shutil.copyfile(image, out / name / ("test" if image in test else "train") / image.name)
        split[name] = {"source": folder, "test": sorted(p.name for p in test)}
        print(f"{name}: {len(images) - len(test)} training and {len(test)} test images")
    (out / "split.json").write_text(json.dumps(split, indent=1))


if __name__ == "__main__":
    main()
