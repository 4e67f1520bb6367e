"""Colourisation at the photo's own resolution: predict chroma small, keep the original luminance.

The generator sees L at a working size (aspect kept, never a square stretch) and predicts ab; ab
is upsampled to the full size and recombined with the full-resolution L of the input, so every
detail of the scan survives (as DeOldify and Zhang et al. do).
"""
from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from core.color import (LUMINANCE, denormalize_ab, lab_to_linear, lightness_of_luminance, linear_to_srgb, normalize_l,
                        srgb_to_linear)
from core.data import list_images
from core.features import imagenet_probabilities
from core.images import load_image, to_tensor
from core.metrics import colourfulness, psnr, ssim


# sRGB's 8-bit values made linear, once: Lab L depends on the luminance Y alone, and a table
# look-up per channel instead of a full Lab conversion of every pixel took a 4096² scan's
# lightness from seconds to a fraction of one (the hub's bounded-time rule).
_LINEAR = srgb_to_linear(torch.arange(256) / 255).numpy()


# sRGB's power curve as a table from linear light in steps of 2^-16 to 8-bit values: off by one
# level on under 0.2% of pixels, and a look-up instead of a power per channel of every pixel.
_STEPS = 2 ** 16
_SRGB8 = (linear_to_srgb(torch.linspace(0, 1, _STEPS + 1, dtype=torch.float64)) * 255).round().to(torch.uint8)


def lab_to_image(L: torch.Tensor, ab: torch.Tensor) -> Image.Image:
    """The 8-bit RGB photo of lightness L (1×1×H×W) and chroma ab (1×2×H×W), in gamut as
    lab_to_linear keeps it. Converted in bands of about half a million pixels so that the dozen
    elementwise steps work in the CPU's cache rather than in memory: a 2048² scan in about
    0.15 s instead of 0.9 s for lab_to_rgb on the whole."""
    h, w = L.shape[-2:]
    rgb = torch.empty(h, w, 3, dtype=torch.uint8)
    rows = max(1, 2 ** 19 // w)
    for top in range(0, h, rows):
        band = slice(top, top + rows)
        linear = lab_to_linear(torch.cat([L[..., band, :], ab[..., band, :]], dim=1).cpu().float())[0]
        rgb[band] = _SRGB8[linear.mul_(_STEPS).round_().to(torch.int32)].permute(1, 2, 0)
    return Image.fromarray(rgb.numpy())


def luminance(image: Image.Image) -> torch.Tensor:
    """CIE Y (0-1) of each pixel of an 8-bit image, as HxW."""
    pixels = np.asarray(image.convert("RGB"))
    return torch.from_numpy(sum(np.float32(w) * _LINEAR[pixels[..., c]] for c, w in enumerate(LUMINANCE.tolist())))


def lightness(image: Image.Image) -> torch.Tensor:
    """Lab L (0-100) of an 8-bit image as 1×1×H×W, equal to rgb_to_lab's."""
    return lightness_of_luminance(luminance(image))[None, None]


def grey_version(image: Image.Image) -> Image.Image:
    """The photo as the colouriser sees it: only its Lab lightness (colour and sepia dropped). The
    grey of the same L has R = G = B = Y in linear RGB."""
    grey = linear_to_srgb(luminance(image)).clamp(0, 1).numpy()
    return Image.fromarray((grey * 255).round().astype(np.uint8)).convert("RGB")


# The colourisers train on crops of photos rescaled to a range of short sides (PhotoCrops; the shipped
# model's last stage: 288 px crops from 288-317 px): they know things at that scale. A smaller photo
# (a thumbnail, the 128 px dogs of the held-out split) is enlarged for the network to the middle of
# that range, which a pretrained colouriser's config records as `short_side` (302 for the shipped
# model): seen at its own 128 px, a dog is smaller than any dog in training, and the model falls back
# on a beige wash (enlarged, the Lite0 model's held-out Lite2 agreement rose from 59.6% to 61.2% and
# its PSNR by 0.26 dB: weights/colorizer/README.md). Colourisers whose config has no such field get 288.
DEFAULT_SHORT_SIDE = 288


def working_size(h: int, w: int, render_size: int, short_side: int = DEFAULT_SHORT_SIDE) -> tuple[int, int]:
    """The size the network colours an h×w photo at, aspect kept: the long side at most `render_size`
    (bounded time for any upload), the short side at least `short_side` (the scale the model trained
    at) where that allows."""
    scale = min(render_size / max(h, w), max(1.0, short_side / min(h, w)))
    return max(1, round(h * scale)), max(1, round(w * scale))


@torch.no_grad()
def colorize(generator, image: Image.Image, render_size: int = 512) -> Image.Image:
    """Colour version of `image` at its own size. `render_size`: the longest side the model works at."""
    device = next(generator.parameters()).device
    L = lightness(image).to(device)
    h, w = L.shape[-2:]
    size = working_size(h, w, render_size, getattr(generator.config, "short_side", DEFAULT_SHORT_SIDE))
    enlarge = size[0] > h
    if size == (h, w):
        seen = L
    elif enlarge:
        seen = F.interpolate(L, size=size, mode="bicubic", align_corners=False).clamp(0, 100)
    else:
        seen = F.interpolate(L, size=size, mode="area")
    ab = denormalize_ab(generator.translate(normalize_l(seen)).float())
    ab = F.interpolate(ab, size=(h, w), mode="bilinear", align_corners=False, antialias=enlarge)
    return lab_to_image(L, ab)


def held_out_metrics(generator, folder, render_size: int = 512, judge: str = "") -> dict:
    """Each photo of `folder` made grey and colourised: PSNR, SSIM and colourfulness of the result
    beside those of the grey input and of the truth: {"rows": one dict a photo, "mean": their mean,
    and the folder and render size they were measured at}. With a `judge` (an ImageNet network of
    core.features the colouriser never trained against), Zhang et al.'s semantic test too: whether
    the grey input's and the result's top-1 class is the colour original's ("agrees", 0 or 1), and
    how sure the judge is of that label in the colour original ("label_confidence")."""
    rows = []
    for path in list_images(folder):
        truth, _ = load_image(path)
        grey = grey_version(truth)
        result = colorize(generator, grey, render_size)
        rows.append({"photo": path.name, "psnr": psnr(result, truth), "psnr_grey": psnr(grey, truth),
                     "ssim": ssim(result, truth), "ssim_grey": ssim(grey, truth),
                     "colourfulness": colourfulness(result), "colourfulness_truth": colourfulness(truth)})
        if judge:
            label, confidence, grey_top1 = _judged_original(str(path), judge)
            result_top1 = _top1(result, judge)
            rows[-1].update(agrees=float(result_top1 == label), agrees_grey=float(grey_top1 == label),
                            label_confidence=confidence)
    return {"rows": rows, "mean": _mean(rows), "folder": str(folder), "render_size": render_size, "judge": judge}


def _top1(image: Image.Image, judge: str) -> int:
    return imagenet_probabilities(to_tensor(image)[None], judge)[0].argmax().item()


@functools.lru_cache(maxsize=None)
def _judged_original(path: str, judge: str) -> tuple[int, float, int]:
    """The judge's top-1 class of a colour photo, its probability, and the grey version's top-1:
    the same for every colouriser and temperature scored, so judged once per process."""
    truth, _ = load_image(path)
    probabilities = imagenet_probabilities(to_tensor(truth)[None], judge)[0]
    label = probabilities.argmax().item()
    return label, probabilities[label].item(), _top1(grey_version(truth), judge)


def _mean(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) / len(rows) for key in rows[0] if key != "photo"} if rows else {}


def held_out_table(metrics: dict) -> str:
    """held_out_metrics as the model card's Markdown table: a row per photo for a few photos, per
    source (the file name's prefix, e.g. "landscape_") for many, and the mean."""
    few = len(metrics["rows"]) <= 20
    groups = {}
    for r in metrics["rows"]:
        groups.setdefault(r["photo"] if few else r["photo"].split("_")[0] + " photos", []).append(r)
    judged = bool(metrics.get("judge"))

    def row(name, g, bold=""):
        cells = [name, f"{g['psnr']:.2f} / {g['psnr_grey']:.2f}", f"{g['ssim']:.3f} / {g['ssim_grey']:.3f}",
                 f"{g['colourfulness']:.1f} / {g['colourfulness_truth']:.1f}"]
        if judged:
            cells.append(f"{100 * g['agrees']:.1f}% / {100 * g['agrees_grey']:.1f}%")
        return "| " + " | ".join(f"{bold}{c}{bold}" for c in cells) + " |"

    rows = "\n".join(row(f"{name} ({len(group)})", _mean(group)) for name, group in groups.items())
    judge = f" | {metrics['judge'].title()} top-1 as the original's: result / grey input" if judged else ""
    return f"""On {len(metrics['rows'])} held-out photos (`{metrics['folder']}`, never used in training), each
turned grey and colourised at render size {metrics['render_size']}, compared with the original colour photo:

| photo | PSNR dB: result / grey input | SSIM: result / grey input | colourfulness: result / truth{judge} |
| --- | --- | --- | ---{' | ---' if judged else ''} |
{rows}
{row("mean", metrics["mean"], bold="**")}
{semantic_line(metrics)}"""


# A label the judge gives at least this probability in the colour original; below it, its top-1 is
# a near-tie that any small change of colour can flip (most held-out landscapes and 128 px dogs)
SURE_LABEL = 0.5


def semantic_line(metrics: dict) -> str:
    """Zhang et al.'s semantic interpretability in words: how often the judge's top-1 class of the
    grey input and of the result is that of the colour original, the share of the grey input's
    shortfall (to 100%) that colourising closes, and the agreement apart for the labels the judge is
    sure of and for its near-ties."""
    if not metrics.get("judge"):
        return ""
    m = metrics["mean"]
    closed = (m["agrees"] - m["agrees_grey"]) / max(1e-9, 1 - m["agrees_grey"])
    groups = {f"{SURE_LABEL:.0%} or more": [r for r in metrics["rows"] if r["label_confidence"] >= SURE_LABEL],
              "under that (near-ties)": [r for r in metrics["rows"] if r["label_confidence"] < SURE_LABEL]}
    means = {kind: (len(group), _mean(group)) for kind, group in groups.items() if group}
    split = "; ".join(f"{kind}, {count} photos: grey input {100 * g['agrees_grey']:.1f}%, "
                      f"colourised {100 * g['agrees']:.1f}%" for kind, (count, g) in means.items())
    return (f"\nImageNet top-1 in EfficientNet-{metrics['judge'].title()} (never trained against) equal to the "
            f"colour original's: grey input {100 * m['agrees_grey']:.1f}%, colourised {100 * m['agrees']:.1f}%, "
            f"which closes {100 * closed:.0f}% of the grey input's shortfall.\n"
            f"By the judge's probability for its label in the colour original: {split}.\n")
