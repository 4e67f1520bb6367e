"""Old-photo colourisation tab: colour at the photo's own resolution, original detail kept."""
from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr
from PIL import Image

from core.colorize import colorize as colorize_image
from core.colorize import grey_version
from core.images import load_image
from demos.common import for_the_page, get_model, on_gpu, output_path, source_note

COLORIZER = "colorizer"
EXAMPLES = sorted(str(p) for p in (Path(__file__).parent / "examples" / "colorize").glob("*.jpg"))
MAX_SIDE = 4096            # larger scans are scaled down first (memory stays bounded); the page says so
RENDER_SIZES = (256, 768)  # the model's working size, long side
DEFAULT_RENDER = 512


def colorize(photo, render_size: int = DEFAULT_RENDER) -> tuple[Image.Image, Image.Image, str | None]:
    """(grey input, colour result, note) for a photo file or image, at the photo's own size.

    Colour and sepia photos are made grey first; `render_size` (clamped to 256-768) is the long
    side the model works at. Raises ImageInputError for unusable input.
    """
    image, note = load_image(photo, max_side=MAX_SIDE)
    render_size = int(min(max(int(render_size or DEFAULT_RENDER), RENDER_SIZES[0]), RENDER_SIZES[1]))
    grey = grey_version(image)
    return grey, colorize_image(get_model(COLORIZER), grey, render_size), note


@on_gpu
def _ui_colorize(photo, render_size):
    grey, result = for_the_page(colorize, photo, render_size)
    download = output_path(f"{Path(str(photo)).stem}_colour.png")
    shutil.copyfile(result, download)
    return (grey, result), str(download)


@on_gpu
def _api_colorize(photo, render_size):
    return for_the_page(colorize, photo, render_size)[1]


def build_tab():
    gr.Markdown("Upload a scanned black-and-white (or faded, sepia) photo of any size. The model "
                "predicts colour at the *render size* and recombines it with your photo's own "
                "lightness, so the result keeps its full resolution and detail. Its encoder is an "
                "ImageNet-trained EfficientNet-Lite1, so it recognises what it colours; it was fine-tuned "
                "on 7,705 colour photos (landscapes, everyday objects, dogs): see "
                "`weights/colorizer/README.md` for its held-out figures and where it fails.")
    gr.Markdown(source_note([COLORIZER]))
    with gr.Row():
        with gr.Column():
            photo = gr.File(label="Photo (PNG, JPEG, TIFF, WebP ...)", type="filepath",
                            file_types=["image"], elem_id="colorize-upload")
            render = gr.Slider(*RENDER_SIZES, value=DEFAULT_RENDER, step=32, precision=0, label="Render size (long side, px)",
                               info="Larger: finer colour detail, slower. The output keeps the photo's size.")
            button = gr.Button("Colourise", variant="primary", elem_id="colorize-button")
        with gr.Column():
            slider = gr.ImageSlider(label="Before / after", type="pil", format="jpeg",
                                    elem_id="colorize-slider")
            download = gr.File(label="Download the colour photo (PNG, full size)", interactive=False)
    button.click(_ui_colorize, [photo, render], [slider, download], api_visibility="private",
                 concurrency_id="colorize")
    gr.Examples([[path, DEFAULT_RENDER] for path in EXAMPLES], inputs=[photo, render],
                outputs=[slider, download], fn=_ui_colorize, run_on_click=True, cache_examples=False,
                label="Historical photos (1850s-1940s, from DeOldify's test images): real old photos, "
                      "with no colour original to compare with")
    # The API: one image file and an optional render size in, the colour image out.
    api_photo = gr.File(visible=False, type="filepath")
    api_result = gr.Image(visible=False, type="pil", format="png", label="Colour photo")
    gr.Button(visible=False).click(_api_colorize, [api_photo, render], api_result, api_name="colorize",
                                   concurrency_id="colorize")
