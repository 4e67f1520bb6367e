"""Rebuild the open colour-photo set for colourisation (and the photo side of style transfer).

Photos only (no drawings, logos or grey images), from Debian's plasma-workspace-wallpapers (the nine
photos used are LGPL-3 by their metadata), opencv-doc's sample images (BSD-3 with OpenCV), and
scikit-image's data (public domain / CC0, see skimage/data/README.txt). Each photo is scaled to at most 1024 px on
its long side and written to data/photos/train/ or, for the fixed held-out set, data/photos/held_out/.
Van Gogh's Starry Night (public domain, in opencv-doc) goes to data/starry_night/, the painting
domain of the shipped CycleGAN style.

    python scripts/data/photos.py            # downloads the two .deb files with apt-get
    python scripts/data/photos.py --root /   # or reads them where they are installed
"""
from __future__ import annotations

import argparse
from pathlib import Path

import skimage

from core.images import load_image
from debian import extract_packages

PACKAGES = ["plasma-workspace-wallpapers", "opencv-doc"]
WALLPAPERS = ["BytheWater", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf", "Kite",
              "OneStandsOut", "Path", "summer_1am"]
OPENCV = ["apple.jpg", "baboon.jpg", "building.jpg", "butterfly.jpg", "fruits.jpg", "home.jpg",
          "orange.jpg", "aero1.jpg", "aero3.jpg", "leuvenA.jpg", "leuvenB.jpg", "HappyFish.jpg"]
SKIMAGE = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png",
           "hubble_deep_field.jpg"]
HELD_OUT = {"Path", "fruits", "coffee", "butterfly"}  # never used in training


def sources(root: Path):
    for name in WALLPAPERS:
        images = sorted((root / f"usr/share/wallpapers/{name}/contents/images").glob("*"),
                        key=lambda p: p.stat().st_size)
        yield name, images[-1]
    for name in OPENCV:
        yield Path(name).stem, root / "usr/share/doc/opencv-doc/examples/data" / name
    for name in SKIMAGE:
        yield Path(name).stem, Path(skimage.__file__).parent / "data" / name


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="folder holding usr/share/... (default: download the packages)")
    parser.add_argument("--out", default="data/photos")
    parser.add_argument("--max-side", type=int, default=1024)
    args = parser.parse_args()
    root = Path(args.root) if args.root else extract_packages(PACKAGES)
    counts = {"train": 0, "held_out": 0}
    for name, path in sources(root):
        image, _ = load_image(path, max_side=args.max_side)
        split = "held_out" if name in HELD_OUT else "train"
        (Path(args.out) / split).mkdir(parents=True, exist_ok=True)
        image.save(Path(args.out) / split / f"{name}.jpg", quality=95)
        counts[split] += 1
    painting = root / "usr/share/doc/opencv-doc/examples/data/starry_night.jpg"
    (Path(args.out).parent / "starry_night").mkdir(parents=True, exist_ok=True)
    load_image(painting)[0].save(Path(args.out).parent / "starry_night" / "starry_night.jpg", quality=95)
    print(counts)


if __name__ == "__main__":
    main()
