"""Datasets for paired image-to-image training, in the layouts users already have.

Every dataset yields dicts {"A": input, "B": target, "label": class index} of [-1, 1] tensors:
- AlignedDataset: pix2pix's "A|B side by side" images (facades, maps, edges2shoes ...).
- PairedFolderDataset: root/A/x.png with root/B/x.png.
- SketchyDataset: sketch/[tx_*/]<category>/<photo-id>-<n>.png with photo/[tx_*/]<category>/<photo-id>.jpg.
- SketchImages: every sketch of a category-folder sketch set (Sketchy, TU-Berlin), in memory.
- PhotoSketchDataset: root/<category>/*.jpg photos; the sketch is drawn from each photo (XDoG).
Splits are by a hash of the photo's name, so train and val never share a photo on any machine.
"""
from __future__ import annotations

import hashlib
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image, ImageEnhance
from torch.utils.data import Dataset, WeightedRandomSampler

from core.images import load_image, resize_batch, to_tensor
from core.linedraw import frame_sketch, thicken, xdog

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


SEED_CATEGORIES = ["car_(sedan)", "teapot", "strawberry", "teddy_bear"]  # the original project's four


def sketchy_folders(root: Path, augmentation: str = "tx_000000000000") -> tuple[Path, Path]:
    """(sketch folder, photo folder) holding the category folders of a Sketchy-layout dataset.

    The full database nests them in augmentation folders (tx_000000000000 is the plain one,
    the first tx_* is taken otherwise); smaller copies put the categories right under sketch/.
    """
    sketch_root, photo_root = root / "sketch" / augmentation, root / "photo" / augmentation
    if not sketch_root.is_dir():
        found = sorted((root / "sketch").glob("tx_*"))
        sketch_root = found[0] if found else root / "sketch"
        photo_root = root / "photo" / sketch_root.name if found else root / "photo"
    return sketch_root, photo_root


def photo_id(sketch: Path) -> str:
    """Sketchy names sketches <photo-id>-<n>: splits go by photo, so a photo's sketches stay together."""
    return sketch.stem.rsplit("-", 1)[0]


def category_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


class SketchyDataset(_PairDataset):
    """The Sketchy database: several sketches per photo, the category from the folder name.

    `categories` keeps only those categories (the labels still index all of them). A
    `sketch_extent` above 0 frames every sketch at that share of its canvas (frame_sketch): the
    sketches of this copy are drawn at many sizes and places, while each photo frames its object.
    In training, `drawn_fraction` of the pairs swap the sketch for an XDoG drawing of the photo
    (pen width varied): lines that lie exactly on the photo's edges, which no hand sketch does.
    """
    sketch_input = True

    def __init__(self, root, transform: PairTransform, split="all", val_fraction=0.1,
                 categories: list[str] | None = None, sketch_extent: float = 0.0, drawn_fraction: float = 0.0):
        super().__init__(transform)
        root = Path(root)
        self.sketch_extent, self.drawn_fraction = sketch_extent, drawn_fraction
        sketch_root, photo_root = sketchy_folders(root)
        self.class_names = category_folders(sketch_root)
        for label, category in enumerate(self.class_names):
            if categories and category not in categories:
                continue
            photos = {p.stem: p for p in list_images(photo_root / category)}
            for sketch in list_images(sketch_root / category):
                key = photo_id(sketch)
                if key in photos and in_split(key, split, val_fraction):
                    self.items.append((key, sketch, photos[key], label))
        self._require(root, "sketch/photo pairs in the Sketchy layout" +
                      (f" for {', '.join(categories)}" if categories else ""))

    def load_pair(self, item, rng):
        photo = load_image(item[2])[0]
        if self.transform.train and rng.random() < self.drawn_fraction:
            return drawn_sketch(photo, self.transform.load_size, rng.randint(1, 3)), photo
        sketch = load_image(item[1])[0].convert("L")
        if self.sketch_extent:
            sketch = frame_sketch(sketch, max(sketch.size), (self.sketch_extent, self.sketch_extent))
        return sketch, photo


class SketchImages(Dataset):
    """Every sketch of a sketch set, decoded once and kept in memory at `image_size` (uint8).

    root/sketch/[tx_*/]<category>/<photo-id>-<n>.png (Sketchy: all sketches, photos not needed)
    or root/<category>/<name>.png (TU-Berlin and other sets). Sketches of one photo share a split.
    Items are {"A": 1×size×size sketch in [-1, 1], "label"}; augmentation is done on the batch.
    """

    def __init__(self, root, image_size=128, split="all", val_fraction=0.05):
        root = Path(root)
        folder = sketchy_folders(root)[0] if (root / "sketch").is_dir() else root
        self.class_names = category_folders(folder)
        self.files, labels = [], []
        for label, category in enumerate(self.class_names):
            for path in list_images(folder / category):
                if in_split(photo_id(path), split, val_fraction):
                    self.files.append(path)
                    labels.append(label)
        if not self.files:
            raise FileNotFoundError(f"No sketches in category folders under {root}.")
        self.labels = torch.tensor(labels)
        with ThreadPoolExecutor() as pool:
            chunks = [self.files[i:i + 256] for i in range(0, len(self.files), 256)]
            self.images = torch.cat(list(pool.map(lambda chunk: self._decode(chunk, image_size), chunks)))

    @staticmethod
    def _decode(paths: list[Path], size: int) -> torch.Tensor:
        batch = [resize_batch(to_tensor(load_image(p)[0].convert("L"))[None], size) for p in paths]
        return ((torch.cat(batch) + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)

    def __len__(self):
        return len(self.files)

    def __getitem__(self, index):
        return {"A": self.images[index].float() / 127.5 - 1, "label": self.labels[index]}


def favouring_sampler(labels: torch.Tensor, class_names: list[str], favoured: list[str], weight: float,
                      seed: int = 0) -> WeightedRandomSampler:
    """Draws the items of the `favoured` categories `weight` times as often as the others (one epoch's
    worth, with replacement): a prior for the categories a demo is mostly used on."""
    favoured_labels = torch.tensor([class_names.index(name) for name in favoured if name in class_names])
    weights = torch.where(torch.isin(labels, favoured_labels), float(weight), 1.0)
    return WeightedRandomSampler(weights, len(labels), generator=torch.Generator().manual_seed(seed))


def drawn_sketch(photo: Image.Image, size: int, width: int) -> Image.Image:
    """An XDoG line drawing of `photo` at size×size, its pen `width` pixels wide."""
    return thicken(xdog(photo.resize((size, size), Image.Resampling.BICUBIC)), width)


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
        width = rng.randint(1, self.max_stroke) if self.transform.train else 2
        return drawn_sketch(photo, self.transform.load_size, width), photo


def open_pair_dataset(root, transform: PairTransform, split="all", val_fraction=0.1,
                      **sketchy) -> _PairDataset:
    """Pick the layout from what is in `root`; `sketchy` (categories, sketch_extent, drawn_fraction)
    applies to the Sketchy layout."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"No data folder at {root}.")
    args = dict(split=split, val_fraction=val_fraction)
    if (root / "sketch").is_dir() and (root / "photo").is_dir():
        return SketchyDataset(root, transform, **sketchy, **args)
    if (root / "A").is_dir() and (root / "B").is_dir():
        return PairedFolderDataset(root, transform, **args)
    if any(p.is_dir() for p in root.iterdir()):
        return PhotoSketchDataset(root, transform, **args)
    return AlignedDataset(root, transform, **args)


class PhotoCrops(Dataset):
    """Random square crops of the photos in a folder (any depth): unpaired, self-supervised data.

    Each photo is rescaled so its short side lies between `image_size` and `max_zoom` times that,
    then cropped and maybe flipped; `crops_per_photo` crops per photo make one epoch, so a few large
    photos still give many different samples. `jitter` > 0 varies each training crop's brightness and
    contrast by up to ± that fraction (hue and saturation kept): the same photo never looks quite the
    same twice, so a model learns less of each photo's own colours by heart.
    """

    def __init__(self, root, image_size=256, crops_per_photo=50, max_zoom=2.0, train=True, jitter=0.0):
        self.files = list_images(root)
        if not self.files:
            raise FileNotFoundError(f"No photos found under {root}.")
        self.image_size, self.crops_per_photo = image_size, crops_per_photo
        self.max_zoom, self.train, self.jitter = max_zoom, train, jitter

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
        if self.train and self.jitter:
            for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast):
                image = enhance(image).enhance(rng.uniform(1 - self.jitter, 1 + self.jitter))
        return {"image": to_tensor(image)}


class UnpairedCrops(Dataset):
    """Unaligned domains for CycleGAN: a crop from A with a random crop from B.

    `root` holding trainA/ and trainB/ (vangogh2photo, monet2photo, cezanne2photo, ukiyoe2photo),
    or two folders given as `root_a` and `root_b`. Large images give many random crops; a larger
    `max_zoom_b` crops a small painting set at several scales (whole canvas down to a detail).
    """

    def __init__(self, root=None, root_a=None, root_b=None, image_size=256, crops_per_photo=1,
                 max_zoom=1.12, max_zoom_b=None, train=True):
        if root is not None:
            root_a, root_b = Path(root) / ("trainA" if train else "testA"), Path(root) / ("trainB" if train else "testB")
        self.a = PhotoCrops(root_a, image_size, crops_per_photo, max_zoom, train)
        self.b = PhotoCrops(root_b, image_size, crops_per_photo, max_zoom_b or max_zoom, train)

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
