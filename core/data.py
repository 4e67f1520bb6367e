"""Datasets for paired image-to-image training, in the layouts users already have.

Every dataset yields dicts {"A": input, "B": target, "label": class index} of [-1, 1] tensors:
- AlignedDataset: pix2pix's "A|B side by side" images (facades, maps, edges2shoes ...).
- PairedFolderDataset: root/A/x.png with root/B/x.png.
- SketchyDataset: sketch/tx_*/<category>/<photo-id>-<n>.png with photo/tx_*/<category>/<photo-id>.jpg.
- PhotoSketchDataset: root/<category>/*.jpg photos; the sketch is drawn from each photo (XDoG).
Splits are by a hash of the photo's name, so train and val never share a photo on any machine.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from torch.utils.data import Dataset

from core.images import load_image, to_tensor
from core.linedraw import thicken, xdog

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}


def list_images(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def in_split(key: str, split: str, val_fraction: float) -> bool:
    """Stable train/val assignment from a name: the same on every machine and every run."""
    if split == "all":
        return True
    bucket = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return (bucket < val_fraction) == (split == "val")


@dataclass
class PairTransform:
    """The same random resize-crop-flip for input and target (pix2pix: 286 → crop 256, flip)."""
    image_size: int = 256
    load_size: int = 286
    flip: bool = True
    train: bool = True

    def __call__(self, a: Image.Image, b: Image.Image, rng: random.Random):
        if not self.train:
            size = (self.image_size, self.image_size)
            return a.resize(size, Image.Resampling.BICUBIC), b.resize(size, Image.Resampling.BICUBIC)
        size = (self.load_size, self.load_size)
        a, b = a.resize(size, Image.Resampling.BICUBIC), b.resize(size, Image.Resampling.BICUBIC)
        x = rng.randint(0, self.load_size - self.image_size)
        y = rng.randint(0, self.load_size - self.image_size)
        box = (x, y, x + self.image_size, y + self.image_size)
        a, b = a.crop(box), b.crop(box)
        if self.flip and rng.random() < 0.5:
            a, b = a.transpose(Image.Transpose.FLIP_LEFT_RIGHT), b.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return a, b


class _PairDataset(Dataset):
    """Shared item logic: subclasses fill self.items with (key, a_source, b_source, label)."""
    sketch_input = False  # True: A is a grey sketch and is fed as one channel

    def __init__(self, transform: PairTransform):
        self.transform = transform
        self.items: list[tuple] = []
        self.class_names: list[str] = []

    def __len__(self):
        return len(self.items)

    def load_pair(self, item) -> tuple[Image.Image, Image.Image]:
        raise NotImplementedError

    def __getitem__(self, index):
        # Training draws from `random`, which DataLoader seeds per worker from torch's seed;
        # evaluation is fixed per item.
        rng = random if self.transform.train else random.Random(index)
        a, b = self.load_pair(self.items[index], rng)
        a, b = self.transform(a, b, rng)
        return {"A": to_tensor(a), "B": to_tensor(b), "label": self.items[index][3]}

    def _require(self, root: Path, what: str):
        if not self.items:
            raise FileNotFoundError(f"No {what} found under {root}.")


class AlignedDataset(_PairDataset):
    """Each file holds A (left half) and B (right half); `reverse` swaps which half is the input."""

    def __init__(self, root, transform: PairTransform, split="all", val_fraction=0.1,
                 reverse=False):
        super().__init__(transform)
        self.reverse = reverse
        self.items = [(p.name, p, None, 0) for p in list_images(root)
                      if in_split(p.name, split, val_fraction)]
        self._require(Path(root), "A|B images")

    def load_pair(self, item, rng):
        image, _ = load_image(item[1])
        half = image.width // 2
        a, b = image.crop((0, 0, half, image.height)), image.crop((half, 0, 2 * half, image.height))
        return (b, a) if self.reverse else (a, b)


class PairedFolderDataset(_PairDataset):
    """root/A/<name> is the input for root/B/<name> (any image suffix on either side)."""

    def __init__(self, root, transform: PairTransform, split="all", val_fraction=0.1):
        super().__init__(transform)
        root = Path(root)
        targets = {p.relative_to(root / "B").with_suffix(""): p for p in list_images(root / "B")}
        for a in list_images(root / "A"):
            key = a.relative_to(root / "A").with_suffix("")
            if key in targets and in_split(str(key), split, val_fraction):
                self.items.append((str(key), a, targets[key], 0))
        self._require(root, "A/ and B/ files with matching names")

    def load_pair(self, item, rng):
        return load_image(item[1])[0], load_image(item[2])[0]


class SketchyDataset(_PairDataset):
    """The Sketchy database: several sketches per photo, the category from the folder name."""
    sketch_input = True

    def __init__(self, root, transform: PairTransform, split="all", val_fraction=0.1,
                 augmentation="tx_000000000000"):
        super().__init__(transform)
        root = Path(root)
        sketch_root = root / "sketch" / augmentation
        photo_root = root / "photo" / augmentation
        if not sketch_root.is_dir():  # fall back to the first augmentation folder there is
            found = sorted((root / "sketch").glob("tx_*"))
            sketch_root = found[0] if found else sketch_root
            photo_root = root / "photo" / sketch_root.name
        self.class_names = sorted(p.name for p in sketch_root.iterdir() if p.is_dir()) \
            if sketch_root.is_dir() else []
        for label, category in enumerate(self.class_names):
            photos = {p.stem: p for p in list_images(photo_root / category)}
            for sketch in list_images(sketch_root / category):
                photo_id = sketch.stem.rsplit("-", 1)[0]
                if photo_id in photos and in_split(photo_id, split, val_fraction):
                    self.items.append((photo_id, sketch, photos[photo_id], label))
        self._require(root, "sketch/photo pairs in the Sketchy layout")

    def load_pair(self, item, rng):
        return load_image(item[1])[0].convert("L"), load_image(item[2])[0]


class PhotoSketchDataset(_PairDataset):
    """root/<category>/<photo>: the input is an XDoG line drawing of the photo, pen width varied."""
    sketch_input = True

    def __init__(self, root, transform: PairTransform, split="all", val_fraction=0.1,
                 max_stroke: int = 3):
        super().__init__(transform)
        root = Path(root)
        self.max_stroke = max_stroke
        self.class_names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        for label, category in enumerate(self.class_names):
            for photo in list_images(root / category):
                key = f"{category}/{photo.name}"
                if in_split(key, split, val_fraction):
                    self.items.append((key, photo, photo, label))
        self._require(root, "photos in category folders")

    def load_pair(self, item, rng):
        photo = load_image(item[1])[0]
        sketch = xdog(photo.resize((self.transform.load_size,) * 2, Image.Resampling.BICUBIC))
        width = rng.randint(1, self.max_stroke) if self.transform.train else 2
        return thicken(sketch, width), photo


def open_pair_dataset(root, transform: PairTransform, split="all", val_fraction=0.1) -> _PairDataset:
    """Pick the layout from what is in `root`."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"No data folder at {root}.")
    args = dict(split=split, val_fraction=val_fraction)
    if (root / "sketch").is_dir() and (root / "photo").is_dir():
        return SketchyDataset(root, transform, **args)
    if (root / "A").is_dir() and (root / "B").is_dir():
        return PairedFolderDataset(root, transform, **args)
    if any(p.is_dir() for p in root.iterdir()):
        return PhotoSketchDataset(root, transform, **args)
    return AlignedDataset(root, transform, **args)


class PhotoCrops(Dataset):
    """Random square crops of the photos in a folder (any depth): unpaired, self-supervised data.

    Each photo is rescaled so its short side lies between `image_size` and `max_zoom` times that,
    then cropped and maybe flipped; `crops_per_photo` crops per photo make one epoch, so a few large
    photos still give many different samples.
    """

    def __init__(self, root, image_size=256, crops_per_photo=50, max_zoom=2.0, train=True):
        self.files = list_images(root)
        if not self.files:
            raise FileNotFoundError(f"No photos found under {root}.")
        self.image_size, self.crops_per_photo = image_size, crops_per_photo
        self.max_zoom, self.train = max_zoom, train

    def __len__(self):
        return len(self.files) * (self.crops_per_photo if self.train else 1)

    def __getitem__(self, index):
        rng = random if self.train else random.Random(index)
        image, _ = load_image(self.files[index % len(self.files)])
        short = self.image_size * (rng.uniform(1.0, self.max_zoom) if self.train else 1.0)
        scale = short / min(image.size)
        image = image.resize((max(self.image_size, round(image.width * scale)),
                              max(self.image_size, round(image.height * scale))), Image.Resampling.BICUBIC)
        x = rng.randint(0, image.width - self.image_size)
        y = rng.randint(0, image.height - self.image_size)
        image = image.crop((x, y, x + self.image_size, y + self.image_size))
        if self.train and rng.random() < 0.5:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return {"image": to_tensor(image)}


class UnpairedCrops(Dataset):
    """Unaligned domains for CycleGAN: a crop from A with a random crop from B.

    `root` holding trainA/ and trainB/ (vangogh2photo, monet2photo, cezanne2photo, ukiyoe2photo),
    or two folders given as `root_a` and `root_b`. Large images give many random crops.
    """

    def __init__(self, root=None, root_a=None, root_b=None, image_size=256, crops_per_photo=1,
                 max_zoom=1.12, train=True):
        if root is not None:
            root_a, root_b = Path(root) / ("trainA" if train else "testA"), Path(root) / ("trainB" if train else "testB")
        self.a = PhotoCrops(root_a, image_size, crops_per_photo, max_zoom, train)
        self.b = PhotoCrops(root_b, image_size, crops_per_photo, max_zoom, train)

    def __len__(self):
        return max(len(self.a), len(self.b))

    def __getitem__(self, index):
        other = random.randrange(len(self.b)) if self.a.train else index % len(self.b)
        return {"A": self.a[index % len(self.a)]["image"], "B": self.b[other]["image"]}


def _annotation_box(xml_path: Path) -> tuple[int, int, int, int] | None:
    """The first bounding box of a Pascal VOC annotation (Stanford Dogs' Annotation/ files)."""
    import xml.etree.ElementTree as ElementTree
    try:
        box = ElementTree.parse(xml_path).getroot().find("object/bndbox")
        return tuple(int(float(box.find(k).text)) for k in ("xmin", "ymin", "xmax", "ymax"))
    except (OSError, ElementTree.ParseError, AttributeError, TypeError, ValueError):
        return None


class GenerativeImages(Dataset):
    """Images for an unconditional or class-conditional GAN, as square crops at `image_size`.

    - Stanford Dogs: root/Images/<wnid>-<breed>/<id>.jpg with root/Annotation/<wnid>-<breed>/<id>
      (VOC XML): each dog is cropped to its box, the breed is the class;
    - a folder of class sub-folders: the sub-folder is the class (when `conditional`);
    - any folder of images (the Kaggle "Generative Dog Images" set): one class.
    """

    def __init__(self, root, image_size=64, conditional=False, flip=True):
        root = Path(root)
        self.image_size, self.flip = image_size, flip
        images = root / "Images" if (root / "Images").is_dir() else root
        folders = sorted(p for p in images.iterdir() if p.is_dir()) if images.is_dir() else []
        self.class_names = [p.name.split("-", 1)[-1] for p in folders] if conditional and folders else []
        self.items = []  # (path, box or None, label)
        for path in list_images(images):
            folder = path.parent.name
            box = _annotation_box(root / "Annotation" / folder / path.stem) if (root / "Annotation").is_dir() else None
            label = [p.name for p in folders].index(folder) if self.class_names else 0
            self.items.append((path, box, label))
        if not self.items:
            raise FileNotFoundError(f"No images found under {root}.")

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        path, box, label = self.items[index]
        image, _ = load_image(path)
        if box is not None:
            image = image.crop(box)
        side = min(image.size)  # centre square, then the training size
        left, top = (image.width - side) // 2, (image.height - side) // 2
        image = image.crop((left, top, left + side, top + side)).resize((self.image_size,) * 2, Image.Resampling.LANCZOS)
        if self.flip and random.random() < 0.5:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return {"image": to_tensor(image), "label": label}
