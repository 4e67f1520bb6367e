"""Import a reference project's generator as a hub checkpoint folder.

    python scripts/checkpoints/import_reference.py latest_net_G_A.pth weights/imported/my_style --back latest_net_G_B.pth
    python scripts/checkpoints/import_reference.py netG_epoch_24.pth weights/imported/my_dogs        # PyTorch's DCGAN example
    python scripts/checkpoints/import_reference.py junyanz:edges2shoes weights/imported/edges2shoes  # a published name (online)

Under weights/imported/ (or $GANHUB_WEIGHTS/imported/) the tabs list what they can use: a CycleGAN
generator (one file: painting only; with --back: painting and back) in Catholic2Gogh, a pix2pix
U-Net from 3 to 3 channels in the sketch tab, a DCGAN generator in the dog tab.

SOURCE is a .pth state dict (read with torch.load(weights_only=True): nothing in it is run) or a
published name; OUT_DIR gets model.safetensors, config.json and a card naming the source and its licence.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.importing import PUBLISHED, CheckpointImportError, import_checkpoint  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help=f"a .pth file, or a published name ({', '.join(sorted(PUBLISHED)[:3])}, ...)")
    parser.add_argument("out_dir", help="the checkpoint folder to write; under weights/imported/ the tabs list it")
    parser.add_argument("--back", help="a CycleGAN's other direction (latest_net_G_B.pth): both become one style")
    args = parser.parse_args()
    try:
        folder = import_checkpoint(args.source, Path(args.out_dir), back=args.back)
    except CheckpointImportError as error:
        raise SystemExit(f"import_checkpoint: {error}") from None
    print(f"{args.source} -> {folder}")


if __name__ == "__main__":
    main()
