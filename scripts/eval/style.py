"""Held-out figures for a CycleGAN style, and its contact sheet.

On photos no model saw, it paints each one and paints it back, then reports:
- reconstruction PSNR (photo → painting → photo against the photo),
- how far the paintings moved towards the painter, in two distances to the painter's held-out
  paintings, each between 0 (same distribution) and 1: colour (total variation between the sets'
  joint RGB histograms, 8 bins a channel) and texture (total variation between the sets'
  histograms of lightness-gradient magnitude). The same distances are given for the untouched
  photos (where the paintings start from) and for the painter's training paintings (the floor:
  real against real).

    python scripts/eval/style.py --style weights/styles/vangogh --photos data/styles/photos/test \\
        --paintings data/styles/vangogh/test --train-paintings data/styles/vangogh/train \\
        --sheet weights/styles/vangogh/held_out_samples.jpg
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import load_checkpoint  # noqa: E402
from core.data import list_images  # noqa: E402
from core.images import load_image, to_image, to_tensor  # noqa: E402
from core.metrics import psnr  # noqa: E402

GRADIENT_BINS = np.concatenate([[0], np.geomspace(1, 256, 24)])


def colour_histogram(images: list[Image.Image]) -> np.ndarray:
    counts = np.zeros(512)
    for image in images:
        rgb = np.asarray(image.convert("RGB")) // 32
        counts += np.bincount((rgb[..., 0] * 64 + rgb[..., 1] * 8 + rgb[..., 2]).ravel(), minlength=512)
    return counts / counts.sum()


def gradient_histogram(images: list[Image.Image]) -> np.ndarray:
    counts = np.zeros(len(GRADIENT_BINS) - 1)
    for image in images:
        grey = np.asarray(image.convert("L"), dtype=np.float64)
        magnitude = np.hypot(np.diff(grey, axis=0)[:, :-1], np.diff(grey, axis=1)[:-1])
        counts += np.histogram(np.clip(magnitude, 0, 255.9), GRADIENT_BINS)[0]
    return counts / counts.sum()


def distances(images: list[Image.Image], reference: list[Image.Image]) -> dict:
    """Total variation between the two sets' colour and texture histograms (0 = the same)."""
    tv = lambda p, q: 0.5 * float(np.abs(p - q).sum())
    return {"colour": tv(colour_histogram(images), colour_histogram(reference)),
            "texture": tv(gradient_histogram(images), gradient_histogram(reference))}


@torch.no_grad()
def paint(model, photos: list[Image.Image]) -> tuple[list[Image.Image], list[Image.Image]]:
    paintings, reconstructions = [], []
    for photo in photos:
        x = to_tensor(photo)[None]
        painting = model.g_ab.translate(x)
        paintings.append(to_image(painting[0]))
        reconstructions.append(to_image(model.g_ba.translate(painting)[0]))
    return paintings, reconstructions


def contact_sheet(photos, paintings, reconstructions, references, count: int, seed: int) -> Image.Image:
    """Rows of photo | painting | reconstruction, then a row of the painter's held-out paintings."""
    chosen = random.Random(seed).sample(range(len(photos)), min(count, len(photos)))
    cell, columns = 192, 2
    rows = -(-len(chosen) // columns)
    sheet = Image.new("RGB", (columns * 3 * cell + (columns - 1) * 8, (rows + 1) * cell + 8), "white")
    for n, index in enumerate(chosen):
        x, y = (n % columns) * (3 * cell + 8), (n // columns) * cell
        for k, image in enumerate([photos[index], paintings[index], reconstructions[index]]):
            sheet.paste(image.resize((cell, cell), Image.Resampling.LANCZOS), (x + k * cell, y))
    for k, image in enumerate(random.Random(seed).sample(references, min(len(references), 3 * columns))):
        sheet.paste(image.resize((cell, cell), Image.Resampling.LANCZOS), (k * cell, rows * cell + 8))
    return sheet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--style", required=True, help="a CycleGAN checkpoint folder")
    parser.add_argument("--photos", required=True, help="held-out photos")
    parser.add_argument("--paintings", required=True, help="the painter's held-out paintings")
    parser.add_argument("--train-paintings", help="the painter's training paintings (the real-vs-real floor)")
    parser.add_argument("--sheet", help="where to write the contact sheet (PNG)")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = load_checkpoint(args.style).eval()
    photos = [load_image(p)[0] for p in list_images(Path(args.photos))]
    references = [load_image(p)[0] for p in list_images(Path(args.paintings))]
    paintings, reconstructions = paint(model, photos)
    figures = {"photos": len(photos), "held-out paintings": len(references),
               "reconstruction PSNR (dB)": float(np.mean([psnr(r, p) for r, p in zip(reconstructions, photos)])),
               "distance to the paintings": {"untouched photos": distances(photos, references),
                                             "painted photos": distances(paintings, references)}}
    if args.train_paintings:
        training = [load_image(p)[0] for p in list_images(Path(args.train_paintings))]
        figures["distance to the paintings"]["training paintings (floor)"] = distances(training, references)
    print(json.dumps(figures, indent=1))
    if args.sheet:
        contact_sheet(photos, paintings, reconstructions, references, args.count, args.seed).save(args.sheet)


if __name__ == "__main__":
    main()
