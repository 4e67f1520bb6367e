"""Held-out figures for a dog generator that can fail, and the pictures that go with them.

The judge is EfficientNet-Lite2 (ImageNet-trained, from PyPI through core.features), a network no
model of the hub trains against (the projected discriminator uses Lite0): each image is resized
bicubically to 297 px on its short side, centre-cropped to 260 and scaled to [-1, 1]. Against the
held-out dog photos it reports, for the training photos (real against real: the floor), the
generator at several truncations (--mode) and a baseline generator (e.g. the previous shipped one):
- dog share: the share of images whose top-1 ImageNet class is a dog breed (classes 151-268),
- the Fréchet distance in Lite2's pooled 1280-d features (FID's formula, another network),
- variety (mean feature distance between samples), spacing (median distance from a sample to its
  nearest other sample: falls when samples bunch, as truncation towards anchors makes them) and
  closeness (mean feature distance from a sample to its nearest held-out photo),
- precision (the share of samples that fall among the held-out photos: fidelity, what truncation
  should raise) and recall (the share of held-out photos the samples cover: variety),
- memorisation: each sample's nearest training photo, in pixels (all of them) and in Lite2 features
  (a random subset, --memorisation-photos), against the same distance for the held-out photos,
  with a picture of the closest pairs,
- a sheet of 32 samples shuffled among 32 held-out photos, for a person to count the dogs in before
  reading which cells are samples (report.json): a judgement with a control beside it; --sheet-seed
  lays it out afresh for a counter who has seen a key before.
--features adds the figures of a second, project-trained network (a resnet10t on Sketchy photos, the
judge of earlier cards), trained from --sketchy-photos if the folder does not exist yet.

    python scripts/eval/dogs.py --generator weights/dogs --baseline path/to/old/dogs --data data/dogs \\
        --out runs/dogs_eval
"""
from __future__ import annotations

import argparse
import hashlib
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core import registry  # noqa: E402
from core.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from core.features import DOG_CLASSES, judge_view, pretrained_features  # noqa: E402
from core.data import list_images  # noqa: E402
from core.metrics import distances, frechet_distance, kernel_distance, precision_recall  # noqa: E402
from core.models.dcgan import TRUNCATION_OFF, random_labels, truncated_noise  # noqa: E402

SIZE = 64
JUDGE = "lite2"  # never trained against
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
            f"`scripts/eval/dogs.py` on the Sketchy database's photos (125 categories, {len(train_idx)} "
            f"photos, {epochs} epochs, 64 px); top-1 on {len(val_idx)} held-out photos: {accuracy:.1%}.\n")
    save_checkpoint(out, model, card=card, extra={"held_out_top1": accuracy})


@torch.no_grad()
def features(model, images: torch.Tensor) -> np.ndarray:
    """The project network's pooled penultimate features (what FID takes from Inception)."""
    rows = [model.net.forward_head(model.net.forward_features(images[i:i + 250]), pre_logits=True)
            for i in range(0, len(images), 250)]
    return torch.cat(rows).double().numpy()


@torch.no_grad()
def judge(images: torch.Tensor, network: str = JUDGE, batch: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """An ImageNet network's pooled features of each image, seen as it is evaluated, and whether its
    top-1 class is a dog breed."""
    net = pretrained_features(network)
    pooled, dog = [], []
    for i in range(0, len(images), batch):
        f = net.pooled(judge_view(images[i:i + batch], net.imagenet_size))
        pooled.append(f.double().numpy())
        dog.append(torch.isin(net.classify(f).argmax(1), torch.tensor(DOG_CLASSES)).numpy())
    return np.concatenate(pooled), np.concatenate(dog)


@torch.no_grad()
def samples(generator, count: int, truncation: float, seed: int = 1, mode: str = "resample") -> torch.Tensor:
    """As the tab draws them: for a class-conditional generator, classes drawn for the seed."""
    z = truncated_noise(count, generator.config.z_dim, seed, truncation, mode, generator.anchors)
    labels = random_labels(count, len(generator.config.class_names), seed)
    return torch.cat([generator(z[i:i + 250], None if labels is None else labels[i:i + 250]).clamp(-1, 1)
                      for i in range(0, count, 250)])


def judge_once(path: Path, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """judge(images), kept in `path` for the next run: real photos (and a baseline) are judged once,
    not again for every generator (the judge takes about 0.1 s an image on 2 CPU cores)."""
    if path.is_file():
        saved = np.load(path)
        if len(saved["features"]) == len(images):
            return saved["features"], saved["dog"]
    features_, dog = judge(images)
    np.savez(path, features=features_, dog=dog)
    return features_, dog


def sheet_layout(seed: int, photos: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    """The photos-and-samples sheet for a seed: the order of its 64 cells (0-31 samples, 32-63 photos),
    which held-out photos it shows and the samples' latent seed (seed 0: the layout of the cards)."""
    shuffle = torch.Generator().manual_seed(seed)
    order = torch.randperm(64, generator=shuffle)
    return order, torch.randperm(photos, generator=shuffle)[:32], 2 + seed


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
    parser.add_argument("--data", default="data/dogs", help="holds train/ and test/ (scripts/data/dogs.py)")
    parser.add_argument("--features", help="a second, project-trained feature network (trained if absent)")
    parser.add_argument("--sketchy-photos", default="../shared/data/sketchy/photos.zip")
    parser.add_argument("--feature-epochs", type=int, default=20)
    parser.add_argument("--feature-seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--mode", default="resample", choices=sorted(TRUNCATIONS), help="truncation mode")
    parser.add_argument("--truncations", help="comma-separated (default: the mode's usual ones)")
    parser.add_argument("--memorisation-photos", type=int, default=2000, help="training photos judged for it")
    parser.add_argument("--sheet-truncation", type=float, help="for the 64-sample sheet (default: off)")
    parser.add_argument("--sheet-seed", type=int, default=0,
                        help="the photos-and-samples sheet's layout: a new seed for each count by a person who has "
                             "seen a key before (a known layout tells where the samples are)")
    parser.add_argument("--out", default="runs/dogs_eval", help="also keeps the judged real photos for the next run")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    test, train = load_folder(Path(args.data) / "test"), load_folder(Path(args.data) / "train")
    test = test[:args.count]
    train_subset = train[torch.randperm(len(train))[:len(test)]]
    # The judged real photos are kept for the next run with the same data (and baseline).
    tag = lambda *keys: hashlib.md5("|".join(map(str, keys)).encode()).hexdigest()[:10]
    reals = tag(Path(args.data).resolve(), args.count, args.memorisation_photos)
    test_f, test_dog = judge_once(out / f"judged_held_out_{reals}.npz", test)
    report = {"judge": f"EfficientNet-{JUDGE.title()} (ImageNet), pooled features, 297 px short side, centre 260",
              "held_out_photos": len(test), "training_photos": len(train), "samples": args.count,
              "held_out_photos_dog_share": round(float(test_dog.mean()), 3)}

    def row(images, judged=None):
        f, dog = judged if judged is not None else judge(images)
        kid, kid_std = kernel_distance(f, test_f)
        closeness = distances(f, test_f).min(axis=1).mean()
        precision, recall = precision_recall(f, test_f)
        others = distances(f, f) + np.diag(np.full(len(f), np.inf))
        return {"dog_share": round(float(dog.mean()), 3), "fd": round(frechet_distance(f, test_f), 2),
                "kid": round(kid, 4), "kid_std": round(kid_std, 4),
                "variety": round(pairwise_mean(f[:300]), 3), "closeness": round(float(closeness), 3),
                "spacing": round(float(np.median(others.min(axis=1))), 3),
                "precision": round(precision, 3), "recall": round(recall, 3)}

    report["training_photos_vs_held_out"] = row(train_subset, judge_once(out / f"judged_training_{reals}.npz", train_subset))
    generator = load_checkpoint(args.generator)
    mode, off = args.mode, TRUNCATION_OFF[args.mode]
    truncations = [float(t) for t in args.truncations.split(",")] if args.truncations else TRUNCATIONS[mode]
    sheet_truncation = args.sheet_truncation or off
    report["truncation_mode"] = mode
    fakes = samples(generator, args.count, off, mode=mode)  # untruncated: what the figures that matter judge
    fake_judged = judge(fakes)
    report["generator"] = {str(t): row(fakes, fake_judged) if t == off else
                           row(samples(generator, args.count, t, mode=mode)) for t in truncations}
    old = load_checkpoint(args.baseline) if args.baseline else None
    if old is not None:
        baseline = samples(old, args.count, TRUNCATION_OFF["resample"])
        report["baseline"] = row(baseline, judge_once(out / f"judged_baseline_{tag(Path(args.baseline).resolve(), args.count)}.npz", baseline))
    if args.features:
        report["second_network"] = second_network(args, train_subset, test, fakes, old)

    # Memorisation: each sample's nearest training photo, against the same for held-out photos (which
    # no model saw). In pixels a blurry sample is near many photos, so feature distance is reported too.
    judged_train = train[torch.randperm(len(train))[:args.memorisation_photos]]
    train_f = torch.from_numpy(judge_once(out / f"judged_memorisation_{reals}.npz", judged_train)[0])
    fake_f, real_f = torch.from_numpy(fake_judged[0]), torch.from_numpy(test_f)
    memorisation = {}
    for space, (fake_x, real_x, train_x) in {"pixels": (fakes, test, train),
                                             "features": (fake_f, real_f, train_f)}.items():
        fake_d, fake_i = nearest(fake_x, train_x)
        real_d, _ = nearest(real_x, train_x)
        memorisation[space] = {
            "training_photos": len(train_x),
            "sample_to_nearest_training_photo_median": round(fake_d.median().item(), 2),
            "held_out_photo_to_nearest_training_photo_median": round(real_d.median().item(), 2),
            "samples_closer_than_the_closest_1pct_of_held_out": round(
                (fake_d < real_d.quantile(0.01)).float().mean().item(), 4)}
    report["memorisation"] = memorisation
    closest = fake_d.argsort()[:8]  # in feature space: the samples most like one training photo
    pairs = torch.stack([torch.stack([fakes[i], judged_train[fake_i[i]]]) for i in closest]).transpose(0, 1)
    save_image((F.interpolate(pairs.flatten(0, 1), scale_factor=2) + 1) / 2, out / "closest_pairs.png", nrow=8,
               padding=2, pad_value=1)

    sheet = samples(generator, 64, sheet_truncation, seed=0, mode=mode)
    save_image((F.interpolate(sheet, scale_factor=2) + 1) / 2, out / "contact_sheet.png", nrow=8, padding=2,
               pad_value=1)
    # A check for a person, with a control: 32 samples shuffled among 32 held-out photos (report.json's
    # "photos_and_samples_key" says which cell is which, row by row): count the dogs, then look at the key.
    order, photo_indices, sample_seed = sheet_layout(args.sheet_seed, len(test))
    mixed = torch.cat([samples(generator, 32, sheet_truncation, seed=sample_seed, mode=mode), test[photo_indices]])[order]
    save_image((F.interpolate(mixed, scale_factor=2) + 1) / 2, out / "photos_and_samples.png", nrow=8, padding=2,
               pad_value=1)
    report["photos_and_samples_seed"] = args.sheet_seed
    report["photos_and_samples_key"] = ["sample" if i < 32 else "photo" for i in order.tolist()]
    rows = [samples(generator, 12, t, seed=0, mode=mode) for t in SHEET_ROWS[mode]]
    save_image((F.interpolate(torch.cat(rows), scale_factor=2) + 1) / 2, out / "truncation.png", nrow=12,
               padding=2, pad_value=1)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    # The sheet's key stays in report.json: printed here, it would scroll past whoever is about to count.
    print(json.dumps({k: v for k, v in report.items() if k != "photos_and_samples_key"}, indent=1))


def second_network(args, train_subset, test, fakes, old) -> dict:
    """FID, precision and recall in the project-trained resnet10t, for the untruncated rows."""
    if not (Path(args.features) / "config.json").is_file():
        train_feature_network(args.sketchy_photos, Path(args.features), args.feature_epochs, args.feature_seed)
    net = load_checkpoint(args.features)
    test_f = features(net, test)

    def row(images):
        f = features(net, images)
        precision, recall = precision_recall(f, test_f)
        return {"fid": round(frechet_distance(f, test_f), 2), "precision": round(precision, 3),
                "recall": round(recall, 3)}

    result = {"network": f"resnet10t on Sketchy photos, top-1 {net.checkpoint_extra.get('held_out_top1')}",
              "training_photos_vs_held_out": row(train_subset), "generator_untruncated": row(fakes)}
    if old is not None:
        result["baseline"] = row(samples(old, len(fakes), TRUNCATION_OFF["resample"]))
    return result


if __name__ == "__main__":
    main()
