"""What every tab shares: where weights are found, loading each model once, turning errors into messages."""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr
import torch
from PIL import Image

from core.checkpoint import CheckpointError, load_checkpoint
from core.images import ImageInputError

REPO_WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ganhub-outputs"
KEEP_OUTPUTS_S = 3600
_lock = threading.Lock()
log = logging.getLogger("ganhub")


def weights_source(name: str) -> str:
    """Where checkpoint `name` is looked up: $GANHUB_WEIGHTS (a folder, or a Hub repo id whose
    sub-folders are checkpoints), else this repository's weights/ folder."""
    root = os.environ.get("GANHUB_WEIGHTS", "").strip()
    if not root:
        return str(REPO_WEIGHTS / name)
    if Path(root).expanduser().is_dir():
        return str(Path(root).expanduser() / name)
    return f"hf://{root.removeprefix('hf://').strip('/')}/{name}"


def local_weights_root() -> Path:
    """The folder checkpoints are listed from: $GANHUB_WEIGHTS when it is a folder, else weights/."""
    root = Path(os.environ.get("GANHUB_WEIGHTS", "").strip()).expanduser()
    return root if str(root) not in ("", ".") and root.is_dir() else REPO_WEIGHTS


def device() -> torch.device:
    return torch.device(os.environ.get("GANHUB_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))


@functools.cache
def _load(source: str, device_name: str):
    return load_checkpoint(source, device=device_name)


def get_model(name: str):
    """The checkpoint `name`, loaded on first use and then shared; safe across request threads."""
    return load_cached(weights_source(name))


def load_cached(source: str):
    """The checkpoint at `source` (a folder or Hub id), loaded once and then shared."""
    with _lock:
        return _load(source, str(device()))


def clear_models():
    """Forget loaded models (tests point GANHUB_WEIGHTS elsewhere and load again)."""
    with _lock:
        _load.cache_clear()


def on_gpu(fn):
    """`spaces.GPU` on a ZeroGPU Hugging Face Space (where that package exists), else fn as is."""
    if importlib.util.find_spec("spaces") is None:
        return fn
    import spaces
    return spaces.GPU(fn)


class TaskError(RuntimeError):
    """A failure whose message is written for the user (e.g. a training run that stopped)."""


USER_ERRORS = (ImageInputError, CheckpointError, TaskError)  # their messages are written for users


def user_message(error: Exception) -> str:
    """What the page says for an error: our own messages as they are, anything else generically."""
    if isinstance(error, USER_ERRORS):
        return str(error)
    return f"Something went wrong while processing this image ({type(error).__name__})."


def output_path(file_name: str) -> Path:
    """A fresh path named `file_name` for one request's output file; outputs older than an hour
    are deleted on the way, so a long-running hub does not fill the disk."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT_DIR.iterdir():
        try:
            if time.time() - old.stat().st_mtime > KEEP_OUTPUTS_S:
                shutil.rmtree(old, ignore_errors=True)
        except FileNotFoundError:  # another request pruned it first
            pass
    return Path(tempfile.mkdtemp(dir=OUTPUT_DIR)) / file_name


def as_files(value):
    """PIL images in a result become PNG files of their own. Gradio caches a PIL output by
    rewriting the file named after its content, so two users who get the same image at the same
    time (the same example, the same seed) could download it half-written."""
    if isinstance(value, Image.Image):
        path = output_path("image.png")
        value.save(path)
        return str(path)
    if isinstance(value, (list, tuple)):
        return type(value)(as_files(item) for item in value)
    return value


def for_the_page(fn, *args):
    """Call a tab's plain function for the page or the API: any error becomes a message
    (gr.Error), never a stack trace, a note (e.g. "scaled down") becomes a toast, and images
    become files (see as_files)."""
    try:
        result = fn(*args)
    except Exception as error:
        if not isinstance(error, USER_ERRORS):
            log.exception("Unexpected error in %s", getattr(fn, "__name__", fn))  # for whoever runs the hub
        raise gr.Error(user_message(error)) from None
    if isinstance(result, tuple) and result and (result[-1] is None or isinstance(result[-1], str)):
        *result, note = result
        if note:
            gr.Info(note)
        result = tuple(result) if len(result) > 1 else result[0]
    return as_files(result)
