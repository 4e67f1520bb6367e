"""Sketchy pairs with the photo's object cut out onto white: what the sketch → photo model learns from.

A Sketchy sketch draws the object and nothing of its background (a kitchen, a street, a bed), and
this copy's sketches sit at other places and sizes than the objects in their photos. So each photo
is cut out with GrabCut (OpenCV; started from the whole frame less a 3% margin, the largest piece
kept), cropped to the object and centred on a white square with the object's long side at
--extent of it: the same framing the training script and the tab give every sketch
(`--sketch-extent`). Photos whose cut-out keeps less than --min-area of the frame are left out
(GrabCut lost the object). The sketches are copied as they are, in the same Sketchy layout, so
`train/pix2pix.py --data OUT --sketch-extent EXTENT` reads the result. GrabCut's random start follows
OpenCV's generator through the run: the same command gives the same cut-outs (checked), another list
of categories slightly different ones.

    pip install opencv-python-headless   # for this script only
    python scripts/data/sketch_objects.py --sketchy data/sketchy --out data/sketchy_objects \\
        --categories "car_(sedan),teapot,strawberry,teddy_bear"
"""
from __future__ import annotations

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.data import list_images, photo_id, sketchy_folders  # noqa: E402
from core.images import centred_on_square, load_image  # noqa: E402

MARGIN = 0.03  # GrabCut's starting rectangle leaves this share of each side as sure background


def object_mask(photo: Image.Image, iterations: int = 5) -> np.ndarray:
    """HxW bool mask of the photo's main object: GrabCut from the frame less a margin, largest piece."""
    try:
        import cv2
    except ImportError:
        raise SystemExit("This script needs OpenCV: pip install opencv-python-headless") from None
    bgr = np.ascontiguousarray(np.asarray(photo.convert("RGB"))[..., ::-1])
    h, w = bgr.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    rect = (round(MARGIN * w), round(MARGIN * h), round((1 - 2 * MARGIN) * w), round((1 - 2 * MARGIN) * h))
    cv2.grabCut(bgr, mask, rect, np.zeros((1, 65)), np.zeros((1, 65)), iterations, cv2.GC_INIT_WITH_RECT)
    foreground = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(foreground, connectivity=8)
    if count <= 1:
        return np.zeros((h, w), bool)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def cut_out(photo: Image.Image, mask: np.ndarray, extent: float) -> Image.Image:
    """The masked object on white, cropped to it, centred with its long side at `extent` of the square."""
    rgb = np.asarray(photo.convert("RGB")).copy()
    rgb[~mask] = 255
    ys, xs = np.nonzero(mask)
    crop = Image.fromarray(rgb).crop((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
    return centred_on_square(crop, max(photo.size), extent)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sketchy", required=True, help="a Sketchy-layout folder (sketch/ and photo/)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--categories", required=True, help="comma-separated Sketchy categories")
    parser.add_argument("--extent", type=float, default=0.9)
    parser.add_argument("--min-area", type=float, default=0.05)
    args = parser.parse_args()
    sketch_root, photo_root = sketchy_folders(Path(args.sketchy))
    out = Path(args.out)
    for category in [c.strip() for c in args.categories.split(",") if c.strip()]:
        (out / "photo" / category).mkdir(parents=True, exist_ok=True)
        (out / "sketch" / category).mkdir(parents=True, exist_ok=True)
        sketches = defaultdict(list)
        for sketch in list_images(sketch_root / category):
            sketches[photo_id(sketch)].append(sketch)
        kept, dropped = 0, []
        for path in list_images(photo_root / category):
            photo, _ = load_image(path)
            mask = object_mask(photo)
            if mask.mean() < args.min_area:
                dropped.append(path.stem)
                continue
            cut_out(photo, mask, args.extent).save(out / "photo" / category / f"{path.stem}.jpg", quality=95)
            for sketch in sketches[path.stem]:
                shutil.copy(sketch, out / "sketch" / category / sketch.name)
            kept += 1
        print(f"{category}: {kept} photos cut out" + (f", left out {len(dropped)}: {', '.join(dropped)}" if dropped else ""))


if __name__ == "__main__":
    main()
