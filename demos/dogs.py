"""Dog generation tab: a DCGAN-family generator with a seed and a truncation slider."""
from __future__ import annotations

import gradio as gr
import torch
from PIL import Image

from core.images import ImageInputError, to_image
from core.models.dcgan import TRUNCATION_OFF, random_labels, slerp, truncated_noise
from core.checkpoint import CheckpointError, read_config, resolve
from demos.common import for_the_page, get_model, imported, on_gpu, output_path, source_note, weights_source

GENERATOR = "dogs"
MAX_COUNT = 64
TRUNCATION_MODES = tuple(TRUNCATION_OFF)
DEFAULT_TRUNCATION = 0.5  # anchor mode: the knee of the held-out precision/recall curve (model card)
DISPLAY_SIZE = 128  # 64 px samples are shown enlarged (nearest neighbour: no invented detail)


def generators() -> list[str]:
    """The generators to choose from: the shipped one, then every DCGAN generator imported into
    <weights>/imported/ (e.g. the PyTorch examples' netG_epoch_N.pth)."""
    return [GENERATOR, *imported("dcgan_generator")]


def _generator(name: str):
    if name not in generators():
        raise ImageInputError(f"Unknown generator {name!r}; available: {', '.join(generators())}.")
    return get_model(name)


def _labels(model, count: int, breed: str | None, seed: int) -> torch.Tensor | None:
    names = model.config.class_names
    if not names:
        return None
    if breed in (None, "", "any"):
        return random_labels(count, len(names), seed)
    if breed not in names:
        raise ImageInputError(f"Unknown breed {breed!r}.")
    return torch.full((count,), names.index(breed))


def _latents(model, count: int, seed: int, truncation: float, mode: str) -> torch.Tensor:
    """truncated_noise for the tab: what it rejects (mode, truncation, missing anchors) is the user's to fix."""
    try:
        return truncated_noise(count, model.config.z_dim, int(seed), float(truncation or 0), mode, model.anchors)
    except ValueError as error:
        message = str(error)
        raise ImageInputError(f"{message[0].upper()}{message[1:]}.") from None


@torch.no_grad()
def generate_dogs(seed: int = 0, truncation: float = 1.0, count: int = 8, mode: str = "anchor",
                  breed: str | None = None, generator: str = GENERATOR) -> list[Image.Image]:
    """`count` dogs for `seed`: the same arguments always give the same images.

    truncation: anchor mode pulls the latent towards the nearest of the generator's most realistic
    latents (1 = off, 0.3 = close to them: cleaner, less varied); resample mode redraws latent entries
    beyond ±truncation (4 ≈ off); psi mode scales the latent towards the mean (1 = off).
    `generator` is one of generators().
    """
    count = int(count)
    if not 1 <= count <= MAX_COUNT:
        raise ImageInputError(f"Ask for between 1 and {MAX_COUNT} images.")
    model = _generator(generator)
    device = next(model.parameters()).device
    z = _latents(model, count, seed, truncation, mode).to(device)
    labels = _labels(model, count, breed, int(seed))
    images = model(z, None if labels is None else labels.to(device))
    return [to_image(image) for image in images]


@torch.no_grad()
def interpolation_gif(seed_a: int, seed_b: int, truncation: float = 1.0, frames: int = 24,
                      mode: str = "anchor", breed: str | None = None, generator: str = GENERATOR) -> str:
    """A looping GIF walking the latent space from seed_a's dog to seed_b's and back (slerp)."""
    model = _generator(generator)
    za, zb = _latents(model, 1, seed_a, truncation, mode), _latents(model, 1, seed_b, truncation, mode)
    path = slerp(za.expand(frames, -1), zb.expand(frames, -1), torch.linspace(0, 1, frames))
    labels = _labels(model, 1, breed, int(seed_a))  # the walk stays in seed_a's first dog's class
    labels = None if labels is None else labels.expand(frames)
    device = next(model.parameters()).device
    images = model(path.to(device), None if labels is None else labels.to(device))
    pictures = [to_image(image).resize((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.NEAREST) for image in images]
    pictures += pictures[-2:0:-1]  # and back, so the loop is seamless
    out = output_path(f"dogs_{seed_a}_{seed_b}.gif")
    pictures[0].save(out, save_all=True, append_images=pictures[1:], duration=80, loop=0)
    return str(out)


@on_gpu
def _ui_generate(seed, truncation, count, mode, breed, generator=GENERATOR):
    return for_the_page(_dogs_for_display, seed, truncation, count, mode, breed, generator)


def _dogs_for_display(*args):
    return [image.resize((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.NEAREST) for image in generate_dogs(*args)]


def _api_generate(seed, truncation, count):
    """The API's dogs, any breed: anchor truncation (1 = off) when the generator has anchors (the
    shipped one does), else BigGAN's resampling (4 = off)."""
    return _ui_generate(seed, truncation, count, _default_mode(get_model(GENERATOR).config.anchors), "any")


def _default_mode(anchors: int) -> str:
    return "anchor" if anchors else "resample"


def _slider_for_mode(mode: str, truncation: float):
    """Each mode's own range, up to its "off": 1 for anchor and psi, 4 for resample."""
    return gr.Slider(maximum=TRUNCATION_OFF[mode], value=min(truncation, TRUNCATION_OFF[mode]))


@on_gpu
def _ui_animate(seed, truncation, mode, breed, generator=GENERATOR):
    return for_the_page(interpolation_gif, seed, seed + 1, truncation, 24, mode, breed, generator)


def _controls_for_generator(name: str):
    """A generator without anchors (an imported one) starts in resample mode, at "off"; breeds are
    the generator's own."""
    try:
        config = read_config(resolve(weights_source(name)))["config"]
    except CheckpointError:
        config = {}
    mode = _default_mode(config.get("anchors", 0))
    breeds = list(config.get("class_names", []))
    return (gr.Radio(value=mode), gr.Slider(maximum=TRUNCATION_OFF[mode], value=DEFAULT_TRUNCATION if mode == "anchor"
                                            else TRUNCATION_OFF[mode]),
            gr.Dropdown(["any", *breeds], value="any", visible=bool(breeds)))


def build_tab():
    try:  # the config alone: the model itself loads on first use
        config = read_config(resolve(weights_source(GENERATOR)))["config"]
    except CheckpointError:  # no weights: the tab still builds, and generating says what is missing
        config = {}
    breeds, default_mode = list(config.get("class_names", [])), _default_mode(config.get("anchors", 0))
    gr.Markdown("New dogs from a DCGAN-family generator. **Truncation** trades variety for fidelity. "
                "*anchor* (the default) pulls each latent towards the nearest of 256 latents whose "
                "pictures scored most realistic: at 1 the latent is as drawn, lower values give plainer, "
                "cleaner and more alike pictures. *resample* (BigGAN) redraws latent entries beyond "
                "±truncation (4 = off) and *psi* shrinks the latent towards the mean (1 = off): with this "
                "batch-norm generator those two only fade the pictures towards one grey-brown average. "
                "Same seed and settings, same dogs. The shipped 64 px model learned from 9,000 real dog "
                "photos (Kaggle's Dogs vs. Cats), lately against a discriminator on frozen ImageNet features: "
                "its model card has held-out figures and its limits (an ImageNet classifier it never trained "
                "against calls 89% of the pictures dogs at the default truncation, real photos 94%; some "
                "bodies are muddled, and among real photos about half pass).")
    gr.Markdown(source_note([GENERATOR]))
    with gr.Row():
        with gr.Column(scale=1):
            choices = generators()
            generator = gr.Dropdown(choices, value=GENERATOR, label="Generator", visible=len(choices) > 1,
                                    info="the hub's own, or a DCGAN you imported (weights/imported/)",
                                    elem_id="dogs-generator")
            seed = gr.Number(value=0, precision=0, label="Seed", elem_id="dogs-seed")
            top = TRUNCATION_OFF[default_mode]
            truncation = gr.Slider(0.1, top, value=DEFAULT_TRUNCATION if default_mode == "anchor" else top, step=0.05,
                                   label="Truncation", elem_id="dogs-truncation")
            mode = gr.Radio(list(TRUNCATION_MODES), value=default_mode, label="Truncation mode")
            count = gr.Slider(1, MAX_COUNT, value=16, step=1, precision=0, label="Number of dogs")
            breed = gr.Dropdown(["any", *breeds], value="any", label="Breed", visible=bool(breeds))
            button = gr.Button("Generate", variant="primary", elem_id="dogs-generate")
            animate = gr.Button("Animate: seed → seed + 1", elem_id="dogs-animate")
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Dogs", columns=6, height="auto", elem_id="dogs-gallery")
            animation = gr.Image(label="Latent walk (GIF)", type="filepath", interactive=False)
    mode.change(_slider_for_mode, [mode, truncation], truncation, api_visibility="private")
    generator.change(_controls_for_generator, generator, [mode, truncation, breed], api_visibility="private")
    button.click(_ui_generate, [seed, truncation, count, mode, breed, generator], gallery, api_visibility="private",
                 concurrency_id="dogs")
    animate.click(_ui_animate, [seed, truncation, mode, breed, generator], animation, api_name="animate_dogs",
                  concurrency_id="dogs")
    # The API: seed, truncation and count in, the images out.
    api_out = gr.Gallery(visible=False, label="Dogs")
    gr.Button(visible=False).click(_api_generate, [seed, truncation, count], api_out, api_name="generate_dogs",
                                   concurrency_id="dogs")
    gr.Examples([[0, 0.5, 16, "anchor", "any"], [0, 1.0, 16, "anchor", "any"], [7, 0.3, 16, "anchor", "any"],
                 [7, 1.0, 16, "resample", "any"]],
                inputs=[seed, truncation, count, mode, breed], outputs=gallery, fn=_ui_generate,
                run_on_click=True, cache_examples=False)
