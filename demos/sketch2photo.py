"""Sketch → photo tab: pix2pix turns a line drawing into a picture, a timm classifier names it."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import torch
import torch.nn.functional as F
from PIL import Image

from core.images import ImageInputError, load_image, resize_batch, to_image, to_tensor
from core.linedraw import check_line_drawing, frame_sketch
from core.checkpoint import read_config
from demos.common import checkpoint_extra, for_the_page, get_model, imported, on_gpu, source_note, weights_source

GENERATOR = "sketch2photo"
CLASSIFIER = "sketch_classifier"
EXAMPLES = sorted(str(p) for p in (Path(__file__).parent / "examples" / "sketch").glob("*.png"))
MAX_UPLOAD_SIDE = 4096   # larger uploads are scaled down first: a sketch needs no more
SIZE = 256               # the photo model's size, and Sketchy's
IMPORTED_EXTENT = 0.9    # an imported photo model's drawing fills this share of the square (edges2shoes-like)


def sketchpad_image(value):
    """The drawing inside a Sketchpad/ImageEditor value (a dict of layers), or the value itself."""
    if isinstance(value, dict):
        composite = value.get("composite")
        if composite is None:  # API callers may send only the background and layers
            layers = [value.get("background"), *(value.get("layers") or [])]
            layers = [load_image(layer)[0] if layer is not None else None for layer in layers]
            layers = [layer for layer in layers if layer is not None]
            if not layers:
                raise ImageInputError("The sketchpad is empty: draw something first.")
            composite = layers[0]
            for layer in layers[1:]:
                composite = Image.composite(layer, composite, layer.convert("L").point(lambda v: 255 if v < 250 else 0))
        return composite
    return value


def photo_models() -> list[str]:
    """The photo models to choose from: the shipped one, then every pix2pix U-Net from RGB to RGB
    imported into <weights>/imported/ (an edges2shoes generator, for one: black lines on white)."""
    configs = {name: read_config(folder)["config"] for name, folder in imported("unet_generator").items()}
    found = [name for name, config in configs.items() if config.get("in_channels") == config.get("out_channels") == 3]
    return [GENERATOR, *found]


def prepare_sketch(image: Image.Image, generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The drawing as a SIZE×SIZE tensor for the photo model (framed as its checkpoint's training
    sketches were, when it says; an imported model's object fills the frame, as edges2shoes' do)
    and for the classifier (framed as the Sketchy sketches are)."""
    for_classifier = to_tensor(frame_sketch(image, SIZE))
    extra = generator.checkpoint_extra
    extent = extra.get("sketch_extent", IMPORTED_EXTENT if "imported_from" in extra else None)
    for_photo = to_tensor(frame_sketch(image, SIZE, (extent, extent))) if extent else for_classifier
    channels = getattr(generator.config, "in_channels", 1)  # an RGB model (edges2shoes) gets grey lines as RGB
    return for_photo.expand(channels, -1, -1), for_classifier


@torch.no_grad()
def paint(generator, sketches: torch.Tensor) -> torch.Tensor:
    """Photos for a batch of SIZE×SIZE sketches. A photo model trained at a smaller size (its
    checkpoint says) paints at that size, and its photos are enlarged to SIZE."""
    trained_size = generator.checkpoint_extra.get("image_size", SIZE)
    if trained_size == SIZE:
        return generator.translate(sketches)
    photos = generator.translate(resize_batch(sketches, trained_size))
    return F.interpolate(photos, size=(SIZE, SIZE), mode="bicubic", align_corners=False).clamp(-1, 1)


@torch.no_grad()
def sketch_to_photo(sketch, top_k: int = 5, photo_model: str = GENERATOR) -> tuple[Image.Image, dict[str, float]]:
    """The photo for a sketch (file path, PIL image, array or Sketchpad value) and its top classes;
    `photo_model` is one of photo_models().

    Raises ImageInputError with a readable message for unusable input.
    """
    models = photo_models()
    if photo_model not in models:
        raise ImageInputError(f"Unknown photo model {photo_model!r}; available: {', '.join(models)}.")
    image, _ = load_image(sketchpad_image(sketch), max_side=MAX_UPLOAD_SIDE)
    check_line_drawing(image.convert("L"))  # a photo is refused at once, before any model loads
    generator, classifier = get_model(photo_model), get_model(CLASSIFIER)
    for_photo, for_classifier = prepare_sketch(image, generator)
    device = next(generator.parameters()).device
    return (to_image(paint(generator, for_photo[None].to(device))[0]),
            classifier.top_k(for_classifier[None].to(device), k=top_k)[0])


def photo_categories() -> list[str]:
    """The categories the photo model was trained on, as its checkpoint records them (or none)."""
    return checkpoint_extra(weights_source(GENERATOR)).get("categories", [])


def readable(category: str) -> str:
    return category.replace("_", " ")


@on_gpu
def _ui_sketch_to_photo(sketch, photo_model=GENERATOR):
    return for_the_page(sketch_to_photo, sketch, 5, photo_model)


def build_tab():
    """The tab's components and events; called inside the hub's gr.Blocks."""
    known = photo_categories()
    gr.Markdown("Draw one object, as large as the canvas allows, or upload a line drawing. A classifier "
                "names it among the 125 categories of the Sketchy database, and pix2pix paints a photo of it. "
                + (f"The photo model knows {', '.join(f'**{readable(c)}**' for c in known)} and paints the "
                   "object alone on white; other objects come back in those colours. " if known else "")
                + "Both learned from the Sketchy sketches: see the model cards in `weights/`.")
    gr.Markdown(source_note([GENERATOR, CLASSIFIER]))
    with gr.Row():
        with gr.Column():
            with gr.Tab("Draw"):
                pad = gr.Sketchpad(label="Sketch", type="pil", image_mode="RGBA",
                                   canvas_size=(512, 512), fixed_canvas=True,
                                   brush=gr.Brush(default_size=6, colors=["#000000"], color_mode="fixed"),
                                   elem_id="sketchpad")
                draw_button = gr.Button("Generate from drawing", variant="primary", elem_id="draw-generate")
            with gr.Tab("Upload"):
                # A File, not an Image: Gradio would decode an Image itself and hide our messages
                # about bad files behind a generic error.
                upload = gr.File(label="Sketch file (PNG, JPEG, WebP ...)", type="filepath",
                                 file_types=["image"], elem_id="sketch-upload")
                upload_button = gr.Button("Generate from file", variant="primary", elem_id="upload-generate")
        with gr.Column():
            models = photo_models()
            photo_model = gr.Dropdown(models, value=GENERATOR, label="Photo model", visible=len(models) > 1,
                                      info="the hub's own, or a pix2pix generator you imported (weights/imported/)",
                                      elem_id="sketch-model")
            photo = gr.Image(label="Photo (256×256)", type="pil", format="png", interactive=False,
                             elem_id="sketch-photo")
            label = gr.Label(label="What the sketch shows", num_top_classes=5, elem_id="sketch-label")
    draw_button.click(_ui_sketch_to_photo, [pad, photo_model], [photo, label], api_name="sketch_to_photo_drawing",
                      concurrency_id="sketch2photo")
    upload_button.click(_ui_sketch_to_photo, [upload, photo_model], [photo, label], api_name="sketch_to_photo",
                        concurrency_id="sketch2photo")
    gr.Examples(EXAMPLES, inputs=pad, outputs=[photo, label], fn=_ui_sketch_to_photo,
                run_on_click=True, cache_examples=False, examples_per_page=len(EXAMPLES),
                label="Held-out example sketches: click one, then draw on it if you like")
