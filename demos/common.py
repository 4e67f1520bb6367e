"""What every tab shares: where weights are found, loading each model once, turning errors into messages."""
from __future__ import annotations

import functools
import importlib.util
import json
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

from core.checkpoint import CONFIG_FILE, CheckpointError, load_checkpoint, read_config
from core.images import ImageInputError

REPO_WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ganhub-outputs"
KEEP_OUTPUTS_S = 3600
_lock = threading.Lock()
log = logging.getLogger("ganhub")


def _override() -> str:
    return os.environ.get("GANHUB_WEIGHTS", "").strip()


def weights_roots() -> list[Path]:
    """Local folders holding checkpoints, searched in order: $GANHUB_WEIGHTS (when it is a folder),
    then this repository's weights/. A folder holding only some checkpoints is fine: the others
    come from weights/."""
    root = Path(_override()).expanduser()
    own = [root] if _override() and root.is_dir() and root.resolve() != REPO_WEIGHTS.resolve() else []
    return own + [REPO_WEIGHTS]


def weights_source(name: str) -> str:
    """Where checkpoint `name` (e.g. "dogs", "styles/monet") is loaded from: the first folder of
    weights_roots() that has it, or a Hugging Face Hub repo when $GANHUB_WEIGHTS names one."""
    override = _override()
    if override and not Path(override).expanduser().is_dir():
        return f"hf://{override.removeprefix('hf://').strip('/')}/{name}"
    for root in weights_roots():
        if (root / name / CONFIG_FILE).is_file():
            return str(root / name)
    return str(REPO_WEIGHTS / name)  # missing everywhere: loading it says so


def checkpoints(kind: str, model: str) -> dict[str, Path]:
    """name → folder of every `model` checkpoint under <root>/<kind>/ for each weights root, the
    first root winning (e.g. checkpoints("styles", "cyclegan"))."""
    found = {}
    for root in weights_roots():
        for config in sorted((root / kind).glob(f"*/{CONFIG_FILE}")):
            try:
                if json.loads(config.read_text()).get("model") == model:
                    found.setdefault(config.parent.name, config.parent)
            except (OSError, json.JSONDecodeError):
                continue  # a broken folder is skipped here; loading it by name says what is wrong
    return found


def imported(*models: str) -> dict[str, Path]:
    """"imported/<name>" → folder of every checkpoint that scripts/checkpoints/import_reference.py wrote under
    <root>/imported/ whose model is one of `models`: the tabs list these beside their own."""
    return {f"imported/{name}": folder for model in models for name, folder in checkpoints("imported", model).items()}


def checkpoint_extra(source: str | Path) -> dict:
    """A local checkpoint's `extra` (categories, description ...) without loading its weights, for
    page text; {} for a Hub source or a broken folder (loading it says what is wrong)."""
    if str(source).startswith("hf://"):
        return {}
    try:
        return read_config(Path(source)).get("extra", {})
    except CheckpointError:
        return {}


def source_note(names: list[str]) -> str:
    """A line for the page: where each of these checkpoints comes from."""
    def where(name):
        source = weights_source(name)
        if source.startswith("hf://"):
            return f"from the Hub ({source[5:]})"
        if Path(source).resolve().is_relative_to(REPO_WEIGHTS.resolve()):
            return f"shipped (`weights/{name}`)"
        return f"from your folder ({source})"
    places = {name: where(name) for name in names}
    if len(set(places.values())) == 1 and names:
        return f"*Models: {', '.join(names)}, {next(iter(places.values()))}.*"
    return "*Models: " + "; ".join(f"{name}, {place}" for name, place in places.items()) + ".*"


def device() -> torch.device:
    return torch.device(os.environ.get("GANHUB_DEVICE") or ("cuda" if torch.cuda.is_available() else "cpu"))


@functools.cache
def _load(source: str, device_name: str):
    return load_checkpoint(source, device=device_name)


def get_model(name: str):
    """The checkpoint `name`, loaded on first use and then shared; safe across request threads.
    A Hub repo that cannot be reached falls back to the shipped weights/<name>."""
    source = weights_source(name)
    try:
        return load_cached(source)
    except CheckpointError as error:
        shipped = REPO_WEIGHTS / name
        if not source.startswith("hf://") or not (shipped / CONFIG_FILE).is_file():
            raise
        log.warning("%s; using the shipped %s instead.", error, shipped)
        return load_cached(str(shipped))


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
