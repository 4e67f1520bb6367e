"""Sketch → photo tab: pix2pix turns a line drawing into a picture, a timm classifier names it."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import torch
from PIL import Image, ImageOps

from core.images import ImageInputError, load_image, to_image, to_tensor
from demos.common import for_the_page, get_model, on_gpu, source_note

GENERATOR = "sketch2photo"
CLASSIFIER = "sketch_classifier"
EXAMPLES = sorted(str(p) for p in (Path(__file__).parent / "examples" / "sketch").glob("*.png"))
MAX_UPLOAD_SIDE = 4096   # larger uploads are scaled down first: a sketch needs no more
INK_THRESHOLD = 200      # grey levels below this count as strokes


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


def normalise_sketch(image: Image.Image, size: int, margin: float = 0.06) -> Image.Image:
    """Grey sketch cropped to its strokes and centred on a white square, as in training."""
    grey = image.convert("L")
    ink = grey.point(lambda v: 255 if v < INK_THRESHOLD else 0)
    box = ink.getbbox()
    if box is None:
        raise ImageInputError("The sketch is empty: draw some dark lines on the white canvas.")
    grey = grey.crop(box)
    inner = round(size * (1 - 2 * margin))
    grey = ImageOps.contain(grey, (inner, inner), Image.Resampling.LANCZOS)
    canvas = Image.new("L", (size, size), 255)
    canvas.paste(grey, ((size - grey.width) // 2, (size - grey.height) // 2))
    return canvas


@torch.no_grad()
def sketch_to_photo(sketch, top_k: int = 5) -> tuple[Image.Image, dict[str, float]]:
    """The photo for a sketch (file path, PIL image, array or Sketchpad value) and its top classes.

    Raises ImageInputError with a readable message for unusable input.
    """
    image, _ = load_image(sketchpad_image(sketch), max_side=MAX_UPLOAD_SIDE)
    generator, classifier = get_model(GENERATOR), get_model(CLASSIFIER)
    size = 256
    sketch_tensor = to_tensor(normalise_sketch(image, size))[None].to(next(generator.parameters()).device)
    photo = to_image(generator.translate(sketch_tensor)[0])
    small = torch.nn.functional.interpolate(sketch_tensor, size=classifier.config.image_size,
                                            mode="bilinear", antialias=True)
    return photo, classifier.top_k(small, k=top_k)[0]


@on_gpu
def _ui_sketch_to_photo(sketch):
    return for_the_page(sketch_to_photo, sketch)


def build_tab():
    """The tab's components and events; called inside the hub's gr.Blocks."""
    gr.Markdown("Draw an object (a fruit, a car, a bird, a house ...) or upload a line drawing. "
                "pix2pix paints it and a classifier says what it sees. Trained on open clip-art: "
                "see the model cards in `weights/`.")
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
