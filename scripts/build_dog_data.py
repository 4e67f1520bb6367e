"""Rebuild the open dog set for the dog-generation tab: every dog picture in Debian's packages.

openclipart-png (public domain, CC0) and tuxpaint-stamps-default (GPL-2) hold about 30 dogs
(cartoon and photo-derived). Each is cropped to its visible pixels and centred on white at
128 px: data/dogs/<source>_<name>.png. A small set: the model card says so.

    python scripts/build_dog_data.py            # downloads the two .deb files with apt-get
    python scripts/build_dog_data.py --root /   # or reads them where they are installed
"""
from __future__ import annotations

import argparse
from pathlib import Path

from build_sketch_data import centre_on_white
from debian import extract_packages

PACKAGES = ["openclipart-png", "tuxpaint-stamps-default"]
FOLDERS = ["openclipart/png/animals/mammals", "openclipart/png/recreation/holiday",
           "openclipart/png/signs_and_symbols", "tuxpaint/stamps/animals/mammals/dogs"]
NOT_DOGS = ("hot_dog", "corn_dog", "no_dogs", "guarddog")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="folder holding usr/share/... (default: download the packages)")
    parser.add_argument("--out", default="data/dogs")
    parser.add_argument("--size", type=int, default=128)
    args = parser.parse_args()
    root = Path(args.root) if args.root else extract_packages(PACKAGES)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    kept = 0
    for folder in FOLDERS:
        for path in sorted((root / "usr/share" / folder).rglob("*.png")):
            name = path.stem.lower()
            if not any(word in name for word in ("dog", "puppy")) or any(word in name for word in NOT_DOGS):
                continue
            image = centre_on_white(path, args.size, margin=0.04)
            if image is not None:
                image.save(out / f"{folder.split('/')[0]}_{path.stem}.png")
                kept += 1
    print(f"{kept} dog images in {out}")


if __name__ == "__main__":
    main()
