"""A contact sheet of real historical photos, grey input beside each colouriser's result.

The photos are drawn at random (seeded) from the folder, not picked by hand. Each picture is shown
in a `--cell` px box, aspect kept; the colourised photos are made at full size, then shrunk. Give
two colourisers (`--colorizer old new`) for a before-and-after sheet: grey, old, new. On held-out
colour photos, `--with-original` adds the photo itself as the last column, the truth to judge by.

    python scripts/figures/old_photo_sheet.py --colorizer weights/colorizer \\
        --photos ../shared/data/old-photos/images --count 16 --out weights/colorizer/old_photos.png
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import load_checkpoint  # noqa: E402
from core.colorize import colorize, grey_version  # noqa: E402
from core.data import list_images  # noqa: E402
from core.images import load_image  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--colorizer", nargs="+", default=["weights/colorizer"])
    parser.add_argument("--photos", required=True)
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--render-size", type=int, default=512)
    parser.add_argument("--cell", type=int, default=256)
    parser.add_argument("--columns", type=int, default=2, help="photos per row")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--with-original", action="store_true", help="show each photo as it is last (colour photos)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    generators = [load_checkpoint(folder).eval() for folder in args.colorizer]
    photos = random.Random(args.seed).sample(list_images(Path(args.photos)), args.count)
    cell, gap, per_photo = args.cell, 6, 1 + len(generators) + args.with_original
    rows = (len(photos) + args.columns - 1) // args.columns
    group = per_photo * cell + (per_photo + 1) * gap
    sheet = Image.new("RGB", (args.columns * group, rows * (cell + gap) + gap), "white")
    for n, path in enumerate(photos):
        photo = load_image(path)[0]
        grey = grey_version(photo)
        results = [colorize(generator, grey, args.render_size) for generator in generators]
        if args.with_original:
            results.append(photo)
        x = (n % args.columns) * group + gap
        y = (n // args.columns) * (cell + gap) + gap
        for k, picture in enumerate((grey, *results)):
            shown = ImageOps.contain(picture, (cell, cell), Image.Resampling.LANCZOS)
            sheet.paste(shown, (x + k * (cell + gap) + (cell - shown.width) // 2, y + (cell - shown.height) // 2))
        print(path.name)
    sheet.save(args.out)


if __name__ == "__main__":
    main()
