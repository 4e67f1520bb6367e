import random

import pytest
import torch
from PIL import Image

from core import registry
from core.data import UnpairedCrops
from core.image_pool import ImagePool
from core.losses import l1_loss
from tests.conftest import draw_object
from tests.test_training import launch


def test_reference_generator_sizes():
    count = lambda m: sum(p.numel() for p in m.parameters())
    assert count(registry.build("resnet_generator", n_blocks=9)) == 11_378_179
    assert count(registry.build("resnet_generator", n_blocks=6)) == 7_837_699


@pytest.mark.parametrize("h,w", [(37, 51), (1, 1), (128, 96), (255, 17)])
def test_odd_sizes_come_back_at_their_size(h, w):
    model = registry.build("cyclegan", ngf=4, n_blocks=1).eval()
    x = torch.rand(1, 3, h, w) * 2 - 1
    assert model.g_ab.translate(x).shape == (1, 3, h, w)
    unet = registry.build("cyclegan", generator="unet", ngf=4, depth=5).eval()
    assert unet.g_ba.translate(x).shape == (1, 3, h, w)


@torch.no_grad()
def test_resize_upsampling_paints_no_checkerboard_on_a_flat_image():
    """Transposed convolutions give even and odd pixels different sums of taps: a flat input comes
    out with a 2-pixel pattern. Resize-convolutions keep it flat (away from the borders)."""
    flat = torch.full((1, 3, 64, 64), 0.3)
    ripple = {}
    for upsample in ("transpose", "resize"):
        torch.manual_seed(0)
        out = registry.build("resnet_generator", ngf=8, n_blocks=1, upsample=upsample).eval()(flat)[..., 24:40, 24:40]
        ripple[upsample] = (out[..., ::2, ::2] - out[..., 1::2, 1::2]).abs().mean().item()
    assert ripple["resize"] < 1e-5 < 1e-3 < ripple["transpose"]
    with pytest.raises(ValueError):
        registry.build("resnet_generator", upsample="bilinear")


def test_forward_returns_cycle_and_identity_terms():
    model = registry.build("cyclegan", ngf=4, n_blocks=1)
    a, b = torch.randn(2, 3, 16, 16), torch.randn(2, 3, 16, 16)
    out = model(a, b)
    assert set(out) == {"fake_b", "rec_a", "fake_a", "rec_b", "idt_a", "idt_b"}
    assert set(model(a, b, identity=False)) == {"fake_b", "rec_a", "fake_a", "rec_b"}
    # the cycle term is exactly |G_BA(G_AB(a)) - a|
    assert torch.allclose(l1_loss(out["rec_a"], a), (model.g_ba(model.g_ab(a)) - a).abs().mean())


def test_cycle_and_identity_losses_train_towards_identity():
    torch.manual_seed(0)
    model = registry.build("cyclegan", ngf=4, n_blocks=1)
    optimizer = torch.optim.Adam(model.parameters(), 2e-3)
    a, b = torch.rand(2, 3, 16, 16) * 2 - 1, torch.rand(2, 3, 16, 16) * 2 - 1
    losses = []
    for _ in range(30):
        out = model(a, b)
        loss = l1_loss(out["rec_a"], a) + l1_loss(out["rec_b"], b) + l1_loss(out["idt_a"], a) + l1_loss(out["idt_b"], b)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]


def test_image_pool_fills_then_mixes_history():
    random.seed(0)
    pool = ImagePool(size=3)
    first = torch.arange(3.0).view(3, 1, 1, 1)
    assert torch.equal(pool.query(first), first)  # filling: returned as they are
    later = torch.full((20, 1, 1, 1), 9.0)
    out = pool.query(later)
    assert out.shape == later.shape
    assert (out != 9).any() and (out == 9).any()  # some old ones swapped in, some new passed through
    assert len(pool.images) == 3
    assert torch.equal(ImagePool(size=0).query(first), first)
    assert not ImagePool(size=0).query(torch.ones(2, 1, requires_grad=True) * 2).requires_grad


def test_unpaired_layouts(tmp_path):
    for folder, kind in (("trainA", "box"), ("trainB", "disc")):
        (tmp_path / folder).mkdir()
        for n in range(3):
            draw_object(kind, n, size=80).save(tmp_path / folder / f"{n}.png")
    dataset = UnpairedCrops(tmp_path, image_size=32)
    item = dataset[0]
    assert len(dataset) == 3 and item["A"].shape == item["B"].shape == (3, 32, 32)
    two_folders = UnpairedCrops(root_a=tmp_path / "trainA", root_b=tmp_path / "trainB", image_size=32)
    assert len(two_folders) == 3


def test_two_step_training_run_loads_in_the_tab(photo_folder, tmp_path, monkeypatch):
    from demos import common, stylize
    out = tmp_path / "style"
    launch("cyclegan.py", "--data-a", photo_folder / "box", "--data-b", photo_folder / "disc",
           "--val-data", photo_folder / "box", "--out", out, "--max-steps", 2, "--ngf", 4, "--n-blocks", 1,
           "--ndf", 4, "--image-size", 32, "--num-workers", 0, "--domain-b", "discs",
           "--description", "round shapes, 12 drawings")
    assert "Cycle reconstruction L1" in (out / "style" / "README.md").read_text()
    (tmp_path / "weights" / "styles").mkdir(parents=True)
    (tmp_path / "weights" / "styles" / "discs").symlink_to(out / "style")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(tmp_path / "weights"))
    common.clear_models()
    try:
        assert stylize.style_names()[0] == "discs" and "starry_night" in stylize.style_names()
        assert ("discs: round shapes, 12 drawings", "discs") in stylize.style_choices()  # the dropdown's line
        painting, reconstruction, _ = stylize.stylize(Image.new("RGB", (45, 31), "red"), "discs")
        assert painting.size == reconstruction.size == (45, 31)
    finally:
        common.clear_models()


def test_start_from_fine_tunes_an_exported_style_of_the_same_architecture(photo_folder, tmp_path):
    from safetensors.torch import load_file
    common = ["--data-a", photo_folder / "box", "--data-b", photo_folder / "disc", "--max-steps", 1,
              "--n-blocks", 1, "--ndf", 4, "--image-size", 32, "--num-workers", 0]
    launch("cyclegan.py", *common, "--out", tmp_path / "first", "--ngf", 4)
    start = tmp_path / "first" / "style"
    # another seed, learning rate 0: the fine-tuned generators are exactly the ones it started from
    launch("cyclegan.py", *common, "--out", tmp_path / "tuned", "--ngf", 4, "--start-from", start, "--lr", 0,
           "--seed", 1)
    first, tuned = load_file(start / "model.safetensors"), load_file(tmp_path / "tuned" / "style" / "model.safetensors")
    assert first.keys() == tuned.keys() and all(torch.equal(first[k], tuned[k]) for k in first)
    assert f"initialised from `{start}`" in (tmp_path / "tuned" / "style" / "README.md").read_text()
    with pytest.raises(AssertionError, match="size mismatch"):
        launch("cyclegan.py", *common, "--out", tmp_path / "wider", "--ngf", 8, "--start-from", start)


def test_unknown_style_is_a_clear_error():
    from core.images import ImageInputError
    from demos.stylize import stylize
    with pytest.raises(ImageInputError, match="Unknown style 'picasso'; available: .*vangogh"):
        stylize(Image.new("RGB", (8, 8)), "picasso")


def test_shipped_painters_are_listed_with_a_description():
    from demos import stylize
    assert {"vangogh", "monet", "cezanne", "ukiyoe", "starry_night"} <= set(stylize.style_names())
    labels = dict((name, label) for label, name in stylize.style_choices())
    assert all(label.startswith(f"{name}: ") and len(label) > len(name) + 10 for name, label in labels.items())
    assert stylize.DEFAULT_STYLE in labels
