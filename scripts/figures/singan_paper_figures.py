"""The SinGAN paper's application figures, redone with the shipped models: for each of editing,
harmonization and paint-to-image, the paper's input, its mask and the hub's result from several
start scales (the one the tab's example uses is marked), saved next to the model as <mode>.jpg
for its card; and the random samples of any size (each stretched sample example: four seeds) as
<model>/stretched.jpg.

    python scripts/figures/singan_paper_figures.py [--start-scales 1 2 3 4] [--out weights/singan]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

from demos import singan

LABEL_HEIGHT = 16


def labelled(image: Image.Image, text: str, height: int) -> Image.Image:
    """`image` scaled to `height`, with `text` written above it."""
    image = image.convert("RGB").resize((round(image.width * height / image.height), height), Image.Resampling.LANCZOS)
    tile = Image.new("RGB", (image.width, height + LABEL_HEIGHT), "white")
    tile.paste(image, (0, LABEL_HEIGHT))
    ImageDraw.Draw(tile).text((2, 2), text, fill="black")
    return tile


def figure(mode: str, start_scales: list[int], height: int = 200) -> Image.Image:
    name, editor, chosen = singan.paper_example(mode)
    painted, mask = singan.editor_parts(editor)
    tiles = [labelled(painted, "paper's input", height)]
    if mask is not None:
        tiles.append(labelled(mask, "paper's mask", height))
    for start in start_scales:
        result, _ = singan.singan_from_editor(name, editor, start, 0, mode)
        tiles.append(labelled(result, f"start scale {start}" + (" (the tab's)" if start == chosen else ""), height))
    sheet = Image.new("RGB", (sum(tile.width for tile in tiles) + 4 * (len(tiles) - 1), tiles[0].height), "white")
    x = 0
    for tile in tiles:
        sheet.paste(tile, (x, 0))
        x += tile.width + 4
    return sheet


def stretched(name: str, start_scale: int, scale_h: float, scale_v: float, height: int = 160) -> Image.Image:
    tiles = [labelled(image, f"seed {seed}, start scale {start_scale}, {scale_h:g}x wide, {scale_v:g}x high", height)
             for seed in range(4) for image in singan.singan_sample(name, 1, start_scale, scale_h, scale_v, seed)]
    sheet = Image.new("RGB", (2 * tiles[0].width + 4, 2 * tiles[0].height + 4), "white")
    for n, tile in enumerate(tiles):
        sheet.paste(tile, ((n % 2) * (tile.width + 4), (n // 2) * (tile.height + 4)))
    return sheet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start-scales", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--out", default="weights/singan", help="folder of the models (each figure goes in its model's)")
    args = parser.parse_args()
    shipped = {name for _, name in singan.model_choices()}
    for mode, (name, *_) in singan.PAPER_EXAMPLES.items():
        if name not in shipped:
            print(f"{mode}: no model {name!r} yet, skipped")
            continue
        path = Path(args.out) / name / f"{mode}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        figure(mode, args.start_scales).save(path, quality=88)
        print(path)
    for name, start_scale, scale_h, scale_v in singan.SAMPLE_EXAMPLES:
        if name in shipped and (scale_h, scale_v) != (1, 1):
            path = Path(args.out) / name / "stretched.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            stretched(name, start_scale, scale_h, scale_v).save(path, quality=88)
            print(path)


if __name__ == "__main__":
    main()
