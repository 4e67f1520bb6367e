"""scripts/data/colour.py on tiny sets: grey photos left out, and more training dogs never move the test split."""
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def _jpeg(rng, grey=False):
    pixels = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    if grey:
        pixels[..., 1] = pixels[..., 2] = pixels[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def _build(tmp_path, out, more_dogs):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "data" / "colour.py"),
                    "--landscapes", str(tmp_path / "landscapes"), "--sketchy-photos", str(tmp_path / "photos.zip"),
                    "--dogs", str(tmp_path / "dogs.zip"), "--dogs-count", "4", "--test", "3",
                    "--more-train-dogs", str(more_dogs), "--out", str(tmp_path / out)], check=True)
    return {split: sorted(p.name for p in (tmp_path / out / split).iterdir()) for split in ("train", "test")}


def test_grey_photos_are_left_out_and_more_dogs_go_to_train_only(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "landscapes").mkdir()
    for n in range(4):
        (tmp_path / "landscapes" / f"l{n}.jpg").write_bytes(_jpeg(rng, grey=n == 0))
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as sketchy:
        for n in range(4):
            sketchy.writestr(f"photo/apple/a{n}.jpg", _jpeg(rng))
    with zipfile.ZipFile(tmp_path / "dogs.zip", "w") as dogs:
        for n in range(10):
            dogs.writestr(f"dogs/dog.{n}.jpg", _jpeg(rng))

    plain = _build(tmp_path, "plain", more_dogs=0)
    assert "landscape_l0.jpg" not in plain["train"] + plain["test"]  # the grey one
    assert len(plain["train"]) + len(plain["test"]) == 3 + 4 + 4 and len(plain["test"]) == 3

    more = _build(tmp_path, "more", more_dogs=5)
    assert more["test"] == plain["test"]
    added = set(more["train"]) - set(plain["train"])
    assert set(plain["train"]) <= set(more["train"]) and len(added) == 5
    assert all(name.startswith("dogs_") for name in added)
    assert len(set(more["train"]) | set(more["test"])) == 3 + 4 + 9  # every dog at most once
