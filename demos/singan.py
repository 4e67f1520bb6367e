"""SinGAN tab: one-image GANs — samples, editing, harmonization, paint-to-image, super-resolution,
animation — on shipped models or on a model trained here on the user's own image."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import gradio as gr
import numpy as np
import torch
from PIL import Image, ImageOps

from core import singan as apps
from core.checkpoint import CONFIG_FILE
from core.images import ImageInputError, load_image, to_image, to_tensor
from demos.common import (TaskError, as_files, checkpoints, for_the_page, load_cached, on_gpu, output_path,
                          source_note, user_message)

TRAIN_SCRIPT = Path(__file__).resolve().parent.parent / "train" / "singan.py"
PAPER_INPUTS = Path(__file__).resolve().parent / "examples" / "singan"
DEFAULT_MODEL = "balloons"
MAX_SIDE = 1024          # edit / paint / harmonize inputs are scaled down to this first
MAX_SR_OUTPUT = 1536     # super-resolution output's long side: inputs are scaled down to fit it (×4 took 16 s
                         # at 2048 px on 2 cores, ×2 at 1024 px 4 s)
MAX_SAMPLES = 8
EDITOR_SIDE = 384        # the training image is shown this large to paint on
PREVIEW_WIDTH = 768      # training previews are enlarged to about this width
MIN_SIDE = 8             # smaller inputs have no patches to work with
TRAIN_SIZES = (32, 256)  # long side of a model trained here
TRAIN_STEPS = (5, 2000)  # iterations per scale


def user_models_dir() -> Path:
    """Where models trained in the hub are kept: $GANHUB_SINGAN_DIR, else the user's own cache
    folder ($XDG_CACHE_HOME or ~/.cache, then ganhub/singan), so hubs of other users on the same
    machine neither list nor overwrite them."""
    if os.environ.get("GANHUB_SINGAN_DIR"):
        return Path(os.environ["GANHUB_SINGAN_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "ganhub" / "singan"


def _models() -> dict[str, tuple[Path, str]]:
    """Model name → (checkpoint folder, what it shows): shipped ones (weights/singan/*), then ones
    trained here."""
    trained_here = sorted(config.parent for config in user_models_dir().glob(f"*/{CONFIG_FILE}"))
    found = {}
    for folder in [*checkpoints("singan", "singan").values(), *trained_here]:
        try:
            config = json.loads((folder / CONFIG_FILE).read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if config.get("model") == "singan":
            found.setdefault(folder.name, (folder, config.get("config", {}).get("subject", folder.name)))
    return found


def model_choices() -> list[tuple[str, str]]:
    """(label, name) for the dropdown: what each image shows, and its name."""
    return [(f"{subject} ({name})", name) for name, (_, subject) in _models().items()]


def load_singan(name: str):
    models = _models()
    if name not in models:
        raise ImageInputError(f"Unknown SinGAN model {name!r}; available: {', '.join(models) or 'none'}.")
    return load_cached(str(models[name][0]))


def _load_input(source, max_side: int):
    picture, note = load_image(source, max_side=max_side)
    if min(picture.size) < MIN_SIDE:
        raise ImageInputError(f"The image is {picture.width}×{picture.height} px: SinGAN needs at least "
                              f"{MIN_SIDE} px on each side.")
    return picture, note


def _start_scale(model, start_scale) -> int:
    return int(min(max(int(start_scale), 0), model.num_scales - 1))


def _tensor(image: Image.Image, model) -> torch.Tensor:
    return to_tensor(image)[None].to(model.image.device)


def _mask(source, size) -> torch.Tensor:
    """White (painted) = regenerate. A mask with nothing in it is an error, not a silent no-op."""
    if source is None:
        raise ImageInputError("A mask is needed: paint over the part to change (white on black in a file).")
    mask, _ = load_image(source, max_side=MAX_SIDE)
    mask = mask.convert("L").resize(size, Image.Resampling.NEAREST)
    values = torch.from_numpy(np.asarray(mask, dtype=np.float32) / 255)[None, None]
    if values.max() < 0.5:
        raise ImageInputError("The mask is empty: paint over the part of the image to change.")
    return (values > 0.5).float()


@torch.no_grad()
def singan_sample(model_name: str = DEFAULT_MODEL, count: int = 4, start_scale: int = 0,
                  scale_h: float = 1.0, scale_v: float = 1.0, seed: int = 0) -> list[Image.Image]:
    """Random images in the training image's style; scale_h / scale_v stretch them (0.5-3)."""
    model = load_singan(model_name)
    count = int(min(max(int(count), 1), MAX_SAMPLES))
    scale_h, scale_v = (float(min(max(float(s), 0.5), 3.0)) for s in (scale_h, scale_v))
    images = apps.samples(model, count, _start_scale(model, start_scale), scale_v, scale_h, int(seed))
    return [to_image(image[0]) for image in images]


@torch.no_grad()
def _inject(model_name, image, mask, start_scale, seed, mode):
    model = load_singan(model_name)
    picture, note = _load_input(image, MAX_SIDE)
    x = _tensor(picture, model)
    m = None if mode == "paint" else _mask(mask, picture.size).to(x.device)
    result = apps.inject(model, x, _start_scale(model, start_scale), m, mode, int(seed))
    return to_image(result[0]), note


def singan_edit(model_name: str = DEFAULT_MODEL, image=None, mask=None, start_scale: int = 2, seed: int = 0):
    """(edited image, note): the painted-over region (mask) is redrawn from start_scale on so that it
    fits the training image's patches; the rest of `image` is kept."""
    return _inject(model_name, image, mask, start_scale, seed, "editing")


def singan_harmonize(model_name: str = DEFAULT_MODEL, image=None, mask=None, start_scale: int = 2,
                     seed: int = 0):
    """(harmonized image, note): an object pasted into a picture (mask: where it is) takes on the
    training image's colours and texture."""
    return _inject(model_name, image, mask, start_scale, seed, "harmonization")


def singan_paint(model_name: str = DEFAULT_MODEL, paint=None, start_scale: int = 1, seed: int = 0):
    """(image, note): a rough colour painting turned into the training image's look."""
    return _inject(model_name, paint, None, start_scale, seed, "paint")


@torch.no_grad()
def singan_super_resolve(model_name: str = DEFAULT_MODEL, image=None, factor: float = 2, seed: int = 0):
    """(image, note) `factor` (1.25-4) times larger; without an image, the training image."""
    model = load_singan(model_name)
    factor = float(min(max(float(factor), 1.25), 4.0))
    if image is None:
        x, note = model.image, None
    else:
        picture, note = _load_input(image, int(MAX_SR_OUTPUT / factor))
        x = _tensor(picture, model)
    return to_image(apps.super_resolve(model, x, factor, int(seed))[0]), note


@torch.no_grad()
def singan_animate(model_name: str = DEFAULT_MODEL, start_scale: int = 1, motion: float = 0.5,
                   seed: int = 0, frames: int = 24) -> str:
    """A looping GIF (its file path): the image moving through its own patches."""
    model = load_singan(model_name)
    frames = int(min(max(int(frames), 4), 60))
    motion = float(min(max(float(motion), 0.0), 1.0))
    images = [to_image(frame[0]) for frame in
              apps.animation(model, _start_scale(model, start_scale), frames, int(seed), motion)]
    path = output_path(f"singan_{model_name}_{seed}.gif")
    images[0].save(path, save_all=True, append_images=images[1:], duration=90, loop=0)
    return str(path)


def _unique_name(wanted: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", wanted.lower()).strip("_")[:40] or "my_image"
    taken = set(_models())
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}_{n}", n + 1
    return name


def training(image, max_size: int = 128, steps: int = 400, subject: str = ""):
    """Train a SinGAN on `image` with train/singan.py in a process of its own (a crash cannot take
    the hub with it), yielding {"fraction", "desc", "preview"} as it goes (preview: a picture of
    samples of the scales trained so far, or None) and last {"name": the new model's name}.
    Closing the generator early (a cancelled request) stops the training."""
    max_size = int(min(max(int(max_size), TRAIN_SIZES[0]), TRAIN_SIZES[1]))
    picture, _ = load_image(image, max_side=max_size)  # the training size: nothing later sees the upload's
    if min(picture.size) < MIN_SIDE:
        raise ImageInputError(f"At {max_size} px on its long side the image is {picture.width}×{picture.height}: "
                              f"SinGAN needs at least {MIN_SIDE} px on each side (a less elongated image).")
    steps = int(min(max(int(steps), TRAIN_STEPS[0]), TRAIN_STEPS[1]))
    subject = (subject or "").strip()[:60] or Path(str(image)).stem[:60] or "my image"
    name = _unique_name(subject)
    run = user_models_dir() / ".runs" / name
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    picture.save(run / "image.png")
    command = [sys.executable, str(TRAIN_SCRIPT), "--image", str(run / "image.png"), "--out", str(run),
               "--max-size", str(max_size), "--max-steps", str(steps), "--name", subject,
               "--sample-every", str(10 ** 9), "--save-every", str(10 ** 9)]
    # Training uses every core at the lowest priority, so the hub's own requests come first (measured
    # on 2 cores: a 36 ms generator call takes 43 ms beside it; beside a 1-thread run of normal
    # priority, 140 ms). Without `nice` one core is left to the hub instead.
    env, nice = dict(os.environ), shutil.which("nice")
    if nice:
        command = [nice, "-n", "19", *command]
    else:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 2) - 1))
    log = open(run / "train.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=TRAIN_SCRIPT.parent.parent, env=env)
    try:
        yield {"fraction": 0.0, "desc": f"starting: {picture.width}×{picture.height} px", "preview": None}
        while process.poll() is None:
            time.sleep(0.5)
            try:
                at = json.loads((run / "progress.json").read_text())
            except (OSError, json.JSONDecodeError):  # not written yet, or caught mid-write
                continue
            previews = sorted(run.glob("previews/scale_*.png"), key=lambda path: int(path.stem[6:]))
            yield {"fraction": (at["scale"] + at["step"] / at["steps"]) / at["scales"],
                   "desc": f"scale {at['scale'] + 1} of {at['scales']}, step {at['step']} of {at['steps']}",
                   "preview": str(previews[-1]) if previews else None}
    finally:
        if process.poll() is None:  # the page was closed or the request cancelled
            process.kill()
        log.close()
    if process.returncode != 0 or not (run / "singan" / CONFIG_FILE).is_file():
        last = (run / "train.log").read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise TaskError(f"Training stopped (exit code {process.returncode}): {last[0][-300:]}")
    shutil.move(str(run / "singan"), user_models_dir() / name)
    yield {"fraction": 1.0, "desc": "done", "preview": str(user_models_dir() / name / "samples.png"), "name": name}


def singan_train(image, max_size: int = 128, steps: int = 400, subject: str = "", progress=None) -> str:
    """Train a SinGAN on `image` (see `training`) and return the new model's name;
    `progress(fraction, desc)` is called as scales advance."""
    for state in training(image, max_size, steps, subject):
        if progress is not None:
            progress(state["fraction"], desc=state["desc"])
        if "name" in state:
            return state["name"]


# The SinGAN paper's application figures, from its own inputs and masks (tamarott/SinGAN, MIT):
# mode → (model, input, mask or None, start scale, what the figure shows).
PAPER_EXAMPLES = {
    "editing": ("tree", "tree_edit.png", "tree_edit_mask.png", 1,
                "The tree: a copied piece of the tree, redrawn to fit"),
    "harmonization": ("starry_night", "starry_night_naive.png", "starry_night_naive_mask.png", 3,
                      "Starry Night: a pasted spaceship, painted in"),
    "paint": ("cows", "cows_paint.png", None, 1, "Cows: a rough colour painting turned into the herd"),
}


# The paper's random-sample figures: model, start scale, width ×, height ×.
SAMPLE_EXAMPLES = [("balloons", 0, 1.0, 1.0), ("balloons", 0, 2.0, 1.0), ("starry_night", 1, 1.0, 1.0)]


def sample_examples(names) -> list[list]:
    """SAMPLE_EXAMPLES of the models in `names` as singan_sample's arguments (four samples, seed 0)."""
    return [[name, 4, start_scale, wide, high, 0] for name, start_scale, wide, high in SAMPLE_EXAMPLES
            if name in names]


def paper_example(mode: str) -> tuple[str, dict, int]:
    """(model, editor value, start scale) for the paper's example of `mode`: the input as the
    canvas and its mask as a painted layer (the input's own pixels where the mask is white), so
    the editor's strokes give back exactly the paper's mask."""
    name, image_file, mask_file, start_scale, _ = PAPER_EXAMPLES[mode]
    picture = load_image(PAPER_INPUTS / image_file)[0]
    layers = []
    if mask_file:
        mask = load_image(PAPER_INPUTS / mask_file)[0].convert("L").point(lambda v: 255 if v > 127 else 0)
        layer = picture.convert("RGBA")
        layer.putalpha(mask)
        layers = [layer]
    return name, {"background": picture, "layers": layers, "composite": picture}, start_scale


# --- the page -------------------------------------------------------------------------------

def editor_parts(value) -> tuple[Image.Image, Image.Image | None]:
    """(painted image, mask of the strokes) from an ImageEditor value; the mask is None when
    nothing was painted."""
    if not isinstance(value, dict) or value.get("background") is None:
        raise ImageInputError("The canvas is empty: upload or choose an image first.")
    background = load_image(value["background"])[0]
    layers = [layer for layer in (value.get("layers") or []) if layer is not None]
    painted = background.copy()
    mask = Image.new("L", background.size, 0)
    for layer in layers:
        layer = layer.convert("RGBA").resize(background.size)
        painted.paste(layer, (0, 0), layer)
        mask = Image.fromarray(np.maximum(np.asarray(mask), np.asarray(layer.getchannel("A"))))
    return painted, (mask if mask.getbbox() else None)


def editor_background(model_name):
    """The model's training image, shown large enough to paint on."""
    try:
        image = to_image(load_singan(model_name).image[0])
    except Exception:  # noqa: BLE001 (an unknown model leaves the canvas empty)
        return None
    return ImageOps.contain(image, (EDITOR_SIDE, EDITOR_SIDE), Image.Resampling.BICUBIC)


@on_gpu
def _ui_sample(model, count, start_scale, scale_h, scale_v, seed):
    return for_the_page(singan_sample, model, count, start_scale, scale_h, scale_v, seed)


def singan_from_editor(model_name: str, editor, start_scale: int, seed: int, mode: str):
    """(result, note) of editing, harmonization or paint on an ImageEditor value: the strokes are
    the mask (editing redraws them, harmonization keeps the picture under them), paint uses all."""
    painted, mask = editor_parts(editor)
    if mode == "paint":
        return singan_paint(model_name, painted, start_scale, seed)
    if mask is None:
        raise ImageInputError("Paint over the part of the image to change first.")
    if mode == "editing":
        return singan_edit(model_name, painted, mask, start_scale, seed)
    return singan_harmonize(model_name, load_image(editor["background"])[0], mask, start_scale, seed)


@on_gpu
def _ui_edit(model_name, editor, start_scale, seed, mode):
    return for_the_page(singan_from_editor, model_name, editor, start_scale, seed, mode)


def _ui_paper_example(mode: str):
    """Load the paper's example of `mode` into the sub-tab and run it: model, canvas, start scale
    and result."""
    name, editor, start_scale = paper_example(mode)
    return name, editor, start_scale, _ui_edit(name, editor, start_scale, 0, mode)


@on_gpu
def _ui_super_resolve(model, image=None, factor=2, seed=0):
    return for_the_page(singan_super_resolve, model, image, factor, seed)


@on_gpu
def _ui_animate(model, start_scale, motion, seed):
    return for_the_page(singan_animate, model, start_scale, motion, seed)


def _ui_train(image, max_size, steps, subject, progress=gr.Progress()):
    """The training run for the page: a progress bar, and samples after every scale."""
    shown = None
    try:
        for state in training(image, max_size, steps, subject):
            progress(state["fraction"], desc=state["desc"])
            if "name" in state:
                break
            if state["preview"] and state["preview"] != shown:
                shown = state["preview"]
                yield gr.skip(), gr.skip(), _served(shown)
    except Exception as error:
        raise gr.Error(user_message(error)) from None
    name = state["name"]
    gr.Info(f"Trained: the model {name!r} is now selected.")
    yield gr.Dropdown(choices=model_choices(), value=name), name, _served(state["preview"])


def _served(path: str) -> str:
    """A training preview as the page shows it: enlarged (pixels kept sharp) from the pyramid's
    thumbnail sizes, and copied among the hub's outputs (GANHUB_SINGAN_DIR may be a folder the
    page cannot serve)."""
    with Image.open(path) as grid:
        factor = max(1, round(PREVIEW_WIDTH / grid.width))
        return as_files(grid.resize((grid.width * factor, grid.height * factor), Image.Resampling.NEAREST))


# API twins of the plain functions, with the parameter names API callers see: errors become
# messages, a note a toast, images files.
@on_gpu
def _api_edit(model, image, mask, start_scale, seed):
    return for_the_page(singan_edit, model, image, mask, start_scale, seed)


@on_gpu
def _api_harmonize(model, image, mask, start_scale, seed):
    return for_the_page(singan_harmonize, model, image, mask, start_scale, seed)


@on_gpu
def _api_paint(model, image, start_scale, seed):
    return for_the_page(singan_paint, model, image, start_scale, seed)


def _api_train(image, max_size, steps, subject, progress=gr.Progress()):
    return for_the_page(singan_train, image, max_size, steps, subject, progress)


def build_tab():
    choices = model_choices()
    names = [name for _, name in choices]
    default = DEFAULT_MODEL if DEFAULT_MODEL in names else (names[0] if names else None)
    gr.Markdown("SinGAN learns one picture's patches at every scale. The shipped models learned the SinGAN "
                "paper's own images (at 160 px; the paper used 250), and each sub-tab has the paper's example "
                "to click; or train a model on your own image (about 14 minutes at 128 px on a 2-core CPU, in the "
                "last sub-tab). Then draw new samples, edit, harmonize, paint, enlarge or animate. **Start "
                "scale**: 0 is the coarsest; higher scales keep more of the input and change only finer detail.")
    gr.Markdown(source_note([f"singan/{name}" for name in checkpoints("singan", "singan")]) +
                f" *Models trained here are kept in `{user_models_dir()}`.*")
    # Custom values: API callers may name a model trained after this page was built.
    model = gr.Dropdown(choices, value=default, label="Model", allow_custom_value=True, elem_id="singan-model")
    with gr.Tabs():
        with gr.Tab("Random samples"):
            with gr.Row():
                with gr.Column():
                    start = gr.Slider(0, 8, value=0, step=1, precision=0, label="Start scale")
                    scale_h = gr.Slider(0.5, 3, value=1, step=0.25, label="Width ×")
                    scale_v = gr.Slider(0.5, 3, value=1, step=0.25, label="Height ×")
                    count = gr.Slider(1, MAX_SAMPLES, value=4, step=1, precision=0, label="Samples")
                    seed = gr.Number(value=0, precision=0, label="Seed")
                    sample_button = gr.Button("Sample", variant="primary", elem_id="singan-sample")
                gallery = gr.Gallery(label="Samples", columns=4, height="auto", elem_id="singan-gallery")
            sample_inputs = [model, count, start, scale_h, scale_v, seed]  # singan_sample's parameters
            sample_button.click(_ui_sample, sample_inputs, gallery, api_name="singan_sample", concurrency_id="singan")
            shown_samples = sample_examples(names)
            if shown_samples:
                gr.Examples(shown_samples, inputs=sample_inputs, outputs=gallery,
                            fn=_ui_sample, run_on_click=True, cache_examples=False,
                            label="As in the paper: samples from scale 0, stretched ×2 wide, and from scale 1")
        editors = []
        for mode, title, verb, help_text, default_start in (
                ("editing", "Editing", "Edit", "Paint a change on the image (move colours, add a shape); the painted "
                 "region is redrawn in the image's own texture and blended in.", 2),
                ("harmonization", "Harmonization", "Harmonize", "Upload a picture with a pasted object (use the editor's "
                 "upload), then paint over the object: it takes on the model's colours and texture.", 2),
                ("paint", "Paint to image", "Paint", "Paint rough colour shapes; the model turns them into its image's "
                 "look. Start from the training image or clear the canvas.", 1)):
            with gr.Tab(title):
                gr.Markdown(help_text)
                with gr.Row():
                    with gr.Column():
                        editor = gr.ImageEditor(value=editor_background(default), type="pil", image_mode="RGBA",
                                                brush=gr.Brush(default_size=12), elem_id=f"singan-{mode}-editor")
                        edit_start = gr.Slider(0, 8, value=default_start, step=1, precision=0, label="Start scale")
                        edit_seed = gr.Number(value=0, precision=0, label="Seed")
                        edit_button = gr.Button(verb, variant="primary", elem_id=f"singan-{mode}-button")
                    result = gr.Image(label="Result (at the input's size)", type="pil", format="png",
                                      interactive=False, elem_id=f"singan-{mode}-result")
                edit_button.click(lambda m, e, s, n, mode=mode: _ui_edit(m, e, s, n, mode),
                                  [model, editor, edit_start, edit_seed], result, api_visibility="private",
                                  concurrency_id="singan")
                # A person picking a model gets its image to paint on; an example or a finished
                # training that sets the model (no .input) keeps its own canvas.
                model.input(editor_background, model, editor, api_visibility="private")
                editors.append(editor)
                name, image_file, _, _, caption = PAPER_EXAMPLES[mode]
                if name in names:
                    shown, what = gr.Image(visible=False, type="filepath"), gr.Textbox(visible=False)
                    gr.Examples([[str(PAPER_INPUTS / image_file), caption]], inputs=[shown, what],
                                outputs=[model, editor, edit_start, result],
                                fn=lambda _image, _caption, mode=mode: _ui_paper_example(mode),
                                run_on_click=True, cache_examples=False,
                                label="The SinGAN paper's own input and mask: click to load and run it")
        with gr.Tab("Super-resolution"):
            with gr.Row():
                with gr.Column():
                    sr_image = gr.File(label="Image (optional: the training image otherwise)", type="filepath",
                                       file_types=["image"])
                    factor = gr.Radio([2, 4], value=2, label="Factor")
                    sr_seed = gr.Number(value=0, precision=0, label="Seed")
                    sr_button = gr.Button("Enlarge", variant="primary")
                sr_result = gr.Image(label="Enlarged", type="pil", format="png", interactive=False)
            sr_button.click(_ui_super_resolve, [model, sr_image, factor, sr_seed], sr_result,
                            api_name="singan_super_resolve", concurrency_id="singan")
        with gr.Tab("Animation"):
            with gr.Row():
                with gr.Column():
                    anim_start = gr.Slider(0, 8, value=1, step=1, precision=0, label="Start scale")
                    motion = gr.Slider(0.05, 1, value=0.5, step=0.05, label="Motion")
                    anim_seed = gr.Number(value=0, precision=0, label="Seed")
                    anim_button = gr.Button("Animate", variant="primary")
                gif = gr.Image(label="Animation (GIF)", type="filepath", interactive=False)
            anim_button.click(_ui_animate, [model, anim_start, motion, anim_seed], gif, api_name="singan_animate",
                              concurrency_id="singan")
        with gr.Tab("Train on your image"):
            gr.Markdown("Training runs in a process of its own with a progress bar; the rest of the hub stays "
                        "usable. One training at a time: others wait in the queue. At 128 px and 400 steps per "
                        "scale it takes about 14 minutes on an otherwise idle 2-core CPU; 100 steps give a rough "
                        "model in 4. Training yields the CPU to the rest of the hub while people use it.")
            with gr.Row():
                with gr.Column():
                    train_image = gr.File(label="Your image", type="filepath", file_types=["image"])
                    subject = gr.Textbox(label="What it shows", placeholder="e.g. my garden")
                    size = gr.Slider(TRAIN_SIZES[0], TRAIN_SIZES[1], value=128, step=8, precision=0,
                                     label="Long side (px)")
                    steps = gr.Slider(50, 1000, value=400, step=50, precision=0, label="Steps per scale")
                    train_button = gr.Button("Train", variant="primary")
                with gr.Column():
                    trained = gr.Textbox(label="New model", interactive=False)
                    preview = gr.Image(label="Samples so far (after each scale: image, reconstruction, samples)",
                                       type="filepath", interactive=False, height=320, elem_id="singan-train-preview")
            train_button.click(_ui_train, [train_image, size, steps, subject], [model, trained, preview],
                               api_visibility="private", concurrency_id="singan_train", concurrency_limit=1)
            for editor in editors:  # the new model is selected: paint on its image
                trained.change(editor_background, trained, editor, api_visibility="private")
    # API twins with files in and out (the editors above are for people).
    api_image = gr.File(visible=False, type="filepath", label="Image")
    api_mask = gr.File(visible=False, type="filepath", label="Mask (white = change)")
    api_start = gr.Number(visible=False, value=2, precision=0, label="Start scale")
    api_seed = gr.Number(visible=False, value=0, precision=0, label="Seed")
    api_result = gr.Image(visible=False, type="pil", format="png", label="Result")
    for name, fn in (("singan_edit", _api_edit), ("singan_harmonize", _api_harmonize)):
        gr.Button(visible=False).click(fn, [model, api_image, api_mask, api_start, api_seed],
                                       api_result, api_name=name, concurrency_id="singan")
    gr.Button(visible=False).click(_api_paint, [model, api_image, api_start, api_seed],
                                   api_result, api_name="singan_paint", concurrency_id="singan")
    api_size = gr.Number(visible=False, value=128, precision=0, label="Long side (px)")
    api_steps = gr.Number(visible=False, value=400, precision=0, label="Steps per scale")
    api_subject = gr.Textbox(visible=False, value="", label="What it shows")
    api_name_out = gr.Textbox(visible=False, label="New model")
    gr.Button(visible=False).click(_api_train, [api_image, api_size, api_steps, api_subject], api_name_out,
                                   api_name="singan_train", concurrency_id="singan_train", concurrency_limit=1)
