"""Evaluate the sketch tab's two models on held-out Sketchy sketches, as the tab uses them.

- The classifier: top-1/top-5 on the held-out sketches as they are, and after the tab's own
  preparation (cropped, centred, pen width evened out: core.linedraw.frame_sketch),
  plus the most frequent confusions.
- The photo model: whether an ImageNet classifier that no model of the hub trains against
  (EfficientNet-Lite2, core.features) recognises its photos of held-out sketches (the right
  class in its top 5; `IMAGENET_CLASSES`), beside the real held-out photos; held-out L1/PSNR and a contact sheet of random held-out sketch / result /
  true photo triplets, each labelled with the classifier's first guess; the sketches are prepared
  for both models as the tab prepares them (demos.sketch2photo.prepare_sketch).

    python scripts/eval/sketch.py --data data/sketchy --photo-data data/sketchy_objects \
        --classifier weights/sketch_classifier --generator weights/sketch2photo \
        --sheet weights/sketch2photo/held_out_samples.jpg
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

import torch
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.checkpoint import load_checkpoint  # noqa: E402
from core.data import PairTransform, SketchyDataset, category_folders, in_split, list_images  # noqa: E402
from core.data import SEED_CATEGORIES, photo_id, sketchy_folders  # noqa: E402
from core.features import imagenet_top5  # noqa: E402
from core.images import load_image, to_image, to_tensor  # noqa: E402
from core.linedraw import frame_sketch  # noqa: E402
from core.metrics import batch_psnr, mean_target  # noqa: E402
from demos.sketch2photo import paint, prepare_sketch  # noqa: E402


@torch.no_grad()
def classifier_figures(classifier, sketches: list[Path], labels: list[int], batch_size: int = 256) -> dict:
    names = classifier.config.class_names
    figures = {}
    for how, prepare in [("as drawn", lambda p: load_image(p)[0].convert("L")),
                         ("prepared as in the tab", lambda p: frame_sketch(load_image(p)[0]))]:
        top5 = 0
        confusions, right = Counter(), Counter()  # confusions: (truth, first guess) → count
        for start in range(0, len(sketches), batch_size):
            batch = torch.stack([to_tensor(prepare(p)) for p in sketches[start:start + batch_size]])
            guesses = [list(k) for k in classifier.top_k(batch, k=5)]
            for guess, truth in zip(guesses, (names[label] for label in labels[start:start + batch_size])):
                top5 += truth in guess
                if guess[0] == truth:
                    right[truth] += 1
                else:
                    confusions[truth, guess[0]] += 1
        total = Counter(names[label] for label in labels)
        seed_right = sum(right[name] for name in SEED_CATEGORIES)
        figures[how] = {"top1": sum(right.values()) / len(sketches), "top5": top5 / len(sketches),
                        "original four categories": {name: f"{right[name]}/{total[name]}" for name in SEED_CATEGORIES},
                        "original four top1": seed_right / max(sum(total[name] for name in SEED_CATEGORIES), 1),
                        # other categories' sketches named as one of the four: what favouring them costs
                        "false alarms for the original four": {
                            name: {truth: n for (truth, guess), n in confusions.most_common() if guess == name}
                            for name in SEED_CATEGORIES},
                        "confusions": [(f"{truth} → {guess}", n) for (truth, guess), n in confusions.most_common(12)],
                        "per class": {name: f"{right[name]}/{total[name]}" for name in names}}
    return figures


@torch.no_grad()
def paint_held_out(generator, pairs: SketchyDataset) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Each held-out sketch framed as the tab frames it (for the photo model and for the classifier)
    and the photo painted from it: painted once, for every figure and the sheet."""
    painted = []
    for index in range(len(pairs)):
        for_photo, for_classifier = prepare_sketch(to_image(pairs[index]["A"]), generator)
        painted.append((for_photo, for_classifier, paint(generator, for_photo[None])[0]))
    return painted


@torch.no_grad()
def contact_sheet(painted, classifier, pairs: SketchyDataset, count: int, seed: int, columns: int = 4) -> Image.Image:
    """Rows of sketch | result | truth triplets, the classifier's first guess over each sketch."""
    chosen = random.Random(seed).sample(range(len(pairs)), min(count, len(pairs)))
    cell, gap, label_height = 160, 8, 16
    rows = -(-len(chosen) // columns)
    sheet = Image.new("RGB", (columns * (3 * cell + gap), rows * (cell + label_height)), "white")
    draw = ImageDraw.Draw(sheet)
    for n, index in enumerate(chosen):
        item = pairs[index]
        for_photo, for_classifier, photo = painted[index]
        guess, probability = next(iter(classifier.top_k(for_classifier[None], k=1)[0].items()))
        x, y = (n % columns) * (3 * cell + gap), (n // columns) * (cell + label_height)
        for k, tensor in enumerate([for_photo, photo, item["B"]]):
            sheet.paste(to_image(tensor).convert("RGB").resize((cell, cell), Image.Resampling.LANCZOS),
                        (x + k * cell, y + label_height))
        truth = pairs.class_names[item["label"]]
        draw.text((x + 2, y + 2), f"{truth}: classifier says {guess} {probability:.0%}",
                  fill=(0, 110, 0) if guess == truth else (200, 0, 0))
    return sheet


# Each photo-model category's ImageNet classes: what the judge must name for a photo to count as recognised.
IMAGENET_CLASSES = {
    "teapot": {849}, "strawberry": {949}, "teddy_bear": {850},
    "car_(sedan)": {436, 468, 511, 609, 627, 656, 661, 717, 751, 817},  # the car classes: wagon, cab, convertible, ...
}


@torch.no_grad()
def recognised(painted, pairs: SketchyDataset, judge: str = "lite2") -> dict:
    """Per category, how many generated photos (as the tab paints them: `paint_held_out`) and how
    many true photos the judge places in the category's ImageNet classes within its top 5."""
    counts = {}
    for index in range(len(pairs)):
        item = pairs[index]
        category = pairs.class_names[item["label"]]
        if category not in IMAGENET_CLASSES:
            continue
        photo = painted[index][2]
        top5 = imagenet_top5(torch.stack([photo.clamp(-1, 1), item["B"]]), judge)
        hits = [bool(IMAGENET_CLASSES[category] & set(row.tolist())) for row in top5]
        tally = counts.setdefault(category, {"generated": 0, "real photos": 0, "sketches": 0})
        tally["generated"] += hits[0]
        tally["real photos"] += hits[1]
        tally["sketches"] += 1
    total = {key: sum(t[key] for t in counts.values()) for key in ("generated", "real photos", "sketches")}
    share = lambda t, key: t[key] / max(t["sketches"], 1)  # noqa: E731
    return {"judge": f"EfficientNet-{judge.title()}, right class in top 5",
            "all": {"generated": share(total, "generated"), "real photos": share(total, "real photos"),
                    "sketches": total["sketches"]},
            "mean over the categories": {key: sum(share(t, key) for t in counts.values()) / max(len(counts), 1)
                                         for key in ("generated", "real photos")},
            **{name: {"generated": share(t, "generated"), "real photos": share(t, "real photos"), "sketches": t["sketches"]}
               for name, t in sorted(counts.items())}}


@torch.no_grad()
def photo_figures(painted, pairs: SketchyDataset, mean_photo: torch.Tensor) -> dict:
    """Held-out L1 (in [0, 1] units) and PSNR at 256 px as the tab paints, next to the mean training photo."""
    sums = {"l1": 0.0, "psnr": 0.0, "mean photo l1": 0.0, "mean photo psnr": 0.0}
    for index in range(len(pairs)):
        item = pairs[index]
        for prefix, photo in (("", painted[index][2]), ("mean photo ", mean_photo)):
            sums[prefix + "l1"] += ((photo.clamp(-1, 1) - item["B"]) / 2).abs().mean().item()
            sums[prefix + "psnr"] += batch_psnr(photo[None], item["B"][None]).item()
    return {key: value / len(pairs) for key, value in sums.items()} | {"pairs": len(pairs)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="a Sketchy-layout folder")
    parser.add_argument("--photo-data", help="the photo model's Sketchy-layout pairs (default: --data), e.g. "
                        "the cut-out photos of scripts/data/sketch_objects.py")
    parser.add_argument("--classifier", default="weights/sketch_classifier")
    parser.add_argument("--generator", default="weights/sketch2photo")
    parser.add_argument("--classifier-held-out", type=float, default=0.05)
    parser.add_argument("--generator-held-out", type=float, default=0.15)
    parser.add_argument("--sheet", help="where to write the contact sheet (PNG)")
    parser.add_argument("--count", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--photo-only", action="store_true", help="skip the classifier's figures")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    classifier = load_checkpoint(args.classifier).eval()
    sketch_root, _ = sketchy_folders(Path(args.data))
    sketches, labels = [], []
    for label, category in enumerate(category_folders(sketch_root)):
        for path in list_images(sketch_root / category):
            if in_split(photo_id(path), "val", args.classifier_held_out):
                sketches.append(path)
                labels.append(label)
    if not args.photo_only:
        print(json.dumps({"held-out sketches": len(sketches),
                          **classifier_figures(classifier, sketches, labels)}, indent=1, ensure_ascii=False))
    if args.sheet:
        generator = load_checkpoint(args.generator).eval()
        categories = generator.checkpoint_extra.get("categories")
        pairs = SketchyDataset(args.photo_data or args.data, PairTransform(256, train=False), split="val",
                               val_fraction=args.generator_held_out, categories=categories)
        training = SketchyDataset(args.photo_data or args.data, PairTransform(256, train=False), split="train",
                                  val_fraction=args.generator_held_out, categories=categories)
        mean_photo = mean_target(training)
        painted = paint_held_out(generator, pairs)
        print(json.dumps({"photo model at 256 px": photo_figures(painted, pairs, mean_photo),
                          "recognised by the judge": recognised(painted, pairs)}, indent=1))
        contact_sheet(painted, classifier, pairs, args.count, args.seed).save(args.sheet)
        print(f"{args.sheet}: {min(args.count, len(pairs))} of {len(pairs)} held-out pairs")


if __name__ == "__main__":
    main()
