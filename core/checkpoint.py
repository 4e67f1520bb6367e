"""The one checkpoint format: a folder with model.safetensors, config.json and a README.md card.

config.json names the registered model and holds its config, so a checkpoint rebuilds itself;
weights are safetensors only (no pickle is ever loaded). A folder can live on disk or in a
Hugging Face Hub repo ("user/repo", or "hf://user/repo/sub/folder").
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from core import registry

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
FORMAT_VERSION = 1
INT8_SCALE = ".int8_scale"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be loaded; the message says which file and why."""


def quantize_int8(tensor: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 with one fp16 scale per slice of dim 0 (per output channel of a conv)."""
    scale = tensor.float().abs().amax(dim=tuple(range(1, tensor.ndim)), keepdim=True).clamp_min(1e-12) / 127
    weight = (tensor.float() / scale).round().clamp(-127, 127).to(torch.int8)
    return weight.contiguous(), scale.to(torch.float16).contiguous()  # channels-last weights too


def dequantize_int8(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Restore quantize_int8's weights (key, key + INT8_SCALE) to floats in place, keeping the order."""
    for key in [k for k in state if k.endswith(INT8_SCALE)]:
        weight = key[:-len(INT8_SCALE)]
        state[weight] = state[weight].float() * state.pop(key).float()
    return state


def save_checkpoint(folder, model: nn.Module, card: str = "", extra: dict | None = None,
                    dtype: torch.dtype | None = None, int8_weights: bool = False, int8_min_size: int = 256) -> Path:
    """Write `model` as a checkpoint folder, atomically (a temp folder renamed into place); other
    files already in the folder stay.

    `dtype=torch.float16` halves the file; floating tensors only, buffers like counters stay.
    `int8_weights` halves it again: conv and linear weights are stored as int8 with a scale per
    output channel (key + INT8_SCALE), restored to floats by load_checkpoint; weights of fewer than
    `int8_min_size` values stay in `dtype` (a large threshold rounds only the few layers that hold
    most of the bytes). Buffers (e.g. a generator's truncation anchors) are never rounded that far.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    state, parameters = {}, dict(model.named_parameters())
    for key, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu()
        if int8_weights and key in parameters and tensor.ndim >= 2 and tensor.numel() >= int8_min_size:
            state[key], state[key + INT8_SCALE] = quantize_int8(tensor)
            continue
        if dtype is not None and tensor.is_floating_point():
            tensor = tensor.to(dtype)
        state[key] = tensor.contiguous()
    config = {"format_version": FORMAT_VERSION, "model": model.registry_name,
              "config": dataclasses.asdict(model.config), "extra": extra or {}}
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        save_file(state, tmp / WEIGHTS_FILE, metadata={"model": model.registry_name})
        (tmp / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        if card:
            (tmp / CARD_FILE).write_text(card)
        if folder.is_dir():  # re-saving keeps what else the folder holds (contact sheets, samples)
            for other in folder.iterdir():
                if other.is_file() and not (tmp / other.name).exists():
                    shutil.copy2(other, tmp / other.name)
        for path in (tmp, *tmp.iterdir()):  # mkdtemp makes private files; checkpoints are shared
            path.chmod(0o755 if path.is_dir() else 0o644)
        old = folder.with_name(f".{folder.name}.old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def resolve(source) -> Path:
    """A local checkpoint folder for `source`: a path, or a Hub repo id fetched into the cache."""
    text = str(source)
    path = Path(text).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise CheckpointError(f"{path} is a file; a checkpoint is a folder holding {CONFIG_FILE} "
                              f"and {WEIGHTS_FILE}.")
    if text.startswith("hf://"):
        parts = text[5:].strip("/").split("/")
        return _from_hub("/".join(parts[:2]), "/".join(parts[2:]))
    if _REPO_ID.match(text) and not text.startswith("."):
        return _from_hub(text, "")
    raise CheckpointError(f"No checkpoint folder at {path}.")


def _from_hub(repo_id: str, subfolder: str) -> Path:
    """Download one checkpoint folder; offline or missing fails at once with a clear message."""
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", "10")
    from huggingface_hub import snapshot_download

    prefix = f"{subfolder}/" if subfolder else ""
    try:
        root = snapshot_download(repo_id, allow_patterns=[f"{prefix}{name}" for name in
                                                          (CONFIG_FILE, WEIGHTS_FILE, CARD_FILE)])
    except Exception as error:  # offline, unknown repo, no access: all end the same way for users
        raise CheckpointError(
            f"Could not get {repo_id!r} from the Hugging Face Hub ({type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else 'no details'}). Check the repo id and "
            f"your connection, or pass a local checkpoint folder instead.") from None
    folder = Path(root) / subfolder
    if not (folder / CONFIG_FILE).is_file():
        raise CheckpointError(f"The Hub repo {repo_id!r} has no {prefix}{CONFIG_FILE}.")
    return folder


def read_config(folder: Path) -> dict:
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{folder} has no {CONFIG_FILE}, so the model cannot be rebuilt.")
    try:
        config = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error}).") from None
    if not isinstance(config, dict) or "model" not in config or "config" not in config:
        raise CheckpointError(f"{path} lacks the 'model' and 'config' entries.")
    return config


def load_checkpoint(source, device: str | torch.device = "cpu",
                    dtype: torch.dtype = torch.float32) -> nn.Module:
    """Rebuild the model a checkpoint describes and load its weights; returns it in eval mode.

    The checkpoint's `extra` dict is attached as `model.checkpoint_extra`.
    """
    folder = resolve(source)
    config = read_config(folder)
    try:
        model = registry.build(config["model"], config["config"])
    except (KeyError, ValueError, TypeError) as error:
        raise CheckpointError(f"{folder / CONFIG_FILE}: {error}") from None
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{folder} has no {WEIGHTS_FILE}.")
    try:
        state = load_file(weights)
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{weights} is damaged or truncated ({error}).") from None
    dequantize_int8(state)
    _check_matches(model, state, folder)
    model.load_state_dict(state)
    model.checkpoint_extra = config.get("extra", {})
    return model.to(device=device, dtype=dtype).eval()


def warm_start(model: nn.Module, source) -> list[str]:
    """Copy into `model` every tensor of a checkpoint whose name and shape match, e.g. a binned
    colouriser's U-Net body from a regression colouriser's; returns the names left as they were."""
    trained = load_checkpoint(source).state_dict()
    own = model.state_dict()
    matching = {key: value for key, value in trained.items() if key in own and own[key].shape == value.shape}
    model.load_state_dict(matching, strict=False)
    return [key for key in own if key not in matching]


def _check_matches(model: nn.Module, state: dict, folder: Path) -> None:
    """Name the mismatch between weights and config instead of a long state_dict traceback."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong_shape = [f"{key} {tuple(state[key].shape)} vs {tuple(expected[key].shape)}"
                   for key in expected if key in state and state[key].shape != expected[key].shape]
    problems = []
    if missing:
        problems.append(f"{len(missing)} missing tensors (e.g. {', '.join(missing[:3])})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected tensors (e.g. {', '.join(unexpected[:3])})")
    if wrong_shape:
        problems.append(f"{len(wrong_shape)} shape mismatches (e.g. {'; '.join(wrong_shape[:3])})")
    if problems:
        raise CheckpointError(f"The weights in {folder} do not match its {CONFIG_FILE} "
                              f"({config_summary(model)}): " + "; ".join(problems) + ".")


def config_summary(model: nn.Module) -> str:
    return f"{model.registry_name} " + ", ".join(
        f"{k}={v}" for k, v in dataclasses.asdict(model.config).items() if not isinstance(v, list))
