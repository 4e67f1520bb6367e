"""Train a timm classifier that names what a sketch shows.

    accelerate launch train/classifier.py --data data/sketch_objects --out runs/sketch_classifier

Uses the same data layouts as train/pix2pix.py (the Sketchy layout, or photos in category
folders whose sketches are drawn on the fly); the class is the category folder. Trained from
scratch unless --pretrained (ImageNet weights, which need the internet). The classifier is exported
to <out>/classifier with a model card holding held-out top-1 accuracy.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from core import registry
from core.data import PairTransform, open_pair_dataset
from core.training import TrainArgs, Trainer, parse_args


@dataclass
class ClassifierArgs(TrainArgs):
    """Sketch classifier training flags."""
    arch: str = "resnet10t"
    image_size: int = 128
    batch_size: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.05
    label_smoothing: float = 0.1
    pretrained: bool = False
    val_fraction: float = 0.1


@torch.no_grad()
def held_out_accuracy(model, dataset, size, device) -> dict:
    was_training = model.training
    model.eval()
    correct = top3 = count = 0
    per_class = {name: [0, 0] for name in dataset.class_names}
    for batch in DataLoader(dataset, batch_size=64):
        logits = model(prepare(batch["A"].to(device), size))
        labels = batch["label"].to(device)
        correct += (logits.argmax(-1) == labels).sum().item()
        top3 += (logits.topk(min(3, logits.shape[-1]), -1).indices == labels[:, None]).any(-1).sum().item()
        count += len(labels)
        for predicted, label in zip(logits.argmax(-1).tolist(), labels.tolist()):
            per_class[dataset.class_names[label]][0] += int(predicted == label)
            per_class[dataset.class_names[label]][1] += 1
    model.train(was_training)
    return {"top1": correct / max(count, 1), "top3": top3 / max(count, 1), "images": count,
            "per_class": per_class}


def prepare(sketch: torch.Tensor, size: int) -> torch.Tensor:
    """The classifier's input: the grey sketch in [-1, 1] at size×size."""
    return F.interpolate(sketch, size=(size, size), mode="bilinear", antialias=True, align_corners=False)


def main():
    args = parse_args(ClassifierArgs)
    load = max(256, args.image_size)
    train_set = open_pair_dataset(args.data, PairTransform(load, int(load * 1.12)), split="train",
                                  val_fraction=args.val_fraction)
    val_set = open_pair_dataset(args.data, PairTransform(load, train=False), split="val",
                                val_fraction=args.val_fraction)
    if not train_set.class_names:
        raise SystemExit(f"{args.data} has no category folders: the classifier needs classes.")
    model = registry.build("timm_classifier", arch=args.arch, class_names=train_set.class_names,
                           in_channels=1 if train_set.sketch_input else 3,
                           image_size=args.image_size, pretrained=args.pretrained)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=args.max_steps,
                                                    pct_start=0.05)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)

    def card(name):
        metrics = held_out_accuracy(trainer.unwrap("classifier"), val_set, args.image_size, trainer.device)
        return model_card(args, train_set, metrics, trainer.step, trainer.hardware())

    trainer = Trainer(args, models={"classifier": model}, optimizers={"classifier": optimizer},
                      loader=loader, exports={"classifier": "classifier"}, card_fn=card,
                      schedulers={"classifier": scheduler})
    model = trainer.models["classifier"]
    for batch in trainer:
        logits = model(prepare(batch["A"], args.image_size))
        loss = F.cross_entropy(logits, batch["label"], label_smoothing=args.label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        trainer.backward(loss)
        optimizer.step()
        trainer.log(loss=loss.item(), accuracy=(logits.argmax(-1) == batch["label"]).float().mean().item())


def model_card(args, train_set, metrics, step, hardware) -> str:
    rows = "\n".join(f"| {name} | {right}/{total} |" for name, (right, total) in metrics["per_class"].items())
    return f"""# Sketch classifier ({args.arch})

Trained by `train/classifier.py` of this hub, {"from ImageNet weights" if args.pretrained else "from scratch"}.

- Data: `{args.data}` ({len(train_set)} training images, {len(train_set.class_names)} classes)
- Steps: {step} at batch {args.batch_size}, {args.image_size} px
- Hardware: {hardware}

## Held-out metrics
On {metrics['images']} held-out sketches (of images never used in training):
top-1 accuracy **{metrics['top1']:.3f}**, top-3 accuracy {metrics['top3']:.3f}
(chance: {1 / len(train_set.class_names):.3f}).

| class | correct / held-out |
| --- | --- |
{rows}

## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
