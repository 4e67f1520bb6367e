"""Rewrite a checkpoint with int8 conv/linear weights (a scale per output channel): about half
the size of fp16. Prints how far the model's output moved, on inputs you give, so the card can say
whether it hurt.

    python scripts/checkpoints/int8.py weights/styles/monet --photos data/styles/photos/test
    python scripts/checkpoints/int8.py weights/colorizer --photos data/colour/test     # grey inputs
    python scripts/checkpoints/int8.py weights/dogs                                     # seeded latents
    python scripts/checkpoints/int8.py weights/sketch_classifier --photos data/sketchy/sketch/cup \
        --min-size 200000     # class probabilities; only the nine largest layers in int8
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import CARD_FILE, load_checkpoint, save_checkpoint  # noqa: E402
from core.data import list_images  # noqa: E402
from core.images import load_image, to_tensor  # noqa: E402
from core.models.dcgan import random_labels, truncated_noise  # noqa: E402


@torch.no_grad()
def outputs(model, photos: list[torch.Tensor]) -> list[torch.Tensor]:
    """What the hub shows for each photo: a translator's output (a CycleGAN's painting), or a
    classifier's class probabilities."""
    if hasattr(model, "probabilities"):
        return [model.probabilities(photo[None])[0] for photo in photos]
    net = model.g_ab if hasattr(model, "g_ab") else model
    return [net.translate(photo[None])[0] for photo in photos]


@torch.no_grad()
def generated(model, count: int) -> list[torch.Tensor]:
    """What the hub shows for a generator of images from noise: `count` samples of seed 0."""
    return list(model(truncated_noise(count, model.config.z_dim, seed=0, truncation=4.0),
                      random_labels(count, len(model.config.class_names), seed=0)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("--photos", help="a folder of inputs to compare outputs on (not for a generator from noise)")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--min-size", type=int, default=256,
                        help="weights with fewer values stay fp16 (raise it where int8 shows)")
    args = parser.parse_args()
    folder = Path(args.checkpoint)
    before = load_checkpoint(folder)
    size = (folder / "model.safetensors").stat().st_size
    if hasattr(before.config, "z_dim"):  # a generator from noise
        compare = lambda model: generated(model.eval(), args.count)
    elif args.photos:
        photos = [to_tensor(load_image(p)[0]) for p in list_images(Path(args.photos))[:args.count]]
        grey_input = before.registry_name == "pretrained_colorizer"  # L in, always (as three equal channels)
        if grey_input or getattr(before.config, "in_channels", 3) == 1:  # sketch and grey-input models
            photos = [photo.mean(0, keepdim=True) for photo in photos]
        compare = lambda model: outputs(model, photos)
    else:
        raise SystemExit("--photos is needed for a model that takes images")
    reference = compare(before)
    card = (folder / CARD_FILE).read_text() if (folder / CARD_FILE).is_file() else ""
    save_checkpoint(folder, before, card=card, extra=before.checkpoint_extra, dtype=torch.float16,
                    int8_weights=True, int8_min_size=args.min_size)
    after = compare(load_checkpoint(folder))
    print(f"{folder}: {size / 1e6:.2f} MB → {(folder / 'model.safetensors').stat().st_size / 1e6:.2f} MB")
    if hasattr(before, "probabilities"):
        same = sum(int(a.argmax() == b.argmax()) for a, b in zip(after, reference))
        change = max((a - b).abs().max().item() for a, b in zip(after, reference))
        print(f"int8 against fp16 over {len(reference)} inputs: the same top-1 for {same}, "
              f"largest change of a class probability {change:.4f}")
        return
    psnr = [10 * torch.log10(4 / (a - b).square().mean()).item() for a, b in zip(after, reference)]
    print(f"int8 output against the fp16 output over {len(reference)} inputs: PSNR {sum(psnr) / len(psnr):.1f} dB "
          f"(worst {min(psnr):.1f} dB)")


if __name__ == "__main__":
    main()
