"""The train scripts run end to end through `accelerate launch` on tiny data and tiny models."""
import json
import os
import shutil
import subprocess
import sys

import pytest
import torch
from PIL import Image

from core.checkpoint import load_checkpoint
from tests.conftest import REPO

TINY_PIX2PIX = ["--image-size", "64", "--load-size", "72", "--depth", "6", "--ngf", "8", "--ndf", "8",
                "--num-workers", "0", "--batch-size", "2"]


def launch(script, *args, processes=1, timeout=300):
    command = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(processes),
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    if processes > 1:
        command += ["--multi_gpu", "--num_cpu_threads_per_process", "1"]
    else:
        command += ["--cpu"]
    env = dict(os.environ, PYTHONPATH=str(REPO), CUDA_VISIBLE_DEVICES="")
    result = subprocess.run(command + [str(REPO / "train" / script), *map(str, args)],
                            capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def pix2pix_run(sketchy_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "pix2pix"
    launch("pix2pix.py", "--data", sketchy_folder, "--out", out, "--max-steps", 2, "--augment",
           "--l1-only-steps", 1, "--categories", "disc", "--val-fraction", 0.3, "--sample-every", 1,
           "--sketch-extent", 0.8, "--drawn-fraction", 0.5, "--upsample", "resize", "--perceptual", "lite0",
           "--projected", "lite0", "--projected-size", 64, *TINY_PIX2PIX)
    return out


def state(out):
    return json.loads((out / "state" / "state.json").read_text())


def test_pix2pix_two_steps_writes_checkpoint_card_samples_and_state(pix2pix_run):
    generator = load_checkpoint(pix2pix_run / "generator")
    assert generator.config.in_channels == 1 and generator.config.depth == 6
    assert generator.checkpoint_extra == {"categories": ["disc"], "image_size": 64, "sketch_extent": 0.8,  # for the tab
                                          "perceptual": "3 x lite0", "projected": "1 x lite0 at 64 px"}
    assert generator.config.upsample == "resize"
    card = (pix2pix_run / "generator" / "README.md").read_text()
    assert "Held-out metrics" in card and "| this generator |" in card and "mean training photo" in card
    assert "3 x perceptual (L1 in ImageNet EfficientNet-Lite0 features" in card
    assert "projected discriminator on the photos (frozen ImageNet EfficientNet-Lite0 at 64 px" in card
    assert sorted(p.name for p in (pix2pix_run / "samples").iterdir()) == ["step_0000001.png", "step_0000002.png"]
    assert Image.open(pix2pix_run / "samples" / "step_0000002.png").size[0] > 64
    assert state(pix2pix_run)["step"] == 2


def test_pix2pix_start_from_continues_an_exported_generator(pix2pix_run, sketchy_folder, tmp_path):
    """G starts from the export (unchanged at lr 0), D afresh; the card says so."""
    launch("pix2pix.py", "--data", sketchy_folder, "--out", tmp_path / "more", "--max-steps", 1, "--lr", 0,
           "--seed", 1, "--categories", "disc", "--val-fraction", 0.3, "--upsample", "resize",
           "--start-from", pix2pix_run / "generator", *TINY_PIX2PIX)
    start, more = load_checkpoint(pix2pix_run / "generator"), load_checkpoint(tmp_path / "more" / "generator")
    for (name, a), (_, b) in zip(start.named_parameters(), more.named_parameters()):
        assert torch.equal(a, b), name
    assert f"G started from `{pix2pix_run / 'generator'}`, D from scratch" in (tmp_path / "more" / "generator" / "README.md").read_text()


def test_pix2pix_resume_continues_from_saved_step(pix2pix_run, photo_folder, tmp_path):
    out = tmp_path / "resumed"
    shutil.copytree(pix2pix_run, out)
    result = launch("pix2pix.py", "--data", photo_folder, "--out", out, "--max-steps", 3, "--resume",
                    "--upsample", "resize", *TINY_PIX2PIX)  # a photo folder this time: sketches drawn by XDoG
    assert "Resumed" in result.stdout + result.stderr
    assert state(out)["step"] == 3


def test_demo_loads_the_trained_checkpoint(pix2pix_run, sketchy_folder, tmp_path, monkeypatch):
    from demos import common, sketch2photo
    launch("classifier.py", "--data", sketchy_folder, "--out", tmp_path / "cls", "--max-steps", 2,
           "--arch-options", '{"channels": [8, 16, 32, 64]}', "--val-fraction", 0.3,
           "--image-size", "32", "--batch-size", "4", "--num-workers", "0")
    card = (tmp_path / "cls" / "classifier" / "README.md").read_text()
    assert "top-5 accuracy" in card and "| disc |" in card
    weights = tmp_path / "weights"
    weights.mkdir()
    (weights / "sketch2photo").symlink_to(pix2pix_run / "generator")
    (weights / "sketch_classifier").symlink_to(tmp_path / "cls" / "classifier")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(weights))
    common.clear_models()
    try:
        photo, labels = sketch2photo.sketch_to_photo(sketch2photo.EXAMPLES[0])
        assert photo.size == (256, 256)
        assert set(labels) == {"box", "disc"}
        assert common.get_model("sketch2photo").config.ngf == 8  # the trained one, not the shipped one
        assert common.get_model("sketch_classifier").config.arch_options["channels"] == [8, 16, 32, 64]
        assert sketch2photo.photo_categories() == ["disc"]
    finally:
        common.clear_models()


def test_classifier_continues_from_an_exported_classifier(sketchy_folder, tmp_path):
    tiny = ["--data", sketchy_folder, "--arch-options", '{"channels": [8, 16, 32, 64]}', "--val-fraction", 0.3,
            "--image-size", "32", "--batch-size", "4", "--num-workers", "0"]
    launch("classifier.py", *tiny, "--out", tmp_path / "first", "--max-steps", 2)
    start = tmp_path / "first" / "classifier"
    # learning rate 0: the continued weights must be the exported ones, not a fresh start
    # at another working size, which the export records (it is read at the size it was trained at)
    launch("classifier.py", *tiny, "--out", tmp_path / "second", "--max-steps", 1, "--lr", 0,
           "--start-from", start, "--seed-weight", 2, "--image-size", 40)
    first, second = load_checkpoint(start), load_checkpoint(tmp_path / "second" / "classifier")
    assert (first.config.image_size, second.config.image_size) == (32, 40)
    for (name, a), b in zip(first.named_parameters(), second.parameters()):
        assert torch.equal(a, b), name
    card = (tmp_path / "second" / "classifier" / "README.md").read_text()
    assert f"continued from `{start}`" in card and "teddy_bear drawn 2× as often" in card


def test_classifier_exports_the_average_of_its_weights(sketchy_folder, tmp_path):
    from safetensors.torch import load_file
    tiny = ["--data", sketchy_folder, "--arch-options", '{"channels": [8, 16, 32, 64]}', "--val-fraction", 0.3,
            "--image-size", "32", "--batch-size", "4", "--num-workers", "0", "--lr", "0.05", "--average-from", "0.34"]
    for steps in (2, 3):  # the same seed: the 3-step run passes through the 2-step run's weights
        launch("classifier.py", *tiny, "--out", tmp_path / f"run{steps}", "--max-steps", steps)
    after = {steps: load_file(tmp_path / f"run{steps}" / "state" / "state.safetensors") for steps in (2, 3)}
    exported = load_checkpoint(tmp_path / "run3" / "classifier")
    for name, value in exported.named_parameters():
        trained = [after[steps][f"model.classifier.{name}"] for steps in (2, 3)]
        assert not torch.equal(*trained), name
        torch.testing.assert_close(value, (trained[0] + trained[1]) / 2, atol=2e-3, rtol=1e-2)
    # batch-norm statistics measured for the averaged weights, not copied from the trained ones
    means = [(name, value) for name, value in exported.state_dict().items() if name.endswith("running_mean")]
    assert any(not torch.allclose(value, after[3][f"model.classifier.{name}"]) for name, value in means)
    card = (tmp_path / "run3" / "classifier" / "README.md").read_text()
    assert "the average of steps 2-3 (SWA)" in card


def test_classifier_fine_tunes_imagenet_lite0(sketchy_folder, tmp_path):
    launch("classifier.py", "--data", sketchy_folder, "--imagenet", "lite0", "--val-fraction", 0.3, "--image-size", 32,
           "--batch-size", 4, "--num-workers", 0, "--max-steps", 1, "--out", tmp_path / "lite0")
    classifier = load_checkpoint(tmp_path / "lite0" / "classifier")
    assert classifier.config.arch == "efficientnet_lite0" and classifier.config.arch_options == {}
    assert "from ImageNet weights (EfficientNet-Lite0" in (tmp_path / "lite0" / "classifier" / "README.md").read_text()


def test_parsing_the_flags_seeds_the_models_built_next():
    from core.training import TrainArgs, parse_args

    def weights_after(seed: int) -> torch.Tensor:
        parse_args(TrainArgs, ["--seed", str(seed)])
        return torch.nn.Linear(8, 8).weight

    assert torch.equal(weights_after(3), weights_after(3))
    assert not torch.equal(weights_after(3), weights_after(4))


def test_two_process_data_parallel_run_ends_with_identical_weights(photo_folder, tmp_path):
    out = tmp_path / "ddp"
    launch("pix2pix.py", "--data", photo_folder, "--out", out, "--max-steps", 3, *TINY_PIX2PIX,
           processes=2)
    assert state(out)["processes"] == 2
    assert state(out)["replicas_identical"] is True
