"""Measure, and take out, a regression colouriser's constant colour shift: the mean Lab a*, b* of
its output minus the truth's, over training photos made grey. The KL term in ImageNet classifiers
(train/colorize.py --semantic) pushes the whole output towards red (a* +2 to +3, the beige-pink of
rivers and faces); the shift is taken off the ab head's bias, which changes nothing else. Measure it
on training photos, never on the held-out split it is then judged on.

    python scripts/checkpoints/colour_shift.py runs/colour_recog/colorizer --photos data/colour/train --out runs/colour_recog_unshifted
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import CARD_FILE, load_checkpoint, save_checkpoint  # noqa: E402
from core.color import normalize_ab, rgb_to_lab  # noqa: E402
from core.colorize import colorize, grey_version  # noqa: E402
from core.data import list_images  # noqa: E402
from core.images import load_image, to_tensor  # noqa: E402


def mean_ab(image) -> torch.Tensor:
    """Mean Lab (a*, b*) of an RGB image."""
    return rgb_to_lab((to_tensor(image.convert("RGB"))[None] + 1) / 2)[0, 1:].mean((1, 2))


@torch.no_grad()
def colour_shift(generator, photos: list[Path], render_size: int = 256) -> torch.Tensor:
    """Mean (a*, b*) of the colourised grey photos minus that of the photos themselves."""
    shifts = []
    for path in photos:
        truth, _ = load_image(path)
        shifts.append(mean_ab(colorize(generator, grey_version(truth), render_size)) - mean_ab(truth))
    return torch.stack(shifts).mean(0)


def remove_shift(generator, shift: torch.Tensor) -> None:
    """Take `shift` (Lab a*, b*) off the ab head's bias (before its tanh, where the slope is ~1)."""
    if getattr(generator.config, "head", "") != "ab":
        raise ValueError("only a regression colouriser (pretrained_colorizer, head 'ab') has one bias to move")
    with torch.no_grad():
        generator.head[0].bias -= normalize_ab(shift.to(generator.head[0].bias))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("colorizer")
    parser.add_argument("--photos", required=True, help="training photos (not the held-out split)")
    parser.add_argument("--count", type=int, default=200, help="photos measured, spread evenly over the folder")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    generator = load_checkpoint(args.colorizer).eval()
    files = list_images(Path(args.photos))
    photos = files[::max(1, len(files) // args.count)][:args.count]
    shift = colour_shift(generator, photos)
    remove_shift(generator, shift)
    left = colour_shift(generator, photos)
    card = Path(args.colorizer, CARD_FILE)
    save_checkpoint(args.out, generator, card=card.read_text() if card.is_file() else "",
                    extra=generator.checkpoint_extra, dtype=torch.float16)
    print(f"colour shift over {len(photos)} photos: a* {shift[0]:+.2f}, b* {shift[1]:+.2f}; "
          f"after taking it off the head's bias: a* {left[0]:+.2f}, b* {left[1]:+.2f}")


if __name__ == "__main__":
    main()
