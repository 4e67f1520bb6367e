import numpy as np
import pytest
import torch
from PIL import Image

from core import registry
from core.data import GenerativeImages
from core.diffaugment import diff_augment
from core.images import ImageInputError
from core.metrics import precision_recall, realism
from core.models.dcgan import random_labels, truncated_noise
from core.training import update_ema
from demos import dogs
from tests.conftest import draw_object
from tests.test_training import launch


def spread(images) -> float:
    """Mean distance of each image to the batch mean: a plain measure of variety."""
    stack = np.stack([np.asarray(image, dtype=np.float64) for image in images])
    return float(np.abs(stack - stack.mean(axis=0)).mean())


def test_shipped_generator_same_seed_same_dogs():
    a = dogs.generate_dogs(seed=3, truncation=0.7, count=4)
    b = dogs.generate_dogs(seed=3, truncation=0.7, count=4)
    c = dogs.generate_dogs(seed=4, truncation=0.7, count=4)
    assert all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a, b))
    assert not np.array_equal(np.asarray(a[0]), np.asarray(c[0]))
    assert a[0].size == (64, 64)


@pytest.mark.parametrize("mode", ["resample", "psi"])
def test_lower_truncation_gives_less_variety(mode):
    low, high = (0.3, 2.0) if mode == "resample" else (0.3, 1.0)
    narrow = spread(dogs.generate_dogs(seed=11, truncation=low, count=32, mode=mode))
    wide = spread(dogs.generate_dogs(seed=11, truncation=high, count=32, mode=mode))
    assert narrow < 0.8 * wide


def test_truncated_noise_rules():
    z = truncated_noise(64, 16, seed=1, truncation=0.5)
    assert z.abs().max() <= 0.5
    assert torch.equal(z, truncated_noise(64, 16, seed=1, truncation=0.5))
    assert torch.allclose(truncated_noise(4, 8, 2, 0.5, "psi"), 0.5 * truncated_noise(4, 8, 2, 1.0, "psi"))
    with pytest.raises(ValueError):
        truncated_noise(1, 4, 0, 1.0, "sideways")
    # anchor mode: 1 leaves z as drawn, near 0 gives the anchor nearest to z by angle
    anchors = torch.randn(5, 8)
    z = truncated_noise(16, 8, seed=2)  # no truncation by default
    assert torch.equal(z, torch.randn(16, 8, generator=torch.Generator().manual_seed(2)))
    assert torch.allclose(truncated_noise(16, 8, 2, 1.0, "anchor", anchors), z, atol=1e-5)
    nearest = anchors[(torch.nn.functional.normalize(z, dim=1) @ torch.nn.functional.normalize(anchors, dim=1).T)
                      .argmax(1)]
    assert torch.allclose(truncated_noise(16, 8, 2, 1e-6, "anchor", anchors), nearest, atol=1e-4)
    assert len(nearest.unique(dim=0)) > 1  # each latent has its own nearest anchor, not one for all
    with pytest.raises(ValueError, match="no truncation anchors"):
        truncated_noise(1, 8, 0, 0.5, "anchor")


def test_anchor_truncation_settles_on_the_shipped_anchor_pictures():
    """Lower truncation brings the shipped generator's dogs closer to the pictures of their anchors,
    the latents picked for looking most realistic; at 1 the dogs are the untruncated ones."""
    def pixels(images):
        return np.stack([np.asarray(image, dtype=np.float64) for image in images])

    anchored = pixels(dogs.generate_dogs(seed=11, truncation=1e-4, count=16))
    distance = {t: np.abs(pixels(dogs.generate_dogs(seed=11, truncation=t, count=16)) - anchored).mean()
                for t in (0.3, 0.7, 1.0)}
    assert distance[0.3] < 0.6 * distance[0.7] and distance[0.7] < distance[1.0]
    untruncated = pixels(dogs.generate_dogs(seed=11, truncation=4.0, count=16, mode="resample"))
    assert np.abs(pixels(dogs.generate_dogs(seed=11, truncation=1.0, count=16)) - untruncated).max() <= 1


def test_classes_for_any_breed_follow_the_seed(monkeypatch):
    labels = random_labels(64, 16, seed=3)
    assert torch.equal(labels, random_labels(64, 16, seed=3)) and not torch.equal(labels, random_labels(64, 16, 4))
    assert 0 <= labels.min() and labels.max() < 16 and len(labels.unique()) > 8
    assert random_labels(4, 0, seed=3) is None  # an unconditional generator takes no classes
    # The tab passes the seed's classes to a class-conditional generator, and one class to a walk.
    generator = registry.build("dcgan_generator", dict(ngf=8, class_names=["pug", "husky", "collie"])).eval()
    seen = []
    monkeypatch.setattr(dogs, "get_model", lambda name: _Recording(generator, seen))
    dogs.generate_dogs(seed=5, count=8, truncation=4.0, mode="resample")
    dogs.interpolation_gif(5, 6, truncation=4.0, frames=4, mode="resample")
    assert torch.equal(seen[0], random_labels(8, 3, seed=5))
    assert torch.equal(seen[1], seen[0][:1].expand(4))


class _Recording(torch.nn.Module):
    """A generator that notes the classes it is asked for."""

    def __init__(self, generator, seen):
        super().__init__()
        self.generator, self.seen, self.config, self.anchors = generator, seen, generator.config, generator.anchors

    def forward(self, z, labels=None):
        self.seen.append(labels)
        return self.generator(z, labels)


def test_bad_requests_are_clear_errors():
    with pytest.raises(ImageInputError, match="between 1 and 64"):
        dogs.generate_dogs(count=500)
    with pytest.raises(ImageInputError, match="above 0"):
        dogs.generate_dogs(truncation=0)


def test_interpolation_gif_loops(tmp_path):
    path = dogs.interpolation_gif(0, 1, frames=6)
    gif = Image.open(path)
    assert gif.n_frames == 10 and gif.size == (dogs.DISPLAY_SIZE, dogs.DISPLAY_SIZE)


def test_conditional_models_and_sizes():
    for size in (64, 128):
        config = dict(image_size=size, ngf=8, ndf=8, class_names=["pug", "husky"])
        g, d = registry.build("dcgan_generator", config), registry.build("dcgan_discriminator", config)
        labels = torch.tensor([0, 1])
        images = g(torch.randn(2, 128), labels)
        assert images.shape == (2, 3, size, size) and d(images, labels).shape == (2, 1)
    with pytest.raises(ValueError, match="class-conditional"):
        g(torch.randn(2, 128))
    # At the start the class projection must not swamp D's logits (an N(0, 1) table gave about ±200;
    # D's own logits at initialisation stay within about ±8).
    torch.manual_seed(0)
    for spectral_norm in (False, True):
        config = dict(ngf=64, ndf=64, class_names=[str(i) for i in range(16)], spectral_norm=spectral_norm)
        d = registry.build("dcgan_discriminator", config)
        logits = d(torch.rand(8, 3, 64, 64) * 2 - 1, torch.arange(8))
        assert logits.abs().max() < 25


def test_diffaugment_is_differentiable_and_changes_images():
    x = torch.rand(4, 3, 32, 32, requires_grad=True)
    y = diff_augment(x)
    y.mean().backward()
    assert y.shape == x.shape and not torch.equal(y, x) and x.grad.abs().sum() > 0


def test_ema_moves_towards_the_model():
    model, ema = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    before = (ema.weight - model.weight).abs().sum()
    update_ema(ema, model, 0.5)
    assert torch.isclose((ema.weight - model.weight).abs().sum(), before / 2)


def test_stanford_dogs_layout_crops_to_the_box(tmp_path):
    images, annotations = tmp_path / "Images" / "n02085620-Chihuahua", tmp_path / "Annotation" / "n02085620-Chihuahua"
    images.mkdir(parents=True)
    annotations.mkdir(parents=True)
    picture = Image.new("RGB", (200, 100), "white")
    picture.paste(Image.new("RGB", (50, 50), "red"), (120, 30))
    picture.save(images / "n02085620_1.jpg")
    (annotations / "n02085620_1").write_text(
        "<annotation><object><name>Chihuahua</name><bndbox><xmin>120</xmin><ymin>30</ymin>"
        "<xmax>170</xmax><ymax>80</ymax></bndbox></object></annotation>")
    dataset = GenerativeImages(tmp_path, image_size=32, conditional=True, flip=False)
    item = dataset[0]
    assert dataset.class_names == ["Chihuahua"] and item["label"] == 0
    assert item["image"][0].mean() > 0.8 and item["image"][1].mean() < -0.8  # all red: the box only


def test_training_on_a_small_folder_loads_in_the_tab(tmp_path, monkeypatch):
    from demos import common
    data = tmp_path / "dogs"
    data.mkdir()
    for n in range(6):
        draw_object("disc", n, size=64).save(data / f"{n}.png")
    out = tmp_path / "run"
    launch("dcgan.py", "--data", data, "--out", out, "--max-steps", 2, "--ngf", 8, "--ndf", 8,
           "--batch-size", 4, "--num-workers", 0, "--image-size", 64)
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "dogs").symlink_to(out / "generator")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(tmp_path / "weights"))
    common.clear_models()
    try:
        images = dogs.generate_dogs(seed=1, count=3, truncation=4.0, mode="resample")
        assert len(images) == 3 and images[0].size == (64, 64)
        with pytest.raises(ImageInputError, match="no truncation anchors"):  # until they are picked for it
            dogs.generate_dogs(seed=1, count=3)
    finally:
        common.clear_models()


def test_start_from_continues_a_generator_with_a_fresh_discriminator(tmp_path):
    from core.checkpoint import load_checkpoint
    data = tmp_path / "dogs"
    data.mkdir()
    for n in range(4):
        draw_object("disc", n, size=32).save(data / f"{n}.png")
    common = ["--data", data, "--max-steps", 1, "--ngf", 8, "--ndf", 8, "--batch-size", 4, "--num-workers", 0,
              "--image-size", 32, "--z-dim", 16]
    launch("dcgan.py", *common, "--out", tmp_path / "first")
    start = tmp_path / "first" / "generator"
    # another seed, learning rate 0: the continued generator's weights are the ones it started from
    launch("dcgan.py", *common, "--out", tmp_path / "more", "--start-from", start, "--lr", 0, "--seed", 1)
    first = dict(load_checkpoint(start).named_parameters())
    more = dict(load_checkpoint(tmp_path / "more" / "generator").named_parameters())
    assert first.keys() == more.keys() and all(torch.allclose(first[k], more[k], atol=1e-3) for k in first)
    # without --start-from, seed 1 starts elsewhere
    launch("dcgan.py", *common, "--out", tmp_path / "other", "--lr", 0, "--seed", 1)
    other = dict(load_checkpoint(tmp_path / "other" / "generator").named_parameters())
    assert not all(torch.allclose(first[k], other[k], atol=1e-3) for k in first)
    assert f"G started from `{start}`, D from scratch" in (tmp_path / "more" / "generator" / "README.md").read_text()


def test_a_wider_generator_loads_a_narrower_one_and_draws_the_same_pictures():
    from core import registry
    config = dict(image_size=32, z_dim=16, anchors=4)
    narrow = registry.build("dcgan_generator", config | dict(ngf=8))
    for norm in (m for m in narrow.modules() if isinstance(m, torch.nn.BatchNorm2d)):  # trained-looking statistics
        norm.running_mean.normal_()
        norm.running_var.uniform_(0.5, 2)
    wide = registry.build("dcgan_generator", config | dict(ngf=12))
    wide.load_narrower(narrow.state_dict())
    z = torch.randn(6, 16)
    for mode in ("eval", "train"):  # running statistics, then batch statistics
        getattr(narrow, mode)(), getattr(wide, mode)()
        assert torch.allclose(narrow(z), wide(z), atol=1e-5)
    # the new channels are not dead: the widened generator learns through them
    wide.train()
    wide(z).square().mean().backward()
    last = wide.net[-2].weight  # (in, out, k, k): the 4 new input channels' weights into RGB start at zero
    assert last[8:].abs().max() == 0 and last.grad[8:].abs().max() > 0
    with pytest.raises(ValueError, match="does not fit"):
        narrow.load_narrower(wide.state_dict())


def test_projected_discriminator_trains_resumes_and_is_recorded_with_the_generator(tmp_path):
    import json

    from safetensors import safe_open

    from core.checkpoint import load_checkpoint
    data = tmp_path / "dogs"
    data.mkdir()
    for n in range(6):
        draw_object("disc", n, size=32).save(data / f"{n}.png")
    flags = ["--data", data, "--out", tmp_path / "run", "--ngf", 8, "--batch-size", 4, "--num-workers", 0,
             "--image-size", 32, "--z-dim", 16, "--discriminator", "projected", "--projected-size", 64,
             "--upsample", "resize", "--ema-rampup", 0.05, "--save-every", 1, "--pixel-discriminator", "--ndf", 8,
             "--frechet", "lite1", "--frechet-size", 64]
    launch("dcgan.py", *flags, "--max-steps", 2)
    reference = tmp_path / "run" / "frechet_reference" / "lite1_64.safetensors"
    fitted_at = reference.stat().st_mtime_ns
    launch("dcgan.py", *flags, "--max-steps", 3, "--resume")
    assert json.loads((tmp_path / "run" / "state" / "state.json").read_text())["step"] == 3
    assert reference.stat().st_mtime_ns == fitted_at  # the photos' statistics are computed once per run
    with safe_open(tmp_path / "run" / "state" / "state.safetensors", "pt") as state:
        models = {key.split(".")[1] for key in state.keys() if key.startswith("model.")}
        d_keys = [key for key in state.keys() if key.startswith("model.D.")]
    assert models == {"G", "D", "D_pixel", "G_ema"}
    assert all(key.startswith("model.D.heads.") for key in d_keys)  # the frozen network is not saved
    generator = load_checkpoint(tmp_path / "run" / "generator")
    assert generator.config.upsample == "resize" and generator(torch.randn(2, 16)).shape == (2, 3, 32, 32)
    recorded = generator.checkpoint_extra["discriminator"]
    assert recorded["kind"] == "projected" and recorded["backbone"] == "lite0" and recorded["input_size"] == 64
    assert generator.checkpoint_extra["pixel_discriminator"]["ndf"] == 8
    from bench.dcgan import trained_against  # the benchmark times the step against what was recorded
    discriminators, projector, objective = trained_against(generator)
    assert discriminators["D_pixel"].config.ndf == 8 and projector.config.input_size == 64
    assert objective == {"gan_loss": "hinge", "diffaugment": "colour,translation,cutout",
                         "frechet": {"network": "lite1", "size": 64, "weight": 0.05}}
    card = (tmp_path / "run" / "generator" / "README.md").read_text()
    assert "projected D: frozen EfficientNet-Lite0" in card and "beside it a DCGAN D on the pixels" in card


def test_fastgan_generator_trains_against_projected_features_and_draws_in_the_tab(tmp_path, monkeypatch):
    from core.checkpoint import load_checkpoint
    from demos import common
    data = tmp_path / "dogs"
    data.mkdir()
    for n in range(6):
        draw_object("disc", n, size=32).save(data / f"{n}.png")
    flags = ["--data", data, "--ngf", 8, "--batch-size", 4, "--num-workers", 0, "--image-size", 32, "--z-dim", 16,
             "--generator", "fastgan", "--discriminator", "projected", "--projected-size", 64]
    launch("dcgan.py", *flags, "--out", tmp_path / "run", "--max-steps", 2)
    generator = load_checkpoint(tmp_path / "run" / "generator")
    assert generator.registry_name == "fastgan_generator"
    assert "FastGAN G (lite" in (tmp_path / "run" / "generator" / "README.md").read_text()
    # learning rate 0: a run started from it keeps its weights; a DCGAN run cannot start from it
    launch("dcgan.py", *flags, "--out", tmp_path / "more", "--max-steps", 1, "--lr", 0, "--seed", 1,
           "--start-from", tmp_path / "run" / "generator")
    more = load_checkpoint(tmp_path / "more" / "generator")
    for (name, a), b in zip(generator.named_parameters(), more.parameters()):
        assert torch.allclose(a, b, atol=1e-3), name
    with pytest.raises(AssertionError, match="is a fastgan_generator, not a dcgan_generator"):
        launch("dcgan.py", *flags[:-6], "--out", tmp_path / "dcgan", "--max-steps", 1,
               "--start-from", tmp_path / "run" / "generator")
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "dogs").symlink_to(tmp_path / "run" / "generator")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(tmp_path / "weights"))
    common.clear_models()
    try:
        images = dogs.generate_dogs(seed=1, count=3, truncation=4.0, mode="resample")
        assert len(images) == 3 and images[0].size == (32, 32)
    finally:
        common.clear_models()


def test_skip_layer_excitation_gates_the_finest_features():
    generator = registry.build("fastgan_generator", image_size=32, ngf=8, z_dim=16).eval()
    assert set(generator.excited) == {16, 32}  # the two finest scales, read from 4×4 and 8×8
    z = torch.randn(3, 16)
    with torch.no_grad():
        drawn = generator(z)
        hook = generator.excitations["32"].net.register_forward_hook(lambda *_: torch.zeros(()))
        closed = generator(z)
        hook.remove()
    assert drawn.std(dim=(2, 3)).min() > 0  # a picture
    # every channel of the finest features gated shut: only the RGB layer's bias is left, flat
    assert torch.allclose(closed, torch.tanh(generator.to_rgb.bias)[None, :, None, None].expand_as(closed))


def test_ema_ramp_up_averages_over_a_share_of_the_steps_so_far():
    from train.dcgan import DCGANArgs, ema_decay
    ramped = DCGANArgs(ema=0.999, ema_rampup=0.05)
    assert ema_decay(ramped, 0) == 0.0 and ema_decay(ramped, 199) == pytest.approx(0.9)
    assert ema_decay(ramped, 100_000) == 0.999 and ema_decay(DCGANArgs(ema=0.999), 0) == 0.999


def test_missing_inception_weights_fail_at_start_with_a_clear_message(tmp_path):
    import subprocess
    import sys

    from tests.conftest import REPO
    result = subprocess.run([sys.executable, str(REPO / "train" / "dcgan.py"), "--data", str(tmp_path),
                             "--out", str(tmp_path / "run"), "--inception-weights", str(tmp_path / "nope.pth")],
                            capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode != 0
    assert "no such file" in result.stderr and "cannot be downloaded" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("family", ["dcgan_generator", "fastgan_generator"])
def test_standing_statistics_match_the_averaged_weights(family):
    """An EMA copy keeps G's batch-norm statistics, which belong to other weights: its eval-mode
    samples are off (washed out). Recomputed statistics make eval mode agree with batch statistics."""
    torch.manual_seed(0)
    config = dict(image_size=32, ngf=8, z_dim=16)
    g = registry.build(family, config)
    with torch.no_grad():
        g(torch.randn(256, 16))  # G's running statistics, for G's weights
    ema = registry.build(family, config)
    ema.load_state_dict(g.state_dict())
    with torch.no_grad():
        for p in ema.parameters():
            p.mul_(1.5)  # the averaged weights differ from G's
        z = torch.randn(512, 16)
        ema.train()
        batch_std = ema(z).std()
        ema.eval()
        borrowed_gap = (ema(z).std() - batch_std).abs()
        ema.standing_statistics(batches=8, batch_size=128)
        assert not ema.training
        standing_gap = (ema(z).std() - batch_std).abs()
    assert standing_gap < 0.02 and standing_gap < 0.25 * borrowed_gap


def test_frozen_module_passes_gradients_to_its_input_only():
    from core.training import frozen
    d = torch.nn.Linear(3, 1)
    d.bias.requires_grad_(False)  # a flag that was already off stays off
    x = torch.randn(4, 3, requires_grad=True)
    with frozen(d):
        d(x).sum().backward()
    assert x.grad is not None and d.weight.grad is None
    assert d.weight.requires_grad and not d.bias.requires_grad


def test_precision_and_recall_tell_fidelity_from_coverage():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    assert min(precision_recall(rng.normal(size=(400, 8)), real)) > 0.8  # the same distribution
    # Samples bunched at the centre of the reals: all faithful, little coverage (what truncation does).
    precision, recall = precision_recall(0.2 * rng.normal(size=(400, 8)), real)
    assert precision > 0.95 and recall < 0.3
    # Samples off the reals' manifold: neither.
    assert max(precision_recall(rng.normal(size=(400, 8)) + 6, real)) < 0.05


def test_realism_ranks_samples_by_how_deep_among_the_reals_they_sit():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    centre, edge, far = np.zeros(8), np.full(8, 1.0), np.full(8, 6.0)
    scores = realism(np.stack([centre, edge, far]), real)
    assert scores[0] > scores[1] > scores[2] and scores[0] > 1 > scores[2]


def test_picking_anchors_keeps_the_weights_and_stores_the_most_realistic_latents(tmp_path):
    """scripts/checkpoints/dog_anchors.py on a tiny generator: the same weights, the card kept, anchors stored
    unrounded whose pictures score higher than the other candidates'; --start-from leaves them behind."""
    import subprocess
    import sys

    from core.checkpoint import load_checkpoint, save_checkpoint
    from scripts.eval.dogs import judge, load_folder
    from scripts.checkpoints.dog_anchors import pick_anchors
    from tests.conftest import REPO
    photos = tmp_path / "dogs" / "train"
    photos.mkdir(parents=True)
    for n in range(12):
        draw_object("disc", n, size=64).save(photos / f"{n}.png")
    torch.manual_seed(0)
    save_checkpoint(tmp_path / "g", registry.build("dcgan_generator", dict(image_size=32, ngf=8, z_dim=16)),
                    card="# tiny dogs", int8_weights=True)
    before = load_checkpoint(tmp_path / "g")
    result = subprocess.run([sys.executable, "scripts/checkpoints/dog_anchors.py", "--generator", str(tmp_path / "g"),
                             "--data", str(tmp_path / "dogs"), "--network", "lite0",
                             "--candidates", "40", "--anchors", "4", "--int8", "--out", str(tmp_path / "g")],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    after = load_checkpoint(tmp_path / "g")
    assert after.config.anchors == 4 and (tmp_path / "g" / "README.md").read_text() == "# tiny dogs"
    assert all(torch.equal(p, q) for p, q in zip(before.parameters(), after.parameters()))
    reals = load_folder(photos)
    _, scores = pick_anchors(before, "lite0", reals, 40, 4)
    with torch.no_grad():
        anchor_scores = realism(judge(after(after.anchors), "lite0")[0], judge(reals, "lite0")[0])
    assert anchor_scores.min() >= np.sort(scores)[-4] - 1e-6 > np.median(scores)
    candidates = torch.randn(40, 16, generator=torch.Generator().manual_seed(0))  # the script's draws (--seed 0)
    assert all((candidates == anchor).all(dim=1).any() for anchor in after.anchors)  # stored exactly, not int8
    data = tmp_path / "dogs32"
    data.mkdir()
    for n in range(4):
        draw_object("disc", n, size=32).save(data / f"{n}.png")
    launch("dcgan.py", "--data", data, "--max-steps", 1, "--ngf", 8, "--ndf", 8, "--batch-size", 4, "--num-workers",
           0, "--image-size", 32, "--z-dim", 16, "--out", tmp_path / "more", "--start-from", tmp_path / "g")
    assert load_checkpoint(tmp_path / "more" / "generator").anchors is None


def test_eval_dogs_hides_samples_among_photos_and_its_key_says_which_is_which(tmp_path):
    """scripts/eval/dogs.py end to end on tiny models: the report has the figures, and in the sheet of
    photos and samples every cell the key calls a photo is a held-out photo, every other one is not."""
    import json
    import subprocess
    import sys

    from core.checkpoint import save_checkpoint
    from scripts.eval.dogs import load_folder
    from tests.conftest import REPO
    for split, count in (("train", 40), ("test", 40)):
        (tmp_path / "dogs" / split).mkdir(parents=True)
        for n in range(count):
            draw_object("disc" if n % 2 else "square", n + 100 * (split == "test"), size=64).save(
                tmp_path / "dogs" / split / f"{n}.png")
    torch.manual_seed(0)
    save_checkpoint(tmp_path / "g", registry.build("dcgan_generator", dict(image_size=64, ngf=8, z_dim=16)))
    save_checkpoint(tmp_path / "features", registry.build(
        "timm_classifier", dict(arch="resnet10t", class_names=["a", "b"], in_channels=3, image_size=64)))
    result = subprocess.run([sys.executable, "scripts/eval/dogs.py", "--generator", str(tmp_path / "g"),
                             "--data", str(tmp_path / "dogs"), "--features", str(tmp_path / "features"),
                             "--count", "40", "--sheet-seed", "3", "--out", str(tmp_path / "eval")],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert set(report["generator"]) == {"0.3", "0.5", "1.0", "2.0", "4.0"} and "memorisation" in report
    assert 0 <= report["generator"]["4.0"]["dog_share"] <= 1 and report["generator"]["4.0"]["fd"] > 0
    assert report["held_out_photos_dog_share"] < 0.5  # drawn discs and squares are not dogs to the ImageNet judge
    assert set(report["second_network"]) == {"network", "training_photos_vs_held_out", "generator_untruncated"}
    key = report["photos_and_samples_key"]
    assert sorted(key) == ["photo"] * 32 + ["sample"] * 32 and report["photos_and_samples_seed"] == 3
    assert "photos_and_samples_seed" in result.stdout and "photos_and_samples_key" not in result.stdout  # counted blind
    sheet = np.asarray(Image.open(tmp_path / "eval" / "photos_and_samples.png").convert("RGB")).astype(int)
    photos = ((load_folder(tmp_path / "dogs" / "test") + 1) * 127.5).permute(0, 2, 3, 1).numpy()
    for cell, kind in enumerate(key):  # cells of 128 px (×2) with 2 px between them
        top, left = 2 + 130 * (cell // 8), 2 + 130 * (cell % 8)
        picture = sheet[top:top + 128:2, left:left + 128:2]
        nearest_photo = np.abs(photos - picture).max(axis=(1, 2, 3)).min()
        assert (nearest_photo <= 1) == (kind == "photo"), (cell, kind, nearest_photo)


def test_each_sheet_seed_lays_out_the_photos_and_samples_afresh():
    from scripts.eval.dogs import sheet_layout
    order, photos, sample_seed = sheet_layout(0, 1000)
    assert sorted(order.tolist()) == list(range(64)) and len(set(photos.tolist())) == 32
    again = sheet_layout(0, 1000)
    assert torch.equal(again[0], order) and torch.equal(again[1], photos) and again[2] == sample_seed
    other = sheet_layout(1, 1000)
    assert not torch.equal(other[0], order) and set(other[1].tolist()) != set(photos.tolist())
    assert other[2] != sample_seed
