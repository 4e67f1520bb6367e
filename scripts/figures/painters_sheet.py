"""One photo, every painter: the README's side-by-side sheet of the shipped styles.

Each row is a held-out photo (never seen in training), then the same photo painted by each style
through the tab's own function (demos.stylize.stylize), each column labelled with its style.

    python scripts/figures/painters_sheet.py --photos data/styles/photos/test --styles vangogh monet cezanne ukiyoe \\
        --out docs/four_painters.jpg
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.data import list_images  # noqa: E402
from demos.stylize import stylize  # noqa: E402

LABEL_HEIGHT = 22


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", required=True, help="held-out photos to draw from")
    parser.add_argument("--styles", nargs="+", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=3, help="rows (photos drawn at random)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=256, help="side of each cell")
    args = parser.parse_args()

    photos = random.Random(args.seed).sample(list_images(args.photos), args.count)
    columns = ["photo", *args.styles]
    cell = args.size
    sheet = Image.new("RGB", (cell * len(columns), LABEL_HEIGHT + cell * len(photos)), "white")
    draw = ImageDraw.Draw(sheet)
    for j, name in enumerate(columns):
        draw.text((j * cell + 6, 5), name, fill="black")
    for i, path in enumerate(photos):
        photo = Image.open(path).convert("RGB")
        cells = [photo, *(stylize(str(path), style)[0] for style in args.styles)]
        for j, image in enumerate(cells):
            sheet.paste(image.resize((cell, cell), Image.Resampling.BICUBIC), (j * cell, LABEL_HEIGHT + i * cell))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=88)
    print(f"{args.out}: {len(photos)} photos × {len(args.styles)} styles ({', '.join(p.name for p in photos)})")


if __name__ == "__main__":
    main()
