"""SinGAN: the pyramid, training (and resuming) with train/singan.py, and every application on a
tiny model trained here."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from conftest import REPO
from core import singan as apps
from core.checkpoint import load_checkpoint
from core.images import ImageInputError
from core.models.singan import PatchCritic, ScaleGenerator, pyramid_sizes, resize
from demos import common, singan

TINY = ["--max-size", "32", "--min-size", "12", "--max-steps", "4", "--sample-every", "2", "--save-every", "2"]


def train(image, out, *flags):
    return subprocess.run([sys.executable, str(REPO / "train" / "singan.py"), "--image", str(image),
                           "--out", str(out), *TINY, *flags], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    path = tmp_path_factory.mktemp("singan") / "stripes.png"
    image = Image.new("RGB", (48, 36), (30, 90, 160))
    draw = ImageDraw.Draw(image)
    for x in range(0, 48, 8):
        draw.rectangle((x, 0, x + 3, 36), fill=(230, 200, 40))
    image.save(path)
    return path


@pytest.fixture(scope="module")
def trained(picture, tmp_path_factory):
    out = tmp_path_factory.mktemp("singan_run")
    result = train(picture, out, "--name", "stripes")
    assert result.returncode == 0, result.stderr[-2000:]
    return out


@pytest.fixture()
def user_model(trained, tmp_path, monkeypatch):
    """The tiny model as if trained in the hub, under the name 'stripes'."""
    monkeypatch.setenv("GANHUB_SINGAN_DIR", str(tmp_path))
    shutil.copytree(trained / "singan", tmp_path / "stripes")
    common.clear_models()
    yield "stripes"
    common.clear_models()


def test_pyramid_goes_from_min_size_to_max_size_by_about_three_quarters():
    sizes = pyramid_sizes(600, 800, min_size=25, max_size=250)
    assert sizes[-1] == [188, 250] and min(sizes[0]) == 25
    ratios = [sizes[k][1] / sizes[k + 1][1] for k in range(len(sizes) - 1)]
    assert all(0.7 < r < 0.8 for r in ratios)
    assert pyramid_sizes(20, 30, min_size=25) == [[20, 30]]


def test_generators_and_critics_see_no_border():
    """A flat picture stays flat up to the edges: no frame is drawn along the borders."""
    flat = torch.full((1, 3, 20, 30), 0.3)
    out = ScaleGenerator(channels=8)(torch.zeros_like(flat), flat)
    assert (out - out[..., 10:11, 15:16]).abs().max() < 1e-5
    score = PatchCritic(channels=8)(flat)
    assert (score - score[..., 10:11, 15:16]).abs().max() < 1e-5


def test_training_writes_a_checkpoint_with_card_samples_and_metrics(trained):
    model = load_checkpoint(trained / "singan")
    assert model.num_scales == 4 and model.config.sizes[-1] == [24, 32]
    assert model.config.subject == "stripes"
    modes = [next(m for m in g.modules() if isinstance(m, torch.nn.Conv2d)).padding_mode for g in model.generators]
    assert modes == ["zeros", "reflect", "reflect", "reflect"]  # the borders place scale 0's layout; no frames after
    assert (trained / "singan" / "samples.png").is_file()
    card = (trained / "singan" / "README.md").read_text()
    assert "samples to the training image" in card
    assert json.loads((trained / "progress.json").read_text()) == {"scale": 3, "scales": 4, "step": 4, "steps": 4}
    previews = [Image.open(trained / "previews" / f"scale_{n}.png") for n in range(4)]  # one per scale, growing
    assert all(a.width < b.width for a, b in zip(previews, previews[1:]))
    assert all(model.noise_amp[1:] > 0) and float(model.noise_amp[0]) == 1.0


def test_resume_keeps_finished_scales_and_trains_only_the_rest(picture, trained, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(trained, out)
    shutil.rmtree(out / "singan")
    config = json.loads((out / "progress" / "config.json").read_text())
    config["extra"]["trained_scales"] = 3
    (out / "progress" / "config.json").write_text(json.dumps(config))
    shutil.rmtree(out / "scales" / "scale_3")
    result = train(picture, out, "--resume")
    assert result.returncode == 0, result.stderr[-2000:]
    before, after = load_checkpoint(trained / "progress"), load_checkpoint(out / "singan")
    assert after.num_scales == 4
    for p, q in zip(before.generators[0].parameters(), after.generators[0].parameters()):
        assert torch.allclose(p, q.float(), atol=1e-3)  # scale 0 is older than the joint scales
    assert "scale_3" in result.stderr and "scale_2" not in result.stderr


def test_time_limit_bounds_the_whole_run_and_resume_finishes_it(picture, tmp_path):
    out = tmp_path / "run"
    stopped = train(picture, out, "--time-limit", "0.000001")
    assert stopped.returncode == 0, stopped.stderr[-2000:]
    assert "Time limit reached in scale 0" in stopped.stdout
    assert not (out / "singan").exists() and not (out / "progress").exists()
    finished = train(picture, out, "--resume")
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert load_checkpoint(out / "singan").num_scales == 4


def test_reconstruction_and_seeded_samples_are_reproducible(trained):
    model = load_checkpoint(trained / "singan")
    assert torch.equal(model.reconstruct()[-1], model.reconstruct()[-1])
    a, b = apps.samples(model, 1, seed=3)[0], apps.samples(model, 1, seed=3)[0]
    c = apps.samples(model, 1, seed=4)[0]
    assert torch.equal(a, b) and not torch.equal(a, c)
    wide = apps.samples(model, 1, scale_h=2.0, scale_v=0.5)[0]
    assert wide.shape[-2:] == (12, 64)


@pytest.mark.parametrize("source", ["tiny", "shipped"])
def test_samples_never_replay_the_reconstruction(trained, source):
    """Training drew the fixed noise right after seeding torch with its seed (0): a sample stream
    seeded with 0 must not draw that same noise and give back the training image."""
    model = load_checkpoint(trained / "singan" if source == "tiny" else REPO / "weights" / "singan" / "balloons")
    rec = model.reconstruct()[-1]
    for seed in range(3):
        first = apps.samples(model, 1, seed=seed)[0]
        assert (first - rec).abs().mean() > 0.01, f"seed {seed}'s sample is the reconstruction"


def test_later_start_scales_stay_closer_to_the_image(trained):
    model = load_checkpoint(trained / "singan")
    distance = {start: np.mean([(s - model.image).abs().mean().item() for s in apps.samples(model, 4, start)])
                for start in (0, model.num_scales - 1)}
    assert distance[model.num_scales - 1] < distance[0]


def test_soft_mask_grows_and_fades():
    mask = torch.zeros(1, 1, 250, 250)
    mask[..., 100:150, 100:150] = 1
    soft = apps.soft_mask(mask, "harmonization")
    assert soft.min() >= 0 and soft.max() <= 1
    assert soft[..., 125, 125] > 0.99 and soft[..., 125, 153] > 0.3 and soft[..., 0, 0] == 0
    assert (apps.soft_mask(mask, "editing") > 0.5).sum() > (soft > 0.5).sum()


def test_injection_keeps_the_input_size_and_the_unmasked_pixels(trained):
    model = load_checkpoint(trained / "singan")
    image = torch.rand(1, 3, 50, 90) * 2 - 1
    mask = torch.zeros(1, 1, 50, 90)
    mask[..., 10:20, 10:20] = 1
    edited = apps.inject(model, image, 1, mask, "editing")
    assert edited.shape == image.shape
    assert torch.allclose(edited[..., :, 60:], image[..., :, 60:])
    assert not torch.allclose(edited[..., 10:20, 10:20], image[..., 10:20, 10:20])
    assert apps.inject(model, image, 2).shape == image.shape  # paint-to-image: no mask


def test_super_resolution_scales_by_the_factor_and_keeps_the_picture(trained):
    model = load_checkpoint(trained / "singan").float()
    assert apps.super_resolve(model, model.image, 2).shape[-2:] == (48, 64)
    large = apps.super_resolve(model, model.image, 4)
    assert large.shape[-2:] == (96, 128)
    # Taken back down, the enlargement is the input again: the generator only adds finer detail.
    assert (resize(large, (24, 32)) - model.image).abs().mean() < 0.05


def test_animation_moves_only_with_motion(trained):
    model = load_checkpoint(trained / "singan")
    moving = apps.animation(model, start_scale=1, frames=6, motion=0.8)
    still = apps.animation(model, start_scale=1, frames=3, motion=0.0)
    assert len(moving) == 6 and not torch.equal(moving[0], moving[3])
    assert torch.equal(still[0], still[2])


def test_demo_functions_on_a_user_model(user_model, tmp_path):
    photo = tmp_path / "edit.png"
    Image.new("RGB", (120, 80), (200, 60, 60)).save(photo)
    mask = tmp_path / "mask.png"
    mask_image = Image.new("L", (120, 80), 0)
    ImageDraw.Draw(mask_image).rectangle((10, 10, 40, 40), fill=255)
    mask_image.save(mask)
    assert (user_model, user_model) in [(name, name) for _, name in singan.model_choices()]
    samples = singan.singan_sample(user_model, count=3, scale_h=1.5)
    assert len(samples) == 3 and samples[0].size == (48, 24)
    for action in (singan.singan_edit, singan.singan_harmonize):
        result, note = action(user_model, photo, mask, 1, 0)
        assert result.size == (120, 80) and note is None
        assert result.getpixel((110, 70)) == (200, 60, 60)  # far from the mask: untouched
    assert singan.singan_paint(user_model, photo, 1)[0].size == (120, 80)
    assert singan.singan_super_resolve(user_model, None, 4)[0].size == (128, 96)
    gif = Image.open(singan.singan_animate(user_model, 1, 0.5, 0, frames=5))
    assert gif.n_frames == 5


def test_demo_errors_are_messages(user_model, tmp_path):
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 40)).save(photo)
    blank = tmp_path / "blank.png"
    Image.new("L", (40, 40), 0).save(blank)
    with pytest.raises(ImageInputError, match="Unknown SinGAN model"):
        singan.singan_sample("no_such_model")
    with pytest.raises(ImageInputError, match="mask is empty"):
        singan.singan_edit(user_model, photo, blank)
    with pytest.raises(ImageInputError, match="mask is needed"):
        singan.singan_harmonize(user_model, photo, None)


def test_editor_strokes_become_the_mask():
    background = Image.new("RGBA", (30, 20), (0, 0, 255, 255))
    layer = Image.new("RGBA", (30, 20), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle((5, 5, 9, 9), fill=(255, 0, 0, 255))
    painted, mask = singan.editor_parts({"background": background, "layers": [layer], "composite": None})
    assert painted.getpixel((7, 7)) == (255, 0, 0) and painted.getpixel((20, 15)) == (0, 0, 255)
    assert mask.getbbox() == (5, 5, 10, 10)
    assert singan.editor_parts({"background": background, "layers": []})[1] is None


def test_sample_examples_are_singan_samples_arguments():
    rows = singan.sample_examples(["balloons", "starry_night"])
    assert len(rows) == len(singan.SAMPLE_EXAMPLES)
    for row, (name, start_scale, wide, high) in zip(rows, singan.SAMPLE_EXAMPLES):
        images = singan.singan_sample(*row)
        model_h, model_w = load_checkpoint(REPO / "weights" / "singan" / name).config.sizes[-1]
        assert len(images) == 4 and images[0].size == (round(model_w * wide), round(model_h * high))
    assert singan.sample_examples(["tree"]) == []


@pytest.mark.parametrize("mode", sorted(singan.PAPER_EXAMPLES))
def test_paper_examples_load_the_papers_input_and_mask_for_a_shipped_model(mode):
    name, editor, start_scale = singan.paper_example(mode)
    _, image_file, mask_file, _, _ = singan.PAPER_EXAMPLES[mode]
    assert (REPO / "weights" / "singan" / name / "model.safetensors").is_file()
    assert 0 < start_scale < load_checkpoint(REPO / "weights" / "singan" / name).num_scales
    painted, mask = singan.editor_parts(editor)
    picture = Image.open(singan.PAPER_INPUTS / image_file).convert("RGB")
    assert np.array_equal(np.asarray(painted), np.asarray(picture))  # the strokes change no pixel
    if mask_file is None:
        assert mask is None
    else:
        paper_mask = np.asarray(Image.open(singan.PAPER_INPUTS / mask_file).convert("L")) > 127
        assert np.array_equal(np.asarray(mask) > 127, paper_mask)


def test_training_in_the_hub_adds_a_model_and_reports_progress(picture, tmp_path, monkeypatch):
    monkeypatch.setenv("GANHUB_SINGAN_DIR", str(tmp_path))
    seen = []
    name = singan.singan_train(str(picture), max_size=32, steps=5, subject="My stripes",
                               progress=lambda done, desc: seen.append(done))
    assert name == "my_stripes" and name in [n for _, n in singan.model_choices()]
    assert seen and all(0 <= d <= 1 for d in seen)
    assert singan.singan_sample(name, count=1)[0].size == (32, 24)
    assert singan.singan_train(str(picture), max_size=32, steps=5, subject="My stripes") == "my_stripes_2"


def test_the_page_shows_samples_while_training_and_selects_the_new_model(picture, tmp_path, monkeypatch):
    monkeypatch.setenv("GANHUB_SINGAN_DIR", str(tmp_path))
    updates = list(singan._ui_train(str(picture), 32, 5, "Page stripes", progress=lambda *args, **kwargs: None))
    dropdown, name, preview = updates[-1]
    assert name == "page_stripes" and dropdown.value == name
    shown, samples = Image.open(preview), Image.open(tmp_path / name / "samples.png")
    factor = shown.width // samples.width  # enlarged by a whole number, so pixels stay sharp
    assert factor > 1 and shown.size == (samples.width * factor, samples.height * factor)
    assert shown.resize(samples.size, Image.Resampling.NEAREST).tobytes() == samples.convert(shown.mode).tobytes()


def test_closing_a_training_stops_its_process(picture, tmp_path, monkeypatch):
    monkeypatch.setenv("GANHUB_SINGAN_DIR", str(tmp_path))
    run = singan.training(str(picture), max_size=32, steps=2000, subject="Long stripes")
    assert 0 <= next(run)["fraction"] < 1  # the script is running and reporting
    run.close()  # what a cancelled request does

    def command_lines():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                yield Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:  # ended meanwhile
                pass
    time.sleep(0.5)
    assert not any("long_stripes" in line for line in command_lines())
    assert not (tmp_path / "long_stripes").exists()


def test_training_a_non_image_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GANHUB_SINGAN_DIR", str(tmp_path))
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with pytest.raises(ImageInputError):
        singan.singan_train(str(text))
    assert not list(tmp_path.glob("*/config.json"))
