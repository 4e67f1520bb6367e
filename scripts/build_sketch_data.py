"""Rebuild the open training set for sketch → photo and the sketch classifier.

Takes public-domain clip-art (Debian's openclipart-png) and photo-derived stamps (Debian's
tuxpaint-stamps-default, GPL-2) in category folders, crops each object to its bounding box and
centres it on a white square: data/sketch_objects/<category>/<source>_<name>.jpg. The sketches
are drawn from these images at training time (core.linedraw.xdog).

    python scripts/build_sketch_data.py            # downloads the two .deb files with apt-get
    python scripts/build_sketch_data.py --root /   # or reads them where they are installed
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

from core.images import load_image
from debian import extract_packages

PACKAGES = ["openclipart-png", "tuxpaint-stamps-default"]
# category → folders under usr/share/ (recursive)
CATEGORIES = {
    "bird": ["openclipart/png/animals/birds", "tuxpaint/stamps/animals/birds"],
    "boat": ["openclipart/png/transportation/boating", "tuxpaint/stamps/vehicles/ship"],
    "car": ["openclipart/png/transportation/vehicles", "tuxpaint/stamps/vehicles/auto",
            "tuxpaint/stamps/vehicles/race", "tuxpaint/stamps/vehicles/emergency",
            "tuxpaint/stamps/vehicles/construction", "tuxpaint/stamps/vehicles/farming"],
    "cup_and_drink": ["openclipart/png/food/beverages", "tuxpaint/stamps/household/dishes"],
    "fish": ["openclipart/png/animals/fish", "tuxpaint/stamps/animals/fish"],
    "flower": ["openclipart/png/plants/flowers", "tuxpaint/stamps/plants/flowers"],
    "fruit": ["openclipart/png/food/fruit", "tuxpaint/stamps/food/fruit"],
    "house": ["openclipart/png/buildings", "tuxpaint/stamps/town/houses"],
    "insect": ["openclipart/png/animals/bugs", "tuxpaint/stamps/animals/insects"],
    "mammal": ["openclipart/png/animals/mammals", "tuxpaint/stamps/animals/mammals"],
    "vegetable": ["openclipart/png/food/vegetables", "tuxpaint/stamps/food/vegetables"],
}


def centre_on_white(path: Path, size: int, margin: float = 0.06) -> Image.Image | None:
    """The object cropped to its visible pixels, fitted into a white square; None if unusable."""
    raw = Image.open(path)
    raw.load()
    alpha = raw.convert("RGBA").getchannel("A")
    image, _ = load_image(raw)
    box = alpha.point(lambda a: 255 if a > 16 else 0).getbbox()
    if box is None or min(box[2] - box[0], box[3] - box[1]) < 24:
        return None
    image = image.crop(box)
    inner = round(size * (1 - 2 * margin))
    image.thumbnail((inner, inner), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (size, size), "white")
    canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
    return canvas


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="folder holding usr/share/... (default: download the packages)")
    parser.add_argument("--out", default="data/sketch_objects")
    parser.add_argument("--size", type=int, default=286)
    args = parser.parse_args()
    root = Path(args.root) if args.root else extract_packages(PACKAGES)
    out = Path(args.out)
    for category, folders in CATEGORIES.items():
        (out / category).mkdir(parents=True, exist_ok=True)
        kept = 0
        for folder in folders:
            source = folder.split("/")[0]
            for path in sorted((root / "usr/share" / folder).rglob("*.png")):
                if "_bw" in path.stem or path.stem.endswith("bw"):
                    continue  # black-and-white duplicates of colour clip-art
                image = centre_on_white(path, args.size)
                if image is not None:
                    image.save(out / category / f"{source}_{path.stem}.jpg", quality=92)
                    kept += 1
        print(f"{category:>14}: {kept} images")


if __name__ == "__main__":
    main()
