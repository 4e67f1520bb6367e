"""Catholic2Gogh tab: a photo painted in a learned style (CycleGAN), and painted back to a photo."""
from __future__ import annotations

from pathlib import Path

import gradio as gr
import torch
from PIL import Image

from core.images import ImageInputError, load_image, to_image, to_tensor
from core.models.cyclegan import CycleGAN
from demos.common import checkpoint_extra, checkpoints, for_the_page, get_model, imported, on_gpu, source_note

EXAMPLES = sorted(str(p) for p in (Path(__file__).parent / "examples" / "stylize").glob("*.jpg"))
MAX_SIDE = 1024          # larger photos are scaled down first (CPU time and memory); the page says so
DEFAULT_STYLE = "vangogh"


def style_checkpoints() -> dict[str, Path]:
    """Style name → checkpoint folder: the hub's CycleGANs under <weights>/styles/ by folder name,
    then generators imported from junyanz's code as "imported/<name>" (both directions, or one)."""
    return {**checkpoints("styles", "cyclegan"), **imported("cyclegan", "resnet_generator")}


def style_names() -> list[str]:
    return list(style_checkpoints())


def checkpoint_name(style: str) -> str:
    return style if style.startswith("imported/") else f"styles/{style}"


def style_choices() -> list[tuple[str, str]]:
    """(label, name) for the dropdown: each style's one-line description from its checkpoint."""
    choices = []
    for name, folder in style_checkpoints().items():
        extra = checkpoint_extra(folder)
        description = extra.get("description") or (f"imported from {extra['imported_from']}"
                                                    if "imported_from" in extra else "")
        choices.append((f"{name}: {description}" if description else name, name))
    return choices


@torch.no_grad()
def stylize(photo, style: str = DEFAULT_STYLE) -> tuple[Image.Image, Image.Image, str | None]:
    """(painting, reconstruction, note) for a photo, both at the photo's size (after MAX_SIDE)."""
    styles = style_names()
    if style not in styles:
        raise ImageInputError(f"Unknown style {style!r}; available: {', '.join(styles) or 'none'}.")
    image, note = load_image(photo, max_side=MAX_SIDE)
    model = get_model(checkpoint_name(style))
    x = to_tensor(image)[None].to(next(model.parameters()).device)
    if not isinstance(model, CycleGAN):  # one imported generator: photo → painting only
        one_way = f"{style} was imported from one file, so it paints one way only: no reconstruction."
        return to_image(model.translate(x)[0]), None, " ".join(filter(None, [note, one_way]))
    painting = model.g_ab.translate(x)
    reconstruction = model.g_ba.translate(painting)
    return to_image(painting[0]), to_image(reconstruction[0]), note


@on_gpu
def _ui_stylize(photo, style):
    return for_the_page(stylize, photo, style)


def build_tab():
    styles = style_names()
    gr.Markdown("Upload a photo and pick a painter's style: CycleGAN paints it, then paints the painting "
                "back into a photo (the *reconstruction*, which shows what the style kept). Photos keep "
                f"their size up to {MAX_SIDE} px on the long side. Every style checkpoint in "
                "`weights/styles/` is listed, and every CycleGAN generator imported from junyanz's code into "
                "`weights/imported/` (`scripts/checkpoints/import_reference.py`); see its model card for how it was trained.")
    gr.Markdown(source_note([checkpoint_name(name) for name in styles]))
    with gr.Row():
        with gr.Column():
            photo = gr.File(label="Photo (PNG, JPEG, WebP ...)", type="filepath", file_types=["image"],
                            elem_id="stylize-upload")
            style = gr.Dropdown(style_choices(), value=DEFAULT_STYLE if DEFAULT_STYLE in styles else None,
                                label="Style", elem_id="stylize-style")
            button = gr.Button("Paint", variant="primary", elem_id="stylize-button")
        with gr.Column():
            painting = gr.Image(label="Painting", type="pil", format="png", interactive=False,
                                elem_id="stylize-painting")
            reconstruction = gr.Image(label="Reconstruction (painted back to a photo)", type="pil",
                                      format="png", interactive=False, elem_id="stylize-reconstruction")
    button.click(_ui_stylize, [photo, style], [painting, reconstruction], api_name="stylize",
                 concurrency_id="stylize")
    shown = [name for name in ("vangogh", "monet", "cezanne", "ukiyoe") if name in styles] or styles[:1]
    gr.Examples([[path, shown[n % len(shown)]] for n, path in enumerate(EXAMPLES)], inputs=[photo, style],
                outputs=[painting, reconstruction], fn=_ui_stylize, run_on_click=True,
                cache_examples=False, label="Held-out photos (never seen in training)")
