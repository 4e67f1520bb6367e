"""Held-out figures for a dog generator that can fail, and the pictures that go with them.

No Inception weights can be downloaded here, so FID and KID are computed in the feature space of a
network this project trains itself: a timm resnet10t classifying the 125 Sketchy photo categories at
64 px (2 photos per category held out; its accuracy is printed). These FIDs compare only with each
other, never with published Inception FIDs. Against the held-out dog photos it reports:
- the training photos (the floor: real against real),
- the generator at several truncations (--mode), and a baseline generator (e.g. the old 21-image one),
- variety (mean feature distance between samples), spacing (median distance from a sample to its
  nearest other sample: falls when samples bunch, as truncation towards anchors makes them) and
  closeness (mean feature distance from a sample to its nearest held-out photo: lower = more like
  some real dog),
- precision (the share of samples that fall among the held-out photos: fidelity, what truncation
  should raise) and recall (the share of held-out photos the samples cover: variety),
- memorisation: each sample's nearest training photo in pixels, against the same distance for the
  held-out photos (which no model saw), with a picture of the closest pairs.
- a sheet of 32 samples shuffled among 32 held-out photos, for a person to count the dogs in before
  reading which cells are samples (report.json): a judgement with a control beside it.

    python scripts/eval_dogs.py --generator weights/dogs --baseline path/to/old/dogs --data data/dogs \\
        --sketchy-photos ../shared/data/sketchy/photos.zip --out runs/dogs_eval
"""
from __future__ import annotations

import argparse
import io
import json
import random
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.utils import save_image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core import registry  # noqa: E402
from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from core.data import list_images  # noqa: E402
from core.metrics import distances, frechet_distance, kernel_distance, precision_recall  # noqa: E402
from core.models.dcgan import TRUNCATION_OFF, random_labels, truncated_noise  # noqa: E402

SIZE = 64
TRUNCATIONS = {"resample": (0.3, 0.5, 1.0, 2.0, 4.0), "anchor": (0.3, 0.5, 0.7, 1.0)}
SHEET_ROWS = {"resample": (0.3, 1.0, 4.0), "anchor": (0.3, 0.7, 1.0)}  # truncation.png, top to bottom


def load_folder(folder: Path) -> torch.Tensor:
    """Every image in `folder` at SIZE px, as a (N, 3, SIZE, SIZE) tensor in [-1, 1]."""
    pictures = [np.asarray(Image.open(p).convert("RGB").resize((SIZE, SIZE), Image.Resampling.LANCZOS))
                for p in list_images(folder)]
    return torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).float() / 127.5 - 1


def train_feature_network(photos_zip: str, out: Path, epochs: int, seed: int = 0):
    """A resnet10t that tells the 125 Sketchy photo categories apart, trained from scratch."""
    archive = zipfile.ZipFile(photos_zip)
    names = sorted(n for n in archive.namelist() if n.endswith(".jpg"))
    categories = sorted({n.split("/")[-2] for n in names})
    load = lambda n: np.asarray(Image.open(io.BytesIO(archive.read(n))).convert("RGB").resize((72, 72)))
    images = torch.from_numpy(np.stack([load(n) for n in names])).permute(0, 3, 1, 2)
    labels = torch.tensor([categories.index(n.split("/")[-2]) for n in names])
    rng = random.Random(seed)
    held_out = {i for c in range(len(categories)) for i in rng.sample(
        [j for j, label in enumerate(labels.tolist()) if label == c], 2)}
    train_idx = torch.tensor([i for i in range(len(names)) if i not in held_out])
    val_idx = torch.tensor(sorted(held_out))
    torch.manual_seed(seed)
    model = registry.build("timm_classifier", dict(arch="resnet10t", class_names=categories, in_channels=3,
                                                   image_size=SIZE))
    steps = epochs * (len(train_idx) // 64)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    model.train()
    for epoch in range(epochs):
        order = train_idx[torch.randperm(len(train_idx))]
        for start in range(0, len(order) - 63, 64):
            batch = order[start:start + 64]
            x, y = images[batch].float() / 127.5 - 1, labels[batch]
            dx, dy = np.random.randint(0, 9, 2)
            x = x[:, :, dy:dy + SIZE, dx:dx + SIZE]
            x = torch.where(torch.rand(len(x), 1, 1, 1) < 0.5, x.flip(3), x)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        print(f"feature network: epoch {epoch + 1}/{epochs}, loss {loss.item():.3f}", flush=True)
    model.eval()
    with torch.no_grad():
        val = images[val_idx].float()[:, :, 4:4 + SIZE, 4:4 + SIZE] / 127.5 - 1
        accuracy = (model(val).argmax(1) == labels[val_idx]).float().mean().item()
    card = (f"# Feature network for the dog figures\n\ntimm resnet10t trained from scratch by "
            f"`scripts/eval_dogs.py` on the Sketchy database's photos (125 categories, {len(train_idx)} "
            f"photos, {epochs} epochs, 64 px); top-1 on {len(val_idx)} held-out photos: {accuracy:.1%}.\n")
    save_checkpoint(out, model, card=card, extra={"held_out_top1": accuracy})


@torch.no_grad()
def features(model, images: torch.Tensor) -> np.ndarray:
    """The classifier's pooled penultimate features (what FID takes from Inception)."""
    rows = [model.net.forward_head(model.net.forward_features(images[i:i + 250]), pre_logits=True)
            for i in range(0, len(images), 250)]
    return torch.cat(rows).double().numpy()


@torch.no_grad()
def samples(generator, count: int, truncation: float, seed: int = 1, mode: str = "resample") -> torch.Tensor:
    """As the tab draws them: for a class-conditional generator, classes drawn for the seed."""
    z = truncated_noise(count, generator.config.z_dim, seed, truncation, mode, generator.anchors)
    labels = random_labels(count, len(generator.config.class_names), seed)
    return torch.cat([generator(z[i:i + 250], None if labels is None else labels[i:i + 250]).clamp(-1, 1)
                      for i in range(0, count, 250)])


def pairwise_mean(a: np.ndarray) -> float:
    return float(distances(a, a).sum() / (len(a) * (len(a) - 1)))


def nearest(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each row of a, the Euclidean distance to its nearest row of b, and that row's index."""
    a, b = a.flatten(1), b.flatten(1)
    d = (a.square().sum(1)[:, None] + b.square().sum(1)[None] - 2 * a @ b.T).clamp_min(0).sqrt()
    return d.min(dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generator", required=True)
    parser.add_argument("--baseline", help="another generator checkpoint to compare with")
    parser.add_argument("--data", default="data/dogs", help="holds train/ and test/ (scripts/build_dog_data.py)")
    parser.add_argument("--sketchy-photos", default="../shared/data/sketchy/photos.zip")
    parser.add_argument("--features", default="runs/photo_features", help="the feature network (trained if absent)")
    parser.add_argument("--feature-epochs", type=int, default=20)
    parser.add_argument("--feature-seed", type=int, default=0, help="a second network to check the first")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--mode", default="resample", choices=sorted(TRUNCATIONS), help="truncation mode")
    parser.add_argument("--sheet-truncation", type=float, help="for the 64-sample sheet (default: off)")
    parser.add_argument("--out", default="runs/dogs_eval")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    if not (Path(args.features) / "config.json").is_file():
        train_feature_network(args.sketchy_photos, Path(args.features), args.feature_epochs, args.feature_seed)
    net = load_checkpoint(args.features)
    test, train = load_folder(Path(args.data) / "test"), load_folder(Path(args.data) / "train")
    test = test[:args.count]
    train_subset = train[torch.randperm(len(train))[:len(test)]]
    test_f = features(net, test)
    report = {"feature_network_held_out_top1": net.checkpoint_extra.get("held_out_top1"),
              "held_out_photos": len(test), "training_photos": len(train), "samples": args.count}

    def row(images):
        f = features(net, images)
        kid, kid_std = kernel_distance(f, test_f)
        closeness = distances(f, test_f).min(axis=1).mean()
        precision, recall = precision_recall(f, test_f)
        others = distances(f, f) + np.diag(np.full(len(f), np.inf))
        return {"fid": round(frechet_distance(f, test_f), 2), "kid": round(kid, 4), "kid_std": round(kid_std, 4),
                "variety": round(pairwise_mean(f[:300]), 3), "closeness": round(float(closeness), 3),
                "spacing": round(float(np.median(others.min(axis=1))), 3),
                "precision": round(precision, 3), "recall": round(recall, 3)}

    report["training_photos_vs_held_out"] = row(train_subset)
    generator = load_checkpoint(args.generator)
    mode, off = args.mode, TRUNCATION_OFF[args.mode]
    sheet_truncation = args.sheet_truncation or off
    report["truncation_mode"] = mode
    report["generator"] = {str(t): row(samples(generator, args.count, t, mode=mode)) for t in TRUNCATIONS[mode]}
    if args.baseline:
        report["baseline"] = row(samples(load_checkpoint(args.baseline), args.count, TRUNCATION_OFF["resample"]))

    # Memorisation: each sample's nearest training photo, against the same for held-out photos (which
    # no model saw). In pixels a blurry sample is near many photos, so feature distance is reported too.
    fakes = samples(generator, args.count, off, mode=mode)
    train_f = torch.from_numpy(features(net, train))
    fake_f, real_f = torch.from_numpy(features(net, fakes)), torch.from_numpy(test_f)
    memorisation = {}
    for space, (fake_x, real_x, train_x) in {"pixels": (fakes, test, train),
                                             "features": (fake_f, real_f, train_f)}.items():
        fake_d, fake_i = nearest(fake_x, train_x)
        real_d, _ = nearest(real_x, train_x)
        memorisation[space] = {
            "sample_to_nearest_training_photo_median": round(fake_d.median().item(), 2),
            "held_out_photo_to_nearest_training_photo_median": round(real_d.median().item(), 2),
            "samples_closer_than_the_closest_1pct_of_held_out": round(
                (fake_d < real_d.quantile(0.01)).float().mean().item(), 4)}
    report["memorisation"] = memorisation
    closest = fake_d.argsort()[:8]  # in feature space: the samples most like one training photo
    pairs = torch.stack([torch.stack([fakes[i], train[fake_i[i]]]) for i in closest]).transpose(0, 1)
    save_image((F.interpolate(pairs.flatten(0, 1), scale_factor=2) + 1) / 2, out / "closest_pairs.png", nrow=8,
               padding=2, pad_value=1)

    sheet = samples(generator, 64, sheet_truncation, seed=0, mode=mode)
    save_image((F.interpolate(sheet, scale_factor=2) + 1) / 2, out / "contact_sheet.png", nrow=8, padding=2,
               pad_value=1)
    # A check for a person, with a control: 32 samples shuffled among 32 held-out photos (report.json's
    # "photos_and_samples_key" says which cell is which, row by row): count the dogs, then look at the key.
    shuffle = torch.Generator().manual_seed(0)
    order = torch.randperm(64, generator=shuffle)
    photos = test[torch.randperm(len(test), generator=shuffle)[:32]]
    mixed = torch.cat([samples(generator, 32, sheet_truncation, seed=2, mode=mode), photos])[order]
    save_image((F.interpolate(mixed, scale_factor=2) + 1) / 2, out / "photos_and_samples.png", nrow=8, padding=2,
               pad_value=1)
    report["photos_and_samples_key"] = ["sample" if i < 32 else "photo" for i in order.tolist()]
    rows = [samples(generator, 12, t, seed=0, mode=mode) for t in SHEET_ROWS[mode]]
    save_image((F.interpolate(torch.cat(rows), scale_factor=2) + 1) / 2, out / "truncation.png", nrow=12,
               padding=2, pad_value=1)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
