"""scripts/data/sketch_objects.py on a tiny Sketchy layout: objects cut out, framed, sketches kept."""
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent


def test_photos_come_back_as_their_object_on_white_framed_like_the_sketches(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "in" / "photo" / "apple").mkdir(parents=True)
    (tmp_path / "in" / "sketch" / "apple").mkdir(parents=True)
    for n in range(2):
        background = rng.integers(40, 120, (96, 96, 3)).astype(np.uint8)
        background[..., 1] += 60  # a textured green field
        photo = Image.fromarray(background)
        ImageDraw.Draw(photo).ellipse((10, 30, 50, 60), fill=(220, 20, 20))  # a red object, off centre, 40×30
        photo.save(tmp_path / "in" / "photo" / "apple" / f"p{n}.png")
        for k in (1, 2):
            Image.new("L", (96, 96), 255).save(tmp_path / "in" / "sketch" / "apple" / f"p{n}-{k}.png")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "data" / "sketch_objects.py"), "--sketchy", str(tmp_path / "in"),
                    "--out", str(tmp_path / "out"), "--categories", "apple", "--extent", "0.75"], check=True)
    assert sorted(p.name for p in (tmp_path / "out" / "sketch" / "apple").iterdir()) == \
        ["p0-1.png", "p0-2.png", "p1-1.png", "p1-2.png"]
    cut = np.asarray(Image.open(tmp_path / "out" / "photo" / "apple" / "p0.jpg").convert("RGB")).astype(int)
    red = (cut[..., 0] > 150) & (cut[..., 1] < 90)
    white = (cut > 235).all(-1)
    assert cut.shape == (96, 96, 3) and (red | white).mean() > 0.97  # no green field left
    ys, xs = np.nonzero(red)
    assert abs((xs.max() + 1 - xs.min()) - 0.75 * 96) <= 3  # the long side at the asked extent
    assert abs((xs.min() + xs.max()) / 2 - 47.5) <= 2 and abs((ys.min() + ys.max()) / 2 - 47.5) <= 2
