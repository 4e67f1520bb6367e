"""Colour photos for the colouriser, from the real sets, with a random held-out test split.

Mixes landscapes (a folder of photos), the Sketchy database's object photos (a zip, `photo/<category>/
<id>.jpg`) and a random part of the dog photos (a zip, `dogs/dog.<n>.jpg`, 128 px), so that no one
kind of scene dominates. Photos that are already (nearly) grey are left out: they only teach the
model to leave things grey. `--test` photos, drawn at random before any training, go to test/;
`--more-train-dogs` adds dog photos outside that mix to train/ only, after the split is drawn, so the
test split stays the same:

    data/colour/train/<source>_<name>.jpg
    data/colour/test/<source>_<name>.jpg     (never trained on: the card's held-out figures)

    python scripts/data/colour.py --landscapes ../shared/data/landscapes \\
        --sketchy-photos ../shared/data/sketchy/photos.zip --dogs ../shared/data/dogs/dogs.zip
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import zipfile
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.data import list_images  # noqa: E402
from core.metrics import colourfulness  # noqa: E402

MIN_COLOURFULNESS = 5.0  # below this a photo looks grey or sepia (Hasler and Süsstrunk's scale)


def colour_only(candidates):
    """(name, bytes) of the candidates (name, function giving the bytes) that are not (nearly) grey."""
    return [(name, data) for name, read in candidates
            if colourfulness(Image.open(io.BytesIO(data := read()))) >= MIN_COLOURFULNESS]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landscapes", required=True)
    parser.add_argument("--sketchy-photos", required=True)
    parser.add_argument("--dogs", required=True)
    parser.add_argument("--dogs-count", type=int, default=3000, help="how many dog photos to mix in")
    parser.add_argument("--more-train-dogs", type=int, default=0,
                        help="how many more dog photos (not in the mix) to add to train/ only")
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="data/colour")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # (output name, a function giving the file's bytes)
    pool = [(f"landscape_{p.name}", p.read_bytes) for p in list_images(Path(args.landscapes))]
    sketchy = zipfile.ZipFile(args.sketchy_photos)
    pool += [(f"sketchy_{Path(n).parent.name}_{Path(n).name}", lambda n=n: sketchy.read(n))
             for n in sorted(sketchy.namelist()) if n.endswith(".jpg")]
    dogs = zipfile.ZipFile(args.dogs)
    dog_files = sorted(n for n in dogs.namelist() if n.endswith(".jpg"))
    dog_names = rng.sample(dog_files, args.dogs_count)

    def dog_photos(names):
        return [(f"dogs_{Path(n).name}", lambda n=n: dogs.read(n)) for n in names]

    pool += dog_photos(sorted(dog_names))
    photos = colour_only(pool)
    test = set(rng.sample(range(len(photos)), args.test))
    mixed = set(dog_names)
    unused_dogs = [n for n in dog_files if n not in mixed]
    more_dogs = dog_photos(random.Random(args.seed).sample(unused_dogs, args.more_train_dogs))
    photos += colour_only(more_dogs)  # indices past the split: train/ only
    for index, (name, data) in enumerate(photos):
        target = Path(args.out) / ("test" if index in test else "train") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    counts = {"train": len(photos) - len(test), "test": len(test),
              "grey_left_out": len(pool) + len(more_dogs) - len(photos)}
    print(counts)


if __name__ == "__main__":
    main()
