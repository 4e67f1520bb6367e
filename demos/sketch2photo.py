"""Sketch → photo tab: pix2pix turns a line drawing into a picture, a timm classifier names it."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import torch
import torch.nn.functional as F
from PIL import Image

from core.images import ImageInputError, load_image, resize_batch, to_image, to_tensor
from core.linedraw import check_line_drawing, frame_sketch
from demos.common import checkpoint_extra, for_the_page, get_model, on_gpu, source_note, weights_source

GENERATOR = "sketch2photo"
CLASSIFIER = "sketch_classifier"
EXAMPLES = sorted(str(p) for p in (Path(__file__).parent / "examples" / "sketch").glob("*.png"))
MAX_UPLOAD_SIDE = 4096   # larger uploads are scaled down first: a sketch needs no more
SIZE = 256               # the photo model's size, and Sketchy's


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


def prepare_sketch(image: Image.Image, generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The drawing as a SIZE×SIZE tensor for the photo model (framed as its checkpoint's training
    sketches were, when it says) and for the classifier (framed as the Sketchy sketches are)."""
    for_classifier = to_tensor(frame_sketch(image, SIZE))
    extent = generator.checkpoint_extra.get("sketch_extent")
    return (to_tensor(frame_sketch(image, SIZE, (extent, extent))) if extent else for_classifier), for_classifier


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
def sketch_to_photo(sketch, top_k: int = 5) -> tuple[Image.Image, dict[str, float]]:
    """The photo for a sketch (file path, PIL image, array or Sketchpad value) and its top classes.

    Raises ImageInputError with a readable message for unusable input.
    """
    image, _ = load_image(sketchpad_image(sketch), max_side=MAX_UPLOAD_SIDE)
    check_line_drawing(image.convert("L"))  # a photo is refused at once, before any model loads
    generator, classifier = get_model(GENERATOR), get_model(CLASSIFIER)
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
def _ui_sketch_to_photo(sketch):
    return for_the_page(sketch_to_photo, sketch)


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
            photo = gr.Image(label="Photo (256×256)", type="pil", format="png", interactive=False,
                             elem_id="sketch-photo")
            label = gr.Label(label="What the sketch shows", num_top_classes=5, elem_id="sketch-label")
    draw_button.click(_ui_sketch_to_photo, pad, [photo, label], api_name="sketch_to_photo_drawing",
                      concurrency_id="sketch2photo")
    upload_button.click(_ui_sketch_to_photo, upload, [photo, label], api_name="sketch_to_photo",
                        concurrency_id="sketch2photo")
    gr.Examples(EXAMPLES, inputs=pad, outputs=[photo, label], fn=_ui_sketch_to_photo,
                run_on_click=True, cache_examples=False, examples_per_page=len(EXAMPLES),
                label="Held-out example sketches: click one, then draw on it if you like")
