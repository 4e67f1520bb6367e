"""Import a reference project's generator as a hub checkpoint folder.

    python scripts/import_checkpoint.py latest_net_G.pth weights/styles/my_style_g   # a junyanz file
    python scripts/import_checkpoint.py netG_epoch_24.pth weights/my_dogs              # PyTorch's DCGAN example
    python scripts/import_checkpoint.py junyanz:style_vangogh runs/imported/vangogh    # a published name (online)

SOURCE is a .pth state dict (read with torch.load(weights_only=True): nothing in it is run) or a
published name; OUT_DIR gets model.safetensors, config.json and a card naming the source and its licence.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.importing import PUBLISHED, CheckpointImportError, import_checkpoint  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help=f"a .pth file, or a published name ({', '.join(sorted(PUBLISHED)[:3])}, ...)")
    parser.add_argument("out_dir")
    args = parser.parse_args()
    try:
        folder = import_checkpoint(args.source, Path(args.out_dir))
    except CheckpointImportError as error:
        raise SystemExit(f"import_checkpoint: {error}") from None
    print(f"{args.source} -> {folder}")


if __name__ == "__main__":
    main()
