"""Reference checkpoints (junyanz pix2pix/CycleGAN, PyTorch's DCGAN example) import exactly.

tests/data/reference_checkpoints holds tiny random-weight state dicts saved from the reference
code's own networks and their outputs on a fixed input (made once, outside the project, with the
reference code in ../shared/perf); the imported hub modules must give the same outputs.
"""
import io
import pickle
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from core.checkpoint import load_checkpoint
from core.importing import CheckpointImportError, build_imported, import_checkpoint, read_state_dict
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "reference_checkpoints"
KINDS = {"resnet9_instance": "resnet_generator", "resnet6_batch": "resnet_generator",
         "unet256_batch_dropout": "unet_generator", "unet128_instance": "unet_generator",
         "dcgan_example": "dcgan_generator"}


def probe(shape):
    n = torch.arange(torch.Size(shape).numel(), dtype=torch.float32)
    return torch.sin(n * 0.37).reshape(shape) * 0.9


def reference_file(kind, tmp_path):
    """The state dict as the reference code saves it: torch.save of a dict of tensors."""
    path = tmp_path / f"{kind}.pth"
    torch.save(load_file(DATA / f"{kind}.safetensors"), path)
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_imported_generator_gives_the_reference_output(kind, tmp_path):
    out = import_checkpoint(str(reference_file(kind, tmp_path)), tmp_path / "imported")
    model = load_checkpoint(out).eval()
    assert model.registry_name == KINDS[kind]
    expected = load_file(DATA / f"{kind}.expected.safetensors")
    x = probe(expected["input_shape"].tolist())
    with torch.no_grad():
        y = model(x.flatten(1)) if kind == "dcgan_example" else model(x)
    if y.shape[-1] > 64:
        y = y[..., ::8, ::8]
    # fp32 rounding differs between CPUs (AVX2 vs AVX-512 kernels: up to 1.3e-5 seen); a wrong mapping is off by ~0.1
    assert (y - expected["output"]).abs().max() <= 5e-5
    card = (out / "README.md").read_text()
    assert f"{kind}.pth" in card and "licence" in card


class Boom:
    def __reduce__(self):
        return (print, ("this ran",))


def test_a_pickle_with_code_is_refused_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps({"model.1.weight": Boom()}))
    with pytest.raises(CheckpointImportError, match="holds more than tensors"):
        import_checkpoint(str(path), tmp_path / "out")
    assert "this ran" not in capsys.readouterr().out and not (tmp_path / "out").exists()


def test_a_wrong_shape_or_a_missing_key_is_a_one_line_error(tmp_path):
    state = load_file(DATA / "resnet6_batch.safetensors")
    wrong = dict(state, **{"model.10.conv_block.1.weight": torch.zeros(16, 16, 5, 5)})
    with pytest.raises(CheckpointImportError, match=r"model\.10\.conv_block\.1\.weight is \(16, 16, 5, 5\)"):
        build_imported(wrong)
    missing = {k: v for k, v in state.items() if k != "model.5.weight"}
    with pytest.raises(CheckpointImportError) as error:
        build_imported(missing)
    assert "\n" not in str(error.value)
    with pytest.raises(CheckpointImportError, match="not a generator this importer knows"):
        build_imported({"encoder.weight": torch.zeros(3)})
    buffer = io.BytesIO()
    torch.save([torch.zeros(2)], buffer)
    (tmp_path / "list.pth").write_bytes(buffer.getvalue())
    with pytest.raises(CheckpointImportError, match="not a state dict of tensors"):
        read_state_dict(tmp_path / "list.pth")


def test_script_fails_fast_and_clearly_for_a_published_name_offline(tmp_path):
    """The network is made unreachable for the script: every connection is refused at once."""
    offline = ("import socket\n"
               "def refuse(*a, **k): raise OSError('network unreachable')\n"
               "socket.socket.connect = refuse\nsocket.create_connection = refuse\n"
               "import runpy, sys\nsys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", offline, str(REPO / "scripts" / "checkpoints" / "import_reference.py"),
                             "junyanz:style_vangogh", str(tmp_path / "out")], capture_output=True, text=True,
                            timeout=60, cwd=REPO, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "could not download junyanz:style_vangogh" in message and "pass the .pth file's path" in message
    assert not (tmp_path / "out").exists()


def test_two_directions_become_one_cyclegan_and_a_mismatched_pair_is_refused(tmp_path):
    forward = reference_file("resnet9_instance", tmp_path)
    back = tmp_path / "back.pth"
    torch.save({k: v.flip(0) if v.ndim == 4 else v for k, v in load_file(DATA / "resnet9_instance.safetensors").items()},
               back)
    style = load_checkpoint(import_checkpoint(str(forward), tmp_path / "style", back=str(back))).eval()
    one_way = load_checkpoint(import_checkpoint(str(forward), tmp_path / "one_way")).eval()
    x = probe((1, 3, 32, 32))
    with torch.no_grad():
        assert type(style).__name__ == "CycleGAN"
        assert torch.equal(style.g_ab(x), one_way(x)) and not torch.equal(style.g_ba(x), one_way(x))
    with pytest.raises(CheckpointImportError, match="not the two directions"):
        import_checkpoint(str(forward), tmp_path / "bad", back=str(reference_file("resnet6_batch", tmp_path)))
    assert not (tmp_path / "bad").exists()


def test_the_tabs_offer_imported_generators_with_their_own_input_preparation(tmp_path, monkeypatch):
    from PIL import Image

    from core.images import ImageInputError
    from demos import common, dogs, sketch2photo, stylize
    from tests.conftest import imported_weights
    monkeypatch.setenv("GANHUB_WEIGHTS", str(imported_weights(tmp_path)))
    common.clear_models()
    try:
        photo = Image.new("RGB", (72, 40), (90, 140, 200))
        assert {"imported/one_way_style", "imported/style", "vangogh"} <= set(stylize.style_names())
        painting, back, note = stylize.stylize(photo, "imported/style")
        assert painting.size == back.size == (72, 40) and note is None
        painting, back, note = stylize.stylize(photo, "imported/one_way_style")
        assert painting.size == (72, 40) and back is None and "one way" in note

        assert sketch2photo.photo_models() == ["sketch2photo", "imported/edges2shoes"]
        painted, classes = sketch2photo.sketch_to_photo(sketch2photo.EXAMPLES[0], photo_model="imported/edges2shoes")
        assert painted.size == (256, 256) and len(classes) == 5
        drawing = Image.open(sketch2photo.EXAMPLES[0])
        for_photo, _ = sketch2photo.prepare_sketch(drawing, common.get_model("imported/edges2shoes"))
        ink = (for_photo.mean(0) < 0).nonzero()
        assert (ink.max(0).values - ink.min(0).values).max() >= 0.85 * 256  # the object fills the frame
        with pytest.raises(ImageInputError, match="Unknown photo model"):
            sketch2photo.sketch_to_photo(sketch2photo.EXAMPLES[0], photo_model="imported/nothing")

        assert dogs.generators() == ["dogs", "imported/dcgan"]
        pictures = dogs.generate_dogs(seed=1, truncation=4.0, count=2, mode="resample", generator="imported/dcgan")
        assert [p.size for p in pictures] == [(64, 64)] * 2
        assert pictures[0].tobytes() != dogs.generate_dogs(seed=1, truncation=4.0, count=2, mode="resample")[0].tobytes()
    finally:
        common.clear_models()
