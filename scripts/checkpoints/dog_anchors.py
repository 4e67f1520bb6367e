"""Give a trained dog generator the anchors its "anchor" truncation pulls latents towards.

A batch-norm DCGAN cannot be truncated the BigGAN way: smaller latents only fade its pictures
towards one grey-brown average (see weights/dogs/README.md). Multi-modal truncation (Mokady et al.
2022) pulls each latent towards one of many anchors instead. Here the anchors are the latents,
out of many drawn, whose pictures have the highest realism score (Kynkäänniemi et al. 2019) against
the *training* photos, in the pooled features of an ImageNet network (core.features; by default
Lite0, never the evaluation's judge, Lite2: picking in the judge's space would fit its quirks).
The checkpoint is written again with the anchors in it (config `anchors`), weights as they were.

    python scripts/checkpoints/dog_anchors.py --generator weights/dogs --data data/dogs --out weights/dogs
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core import registry  # noqa: E402
from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from core.metrics import realism  # noqa: E402
from scripts.eval.dogs import judge, load_folder  # noqa: E402


@torch.no_grad()
def pick_anchors(generator, network: str, training_photos: torch.Tensor, candidates: int, anchors: int,
                 seed: int = 0, batch: int = 500) -> tuple[torch.Tensor, np.ndarray]:
    """The `anchors` latents (of `candidates` drawn for `seed`) whose pictures score most realistic,
    best first, and every candidate's score."""
    z = torch.randn(candidates, generator.config.z_dim, generator=torch.Generator().manual_seed(seed))
    fake = np.concatenate([judge(generator(z[i:i + batch]).clamp(-1, 1), network)[0]
                           for i in range(0, candidates, batch)])
    scores = realism(fake, judge(training_photos, network)[0])
    return z[torch.from_numpy(np.argsort(-scores)[:anchors].copy())], scores


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generator", required=True)
    parser.add_argument("--data", default="data/dogs", help="holds train/ (scripts/data/dogs.py)")
    parser.add_argument("--network", default="lite0", help="a core.features network (not the judge, lite2)")
    parser.add_argument("--reference-photos", type=int, default=3000, help="training photos to score against")
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--anchors", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--int8", action="store_true", help="store conv weights as int8 (as the shipped ones are)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    old = load_checkpoint(args.generator)
    if old.config.class_names:
        raise SystemExit("anchors are for unconditional generators (a class-conditional one has its classes)")
    config = dataclasses.replace(old.config, anchors=args.anchors)
    generator = registry.build(old.registry_name, config).eval()
    keys = generator.load_state_dict({k: v for k, v in old.state_dict().items() if k != "anchors"}, strict=False)
    assert keys.missing_keys == ["anchors"] and not keys.unexpected_keys, keys  # every weight as it was
    photos = load_folder(Path(args.data) / "train")
    photos = photos[torch.randperm(len(photos), generator=torch.Generator().manual_seed(args.seed))]
    anchors, scores = pick_anchors(generator, args.network, photos[:args.reference_photos], args.candidates,
                                   args.anchors, args.seed)
    generator.anchors.copy_(anchors)
    save_checkpoint(args.out, generator, extra=old.checkpoint_extra, int8_weights=args.int8)
    chosen = np.sort(scores)[::-1][:args.anchors]
    print(f"{args.anchors} anchors of {args.candidates} candidates: realism {chosen.min():.3f}-{chosen.max():.3f} "
          f"(median of all candidates {np.median(scores):.3f}) -> {args.out}")


if __name__ == "__main__":
    main()
