import numpy as np
import pytest
import torch
from PIL import Image

from core.data import (AlignedDataset, PairedFolderDataset, PairTransform, PhotoSketchDataset, SketchImages,
                       SketchyDataset, favouring_sampler, open_pair_dataset, photo_id)
from core.linedraw import xdog
from tests.conftest import draw_object

TRAIN = PairTransform(image_size=32, load_size=36)
EVAL = PairTransform(image_size=32, train=False)


def test_aligned_side_by_side(tmp_path):
    for n in range(4):
        pair = Image.new("RGB", (80, 40))
        pair.paste(Image.new("RGB", (40, 40), "red"), (0, 0))
        pair.paste(Image.new("RGB", (40, 40), "blue"), (40, 0))
        pair.save(tmp_path / f"{n}.jpg")
    dataset = open_pair_dataset(tmp_path, EVAL)
    assert isinstance(dataset, AlignedDataset) and len(dataset) == 4
    item = dataset[0]
    assert item["A"].shape == item["B"].shape == (3, 32, 32)
    assert item["A"][0].mean() > 0.9 and item["B"][2].mean() > 0.9  # red input, blue target
    reverse = AlignedDataset(tmp_path, EVAL, reverse=True)[0]
    assert reverse["A"][2].mean() > 0.9


def test_paired_folders_match_by_name(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    for name in ("x", "y"):
        Image.new("RGB", (40, 40), "black").save(tmp_path / "A" / f"{name}.png")
        Image.new("RGB", (40, 40), "white").save(tmp_path / "B" / f"{name}.jpg")
    Image.new("RGB", (40, 40)).save(tmp_path / "A" / "unpaired.png")
    dataset = open_pair_dataset(tmp_path, TRAIN)
    assert isinstance(dataset, PairedFolderDataset) and len(dataset) == 2
    item = dataset[1]
    assert item["A"].mean() < -0.9 and item["B"].mean() > 0.9


def test_sketchy_layout(tmp_path):
    for category in ("car", "teapot"):
        photos = tmp_path / "photo" / "tx_000000000000" / category
        sketches = tmp_path / "sketch" / "tx_000000000000" / category
        photos.mkdir(parents=True)
        sketches.mkdir(parents=True)
        for name in ("n01_1", "n01_2"):
            draw_object("box", 1).save(photos / f"{name}.jpg")
            for n in (1, 2, 3):
                Image.new("RGB", (64, 64), "white").save(sketches / f"{name}-{n}.png")
    dataset = open_pair_dataset(tmp_path, TRAIN)
    assert isinstance(dataset, SketchyDataset)
    assert dataset.class_names == ["car", "teapot"] and len(dataset) == 12
    item = dataset[len(dataset) - 1]
    assert item["A"].shape == (1, 32, 32) and item["B"].shape == (3, 32, 32) and item["label"] == 1
    assert item["A"].min() == 1  # the blank sketches
    drawn = open_pair_dataset(tmp_path, TRAIN, drawn_fraction=1.0)[0]["A"]
    assert drawn.min() < 0 and drawn.max() == 1  # the photo's own XDoG lines on white, in training only
    assert open_pair_dataset(tmp_path, EVAL, drawn_fraction=1.0)[0]["A"].min() == 1


def test_sketchy_layout_without_augmentation_folders(sketchy_folder):
    dataset = open_pair_dataset(sketchy_folder, TRAIN)
    assert isinstance(dataset, SketchyDataset) and dataset.class_names == ["box", "disc"]
    assert len(dataset) == 2 * 8 * 3  # the photo without a photo file gives no pairs
    discs = open_pair_dataset(sketchy_folder, TRAIN, categories=["disc"])
    assert len(discs) == 24 and {item[3] for item in discs.items} == {1}  # labels index all categories
    with pytest.raises(FileNotFoundError, match="for cat"):
        open_pair_dataset(sketchy_folder, TRAIN, categories=["cat"])


def test_sketchy_sketches_can_be_framed_like_the_photos(tmp_path):
    """A small sketch in a corner comes back centred, its long side at the asked share."""
    (tmp_path / "photo" / "car").mkdir(parents=True)
    (tmp_path / "sketch" / "car").mkdir(parents=True)
    draw_object("box", 1).save(tmp_path / "photo" / "car" / "n01.jpg")
    sketch = Image.new("L", (64, 64), 255)
    sketch.paste(0, (4, 4, 20, 12))  # 16 px wide, top left
    sketch.save(tmp_path / "sketch" / "car" / "n01-1.png")
    for extent, centre, width in [(0.0, 12 / 64 * 32, 16 / 64 * 32), (0.75, 16, 0.75 * 32)]:
        item = open_pair_dataset(tmp_path, EVAL, sketch_extent=extent)[0]
        ys, xs = np.nonzero(item["A"][0].numpy() < 0)
        assert abs((xs.min() + xs.max() + 1) / 2 - centre) <= 1 and abs(xs.max() + 1 - xs.min() - width) <= 1


def test_sketch_images_hold_every_sketch_with_photos_split_whole(sketchy_folder):
    train = SketchImages(sketchy_folder, image_size=24, split="train", val_fraction=0.3)
    val = SketchImages(sketchy_folder, image_size=24, split="val", val_fraction=0.3)
    assert len(train) + len(val) == 2 * 9 * 3  # sketches whose photo is missing count too
    assert {photo_id(p) for p in train.files}.isdisjoint({photo_id(p) for p in val.files})
    assert train.images.dtype == torch.uint8 and train.images.shape == (len(train), 1, 24, 24)
    item = val[0]
    assert item["A"].shape == (1, 24, 24) and -1 <= item["A"].min() < 0 and item["A"].max() == 1
    assert item["label"] == val.labels[0] and train.class_names == ["box", "disc"]
    flat = SketchImages(sketchy_folder / "sketch", image_size=24)  # <category>/<name>.png (TU-Berlin)
    assert len(flat) == 54


def test_favouring_sampler_draws_the_favoured_categories_as_often_as_asked():
    labels = torch.arange(4).repeat_interleave(500)  # four categories of 500 items
    names = ["a", "b", "c", "d"]
    for weight, expected_share in [(1, 0.25), (3, 0.5)]:  # weight 3: 3 × 500 against the other three 500s
        draws = torch.tensor(list(favouring_sampler(labels, names, ["a", "not there"], weight, seed=1)))
        assert len(draws) == len(labels)
        share = (labels[draws] == 0).float().mean().item()
        assert abs(share - expected_share) < 0.04, (weight, share)
    again = list(favouring_sampler(labels, names, ["a"], 3, seed=1))
    assert again == list(favouring_sampler(labels, names, ["a"], 3, seed=1))  # reproducible by seed


def test_photo_folders_get_drawn_sketches(photo_folder):
    dataset = open_pair_dataset(photo_folder, EVAL)
    assert isinstance(dataset, PhotoSketchDataset)
    assert dataset.class_names == ["box", "disc"] and len(dataset) == 24
    item = dataset[0]
    assert item["A"].shape == (1, 32, 32) and item["B"].shape == (3, 32, 32)
    assert item["A"].min() < 0 and item["A"].max() > 0.9  # dark strokes on white paper


def test_train_and_val_splits_are_disjoint_and_stable(photo_folder):
    train = PhotoSketchDataset(photo_folder, EVAL, split="train", val_fraction=0.3)
    val = PhotoSketchDataset(photo_folder, EVAL, split="val", val_fraction=0.3)
    keys = lambda d: {item[0] for item in d.items}
    assert keys(train).isdisjoint(keys(val))
    assert len(train) + len(val) == 24 and len(val) > 0
    assert keys(val) == keys(PhotoSketchDataset(photo_folder, EVAL, split="val", val_fraction=0.3))


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No A\\|B images"):
        open_pair_dataset(tmp_path, TRAIN)
    with pytest.raises(FileNotFoundError, match="No data folder"):
        open_pair_dataset(tmp_path / "missing", TRAIN)


def test_xdog_draws_thin_dark_strokes_on_white():
    sketch = np.asarray(xdog(draw_object("disc", 3, size=128)))
    ink = sketch < 128
    assert sketch.dtype == np.uint8 and set(np.unique(sketch)) <= {0, 255}
    assert 0.005 < ink.mean() < 0.2        # outlines, not filled shapes
    assert not ink[:5].any()              # the white border stays white
