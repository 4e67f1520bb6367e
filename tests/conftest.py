"""Shared fixtures: tiny generated datasets and tiny models, so the suite runs in minutes on 2 cores."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
torch.set_num_threads(2)

REPO = Path(__file__).resolve().parent.parent


def draw_object(kind: str, seed: int, size: int = 64) -> Image.Image:
    """A coloured shape on white: a stand-in photo whose category is its shape."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    colour = tuple(int(c) for c in rng.integers(0, 200, 3))
    a, b = int(size * rng.uniform(0.1, 0.3)), int(size * rng.uniform(0.7, 0.9))
    if kind == "disc":
        draw.ellipse((a, a, b, b), fill=colour, outline="black", width=2)
    else:
        draw.rectangle((a, a, b, b), fill=colour, outline="black", width=2)
    return image


@pytest.fixture(scope="session")
def photo_folder(tmp_path_factory) -> Path:
    """root/<category>/<n>.png: the photo-with-categories layout (sketches drawn by XDoG)."""
    root = tmp_path_factory.mktemp("photos")
    for kind in ("box", "disc"):
        (root / kind).mkdir()
        for n in range(12):
            draw_object(kind, n).save(root / kind / f"{kind}{n}.png")
    return root


@pytest.fixture(scope="session")
def sketchy_folder(tmp_path_factory) -> Path:
    """The Sketchy layout as in ../shared/data/sketchy: sketch/<category>/<photo-id>-<n>.png with
    photo/<category>/<photo-id>.jpg; three sketches per photo, and one photo with sketches only."""
    from core.linedraw import thicken, xdog
    root = tmp_path_factory.mktemp("sketchy")
    for kind in ("box", "disc"):
        (root / "photo" / kind).mkdir(parents=True)
        (root / "sketch" / kind).mkdir(parents=True)
        for n in range(9):
            photo = draw_object(kind, n)
            if n < 8:
                photo.save(root / "photo" / kind / f"{kind}_{n}.jpg")
            for k in (1, 2, 3):
                thicken(xdog(photo), k).save(root / "sketch" / kind / f"{kind}_{n}-{k}.png")
    return root


def launch_hub(max_queue: int = 64, concurrency: int = 2):
    """The whole hub, launched as `python app.py` would, on a free local port: (hub, url)."""
    import app
    hub = app.build_app()
    hub.queue(max_size=max_queue, default_concurrency_limit=concurrency)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hub.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    return hub, f"http://127.0.0.1:{port}/"


IMPORTED = {"imported/one_way_style": "resnet9_instance", "imported/style": "resnet9_instance",
            "imported/edges2shoes": "unet256_batch_dropout", "imported/dcgan": "dcgan_example"}


def imported_weights(root: Path) -> Path:
    """A weights folder holding what scripts/checkpoints/import_reference.py makes of the reference fixtures
    (tiny random weights) under imported/: a one-file CycleGAN style, a two-file one (the same file
    both ways), an edges2shoes-shaped pix2pix U-Net and a DCGAN example generator."""
    from safetensors.torch import load_file

    from core.importing import import_checkpoint
    for name, kind in IMPORTED.items():
        pth = root / f"{kind}.pth"
        torch.save(load_file(REPO / "tests" / "data" / "reference_checkpoints" / f"{kind}.safetensors"), pth)
        import_checkpoint(str(pth), root / name, back=str(pth) if name == "imported/style" else None)
    return root


@pytest.fixture(scope="session")
def hub_url(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:  # models trained through the hub stay in the test's folder
        patch.setenv("GANHUB_SINGAN_DIR", str(tmp_path_factory.mktemp("singan_models")))
        # the shipped weights, and imported reference generators beside them (the tabs list those too)
        patch.setenv("GANHUB_WEIGHTS", str(imported_weights(tmp_path_factory.mktemp("weights"))))
        hub, url = launch_hub()
        yield url
        hub.close()
