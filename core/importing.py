"""Open the reference projects' checkpoints in the hub.

junyanz/pytorch-CycleGAN-and-pix2pix saves generators as plain state dicts (`latest_net_G.pth`,
and the published `style_vangogh.pth`, `edges2shoes.pth`, ...): a ResNet-6/9 or U-Net-128/256,
batch or instance norm. The PyTorch examples' DCGAN saves `netG_epoch_N.pth`, one `nn.Sequential`
named `main`. Their layers are, in order, the layers of the hub's own ResnetGenerator,
UNetGenerator and DCGANGenerator, so importing is recognising the kind from the keys and shapes
and renaming each tensor; every shape is checked against the hub's module before anything is
written. Files are read with `torch.load(weights_only=True)`: a pickle that holds more than
tensors is refused, never run.
"""
from __future__ import annotations

import pickle
import re
import urllib.error
import urllib.request
from pathlib import Path

import torch

from core import registry
from core.checkpoint import save_checkpoint
from core.models.cyclegan import CycleGAN, CycleGANConfig

# Published names (the reference projects' download scripts) → their address.
PUBLISHED = {
    **{f"junyanz:{name}": f"http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/{name}.pth" for name in (
        "style_monet", "style_vangogh", "style_cezanne", "style_ukiyoe", "horse2zebra", "zebra2horse",
        "summer2winter_yosemite", "winter2summer_yosemite", "apple2orange", "orange2apple", "monet2photo",
        "map2sat", "sat2map", "facades_photo2label", "facades_label2photo", "iphone2dslr_flower")},
    **{f"junyanz:{name}": f"http://efrosgans.eecs.berkeley.edu/pix2pix/models-pytorch/{name}.pth" for name in (
        "edges2shoes", "edges2handbags", "facades_label2photo", "day2night", "sat2map", "map2sat")},
}
LICENCE = {"junyanz": "BSD (junyanz/pytorch-CycleGAN-and-pix2pix's licence)",
           "dcgan": "BSD-3-Clause (pytorch/examples' licence)"}


class CheckpointImportError(ValueError):
    """A file that cannot be imported; the message says why in one line."""


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a saved state dict, without running any code the file may hold."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        first = str(error).strip().splitlines()[0][:200]
        raise CheckpointImportError(f"{path.name} holds more than tensors, so it was not loaded ({first})") from None
    except (OSError, RuntimeError, EOFError, ValueError) as error:
        raise CheckpointImportError(f"{path.name} is not a PyTorch checkpoint ({error})") from None
    if not isinstance(state, dict) or not state or not all(torch.is_tensor(v) for v in state.values()):
        raise CheckpointImportError(f"{path.name} is not a state dict of tensors")
    return {key.removeprefix("module."): value for key, value in state.items()}  # DataParallel's prefix


def _resnet(state: dict) -> tuple[str, dict, dict[str, str]]:
    blocks = sorted({int(m.group(1)) for key in state if (m := re.match(r"model\.(\d+)\.conv_block\.", key))})
    norm = "batch" if "model.2.running_mean" in state else "instance"
    config = {"in_channels": state["model.1.weight"].shape[1], "out_channels": state[_last(state)].shape[0],
              "ngf": state["model.1.weight"].shape[0], "n_blocks": len(blocks), "norm": norm}
    if any(key.endswith(".conv_block.6.weight") and state[key].ndim == 4 for key in state):
        # a dropout layer shifts the second conv from place 5 to 6
        config["dropout"] = 0.5
    # The hub's residual blocks hold the same layers at the same places (dropout included).
    rename = {key: key.replace("model.", "net.", 1).replace(".conv_block.", ".body.") for key in state}
    return "resnet_generator", config, rename


def _last(state: dict) -> str:
    """The top-level layer with the highest index that has a weight (the output conv), whatever the
    order of the keys (a safetensors copy sorts them)."""
    numbered = [(int(m.group(1)), key) for key in state if (m := re.fullmatch(r"\w+\.(\d+)\.weight", key))]
    return max(numbered)[1]


def _unet(state: dict) -> tuple[str, dict, dict[str, str]]:
    """junyanz's U-Net nests one block in the next (model.model.1.model.3...); the hub keeps a list of
    down and up blocks. The outermost block is [down conv, inner, ReLU, up conv, Tanh], the innermost
    [LeakyReLU, down conv, ReLU, up conv, norm], the others [LeakyReLU, down conv, norm, inner, ReLU,
    up conv, norm, (dropout)]."""
    depth = max(key.count("model.") for key in state) - 1
    prefix = lambda level: "model." + "model.1." * min(level, 1) + "model.3." * max(level - 1, 0) + "model."
    norm = "instance"
    rename = {}
    for level in range(depth):
        p = prefix(level)
        outermost, innermost = level == 0, level == depth - 1
        down = 0 if outermost else 1
        up = 3 if outermost or innermost else 5
        rename[f"{p}{down}.weight"] = f"downs.{level}.{0 if outermost else 1}.weight"
        rename[f"{p}{down}.bias"] = f"downs.{level}.{0 if outermost else 1}.bias"
        if not (outermost or innermost):
            for part in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
                rename[f"{p}2.{part}"] = f"downs.{level}.2.{part}"
            if f"{p}2.running_mean" in state:
                norm = "batch"
        rename[f"{p}{up}.weight"] = f"ups.{level}.1.weight"
        rename[f"{p}{up}.bias"] = f"ups.{level}.1.bias"
        if not outermost:
            for part in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
                rename[f"{p}{up + 1}.{part}"] = f"ups.{level}.2.{part}"
    rename = {theirs: ours for theirs, ours in rename.items() if theirs in state}
    outer = state[f"{prefix(0)}0.weight"]
    config = {"in_channels": outer.shape[1], "out_channels": state[f"{prefix(0)}3.weight"].shape[1],
              "ngf": outer.shape[0], "depth": depth, "norm": norm, "dropout": 0.5,
              "dropout_blocks": max(0, depth - 5)}
    return "unet_generator", config, rename


def _dcgan_example(state: dict) -> tuple[str, dict, dict[str, str]]:
    first, last = state["main.0.weight"], state[_last(state)]
    levels = sum(1 for key in state if key.endswith(".weight") and state[key].ndim == 4) - 1
    config = {"image_size": 2 ** (levels + 2), "z_dim": first.shape[0], "ngf": last.shape[0], "spectral_norm": False}
    return "dcgan_generator", config, {key: key.replace("main.", "net.", 1) for key in state}


def recognise(state: dict[str, torch.Tensor]) -> tuple[str, dict, dict[str, str]]:
    """(registered model, its config, their key → our key) for a reference generator's state dict."""
    if "main.0.weight" in state:
        return _dcgan_example(state)
    if "model.1.weight" in state and state["model.1.weight"].ndim == 4 and state["model.1.weight"].shape[-1] == 7:
        return _resnet(state)
    if "model.model.0.weight" in state:
        return _unet(state)
    raise CheckpointImportError("not a generator this importer knows (junyanz ResNet or U-Net, or the PyTorch "
                                f"DCGAN example's); its first keys: {', '.join(list(state)[:3])}")


def build_imported(state: dict[str, torch.Tensor]):
    """The hub's module for a reference state dict, its weights in place; every key and shape checked."""
    name, config, rename = recognise(state)
    model = registry.build(name, config)
    ours = model.state_dict()
    mapped = {}
    for theirs, tensor in state.items():
        key = rename.get(theirs)
        if key is None or key not in ours:
            raise CheckpointImportError(f"unexpected tensor {theirs} for a {name} ({config})")
        if tuple(tensor.shape) != tuple(ours[key].shape):
            raise CheckpointImportError(f"tensor {theirs} is {tuple(tensor.shape)}, a {name} with this config "
                                        f"needs {tuple(ours[key].shape)}")
        mapped[key] = tensor
    missing = [key for key in ours if key not in mapped and not key.endswith("num_batches_tracked")]
    if name == "dcgan_generator":  # the example's last layer has no bias: ours is zero, the same output
        final_bias = [key for key in missing if key.endswith(".bias")]
        for key in final_bias:
            mapped[key] = torch.zeros_like(ours[key])
        missing = [key for key in missing if key not in final_bias]
    if missing:
        raise CheckpointImportError(f"missing tensor(s) for a {name}: {', '.join(missing[:3])}")
    model.load_state_dict(mapped, strict=False)
    return model.eval()


def fetch(source: str, cache: Path) -> Path:
    """A local file for SOURCE: the path itself, or a published name downloaded once into `cache`.
    Offline, fails at once with a message saying how to pass a local file instead."""
    if source not in PUBLISHED:
        path = Path(source)
        if not path.is_file():
            raise CheckpointImportError(f"no file {source} (and not a published name: "
                                        f"{', '.join(sorted(PUBLISHED)[:4])}, ...)")
        return path
    target = cache / (source.split(":", 1)[1] + ".pth")
    if not target.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            with urllib.request.urlopen(PUBLISHED[source], timeout=10) as response:
                target.write_bytes(response.read())
        except (urllib.error.URLError, OSError) as error:
            raise CheckpointImportError(
                f"could not download {source} from {PUBLISHED[source]} ({getattr(error, 'reason', error)}); "
                f"offline, download it elsewhere and pass the .pth file's path instead") from None
    return target


def as_cyclegan(a_to_b, b_to_a, domains: tuple[str, str] = ("photo", "painting")) -> CycleGAN:
    """Two imported generators of one junyanz CycleGAN (G_A, G_B) as the hub's CycleGAN, so that
    Catholic2Gogh paints with the first and paints back with the second."""
    kinds = {"resnet_generator": "resnet", "unet_generator": "unet"}
    if a_to_b.registry_name not in kinds or a_to_b.config != b_to_a.config or a_to_b.config.in_channels != 3:
        raise CheckpointImportError("the two files are not the two directions of one CycleGAN "
                                    f"({a_to_b.registry_name} {a_to_b.config} vs {b_to_a.registry_name} {b_to_a.config})")
    c = a_to_b.config
    if getattr(c, "dropout", 0) and a_to_b.registry_name == "resnet_generator":
        raise CheckpointImportError("these ResNet generators use dropout (pix2pix's), which the hub's CycleGAN does not")
    config = CycleGANConfig(generator=kinds[a_to_b.registry_name], ngf=c.ngf, norm=c.norm, domain_a=domains[0],
                            domain_b=domains[1], **({"n_blocks": c.n_blocks} if hasattr(c, "n_blocks") else {"depth": c.depth}))
    model = CycleGAN(config)
    model.g_ab.load_state_dict(a_to_b.state_dict())
    model.g_ba.load_state_dict(b_to_a.state_dict())
    return model.eval()


def import_checkpoint(source: str, out: Path, cache: Path | None = None, back: str | None = None) -> Path:
    """Import SOURCE (a .pth file or a published name) as a hub checkpoint folder at `out`; with
    `back` (the other direction of a CycleGAN, e.g. latest_net_G_B.pth) both as one CycleGAN."""
    cache = cache or Path.home() / ".cache" / "ganhub" / "imports"
    path = fetch(source, cache)
    model = build_imported(read_state_dict(path))
    if back:
        model = as_cyclegan(model, build_imported(read_state_dict(fetch(back, cache))))
    origin = "dcgan" if model.registry_name == "dcgan_generator" else "junyanz"
    sources = f"`{path.name}` ({source})" + (f" and, painting back, `{Path(back).name}`" if back else "")
    card = (f"# Imported {model.registry_name}\n\nImported by `scripts/checkpoints/import_reference.py` from {sources}. "
            f"Origin: {'the junyanz/pytorch-CycleGAN-and-pix2pix code' if origin == 'junyanz' else 'the PyTorch examples DCGAN'}"
            f"; licence: {LICENCE[origin]}. Config recognised from its keys and shapes: "
            f"`{model.config}`.\n")
    return save_checkpoint(out, model, card=card, extra={"imported_from": str(source)})
