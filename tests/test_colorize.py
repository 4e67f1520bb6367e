import numpy as np
import pytest
import torch
from PIL import Image

from core import registry
from core.color import lab_to_rgb, rgb_to_lab
from core.colorize import colorize as colorize_with, grey_version, semantic_line
from core.data import PhotoCrops
from core.images import ImageInputError
from core.metrics import colourfulness, paired_right_or_wrong, psnr, ssim
from demos.colorize import EXAMPLES, colorize
from core.models.colorizer import cell_centres
from tests.conftest import draw_object
from tests.test_training import launch


def lightness(image: Image.Image) -> np.ndarray:
    rgb = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.float64) / 255).permute(2, 0, 1)[None]
    return rgb_to_lab(rgb)[0, 0].numpy()


def test_lab_round_trip_loses_less_than_one_level():
    rgb = torch.rand(2, 3, 40, 30)
    assert (lab_to_rgb(rgb_to_lab(rgb)) - rgb).abs().max() < 1 / 255


def test_lab_matches_reference_values():
    white = rgb_to_lab(torch.ones(1, 3, 1, 1)).flatten()
    red = rgb_to_lab(torch.tensor([1.0, 0, 0]).view(1, 3, 1, 1)).flatten()
    assert torch.allclose(white, torch.tensor([100.0, 0, 0]), atol=0.01)
    assert torch.allclose(red, torch.tensor([53.24, 80.09, 67.20]), atol=0.05)


def test_lab_is_differentiable():
    rgb = torch.rand(1, 3, 4, 4, requires_grad=True)
    rgb_to_lab(rgb).sum().backward()
    assert torch.isfinite(rgb.grad).all()


def test_shipped_model_keeps_size_and_lightness_of_a_1600x1200_photo():
    grey = Image.open(EXAMPLES[0]).convert("L").resize((1600, 1200))
    _, result, _ = colorize(grey, 512)
    assert result.size == (1600, 1200)
    difference = np.abs(lightness(result) - lightness(grey))
    assert np.median(difference) < 0.5 and np.percentile(difference, 99) < 2.0  # L in 0..100
    assert colourfulness(result) > 5  # and it is not grey


def test_colour_and_sepia_inputs_are_made_grey_first():
    grey = Image.open(EXAMPLES[1]).convert("RGB")
    sepia = Image.merge("RGB", [ch.point(lambda v, k=k: min(255, int(v * k))) for ch, k in
                                zip(grey.split(), (1.07, 0.95, 0.78))])
    g1, r1, _ = colorize(grey, 256)
    g2, r2, _ = colorize(sepia, 256)
    assert colourfulness(g2) < 1  # what the model saw from the sepia photo is grey
    assert r1.size == r2.size == grey.size


def test_tall_image_is_not_stretched_to_a_square():
    model = registry.build("unet_generator", in_channels=1, out_channels=2, depth=5, ngf=4).eval()
    tall = Image.new("L", (90, 400), 128)
    assert colorize_with(model, tall, render_size=128).size == (90, 400)


def test_small_photos_are_coloured_at_the_scale_the_model_trained_at_and_large_ones_within_render_size():
    model = registry.build("unet_generator", in_channels=1, out_channels=2, depth=5, ngf=4).eval()
    seen = []
    translate = model.translate
    model.translate = lambda L: seen.append(tuple(L.shape[-2:])) or translate(L)
    sizes = {(64, 48): (288, 384), (300, 400): (400, 300), (1600, 1200): (384, 512), (20, 1000): (512, 10)}
    for (w, h), network_size in sizes.items():
        assert colorize_with(model, Image.new("L", (w, h), 128), render_size=512).size == (w, h)
        assert seen.pop() == network_size
    # a colouriser that trained at another scale records it in its config, and is enlarged to that
    model = registry.build("pretrained_colorizer", widths=(8, 8, 8, 8), short_side=160).eval()
    translate = model.translate
    model.translate = lambda L: seen.append(tuple(L.shape[-2:])) or translate(L)
    assert colorize_with(model, Image.new("L", (64, 48), 128), render_size=512).size == (64, 48)
    assert seen.pop() == (160, 213)


def test_bad_uploads_are_clear_errors(tmp_path):
    bad = tmp_path / "scan.tif"
    bad.write_bytes(b"II*\x00broken")
    with pytest.raises(ImageInputError):
        colorize(bad)


def test_metrics():
    photo = draw_object("disc", 1, size=64)
    assert psnr(photo, photo) == float("inf") and ssim(photo, photo) == pytest.approx(1.0)
    assert colourfulness(grey_version(photo)) < 1 < colourfulness(photo)


def test_photo_crops(tmp_path):
    draw_object("box", 0, size=120).save(tmp_path / "a.png")
    dataset = PhotoCrops(tmp_path, image_size=48, crops_per_photo=5)
    assert len(dataset) == 5 and dataset[0]["image"].shape == (3, 48, 48)
    with pytest.raises(FileNotFoundError):
        PhotoCrops(tmp_path / "none")


def test_photo_crops_jitter_varies_brightness_and_contrast_but_keeps_the_hue(tmp_path):
    Image.new("RGB", (48, 48), (200, 80, 40)).save(tmp_path / "orange.png")
    plain = PhotoCrops(tmp_path, image_size=48, crops_per_photo=8, max_zoom=1.0)
    jittered = PhotoCrops(tmp_path, image_size=48, crops_per_photo=8, max_zoom=1.0, jitter=0.4)
    assert len({round(plain[i]["image"].mean().item(), 4) for i in range(8)}) == 1
    crops = torch.stack([jittered[i]["image"] for i in range(8)])
    assert len({round(crop.mean().item(), 4) for crop in crops}) > 4
    hue = torch.atan2(*rgb_to_lab((crops + 1) / 2).mean((2, 3))[:, [2, 1]].T)
    assert hue.max() - hue.min() < 0.1  # still orange: only lighter, darker, flatter or stronger
    held_out = PhotoCrops(tmp_path, image_size=48, max_zoom=1.0, jitter=0.4, train=False)
    assert torch.equal(held_out[0]["image"], plain[0]["image"])  # evaluation photos as they are


def test_two_step_training_run_loads_in_the_tab(photo_folder, tmp_path, monkeypatch):
    from demos import common
    out = tmp_path / "colorize"
    launch("colorize.py", "--data", photo_folder, "--val-data", photo_folder / "disc", "--out", out,
           "--max-steps", 2, "--pretrain-steps", 1, "--ngf", 4, "--ndf", 4, "--depth", 5,
           "--image-size", 32, "--batch-size", 2, "--num-workers", 0, "--render-size", 64)
    card = (out / "colorizer" / "README.md").read_text()
    assert "PSNR dB: result / grey input" in card and "**mean**" in card
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / "colorizer").symlink_to(out / "colorizer")
    monkeypatch.setenv("GANHUB_WEIGHTS", str(tmp_path / "weights"))
    common.clear_models()
    try:
        _, result, _ = colorize(Image.new("L", (70, 50), 100))
        assert result.size == (70, 50)
        assert common.get_model("colorizer").config.ngf == 4
    finally:
        common.clear_models()


def test_colours_outside_the_gamut_keep_their_lightness():
    """Strong predicted colours are desaturated to fit sRGB, never clipped per channel: the scan's
    lightness stays as it was."""
    L = torch.linspace(5, 95, 19).view(1, 1, 19, 1).expand(1, 1, 19, 4)
    ab = torch.tensor([[100.0, 100.0], [-100.0, 100.0], [100.0, -100.0], [-80.0, -100.0]]).T.view(1, 2, 1, 4)
    rgb = lab_to_rgb(torch.cat([L, ab.expand(1, 2, 19, 4)], dim=1))
    assert rgb.min() >= 0 and rgb.max() <= 1
    assert (rgb_to_lab(rgb)[:, :1] - L).abs().max() < 0.05
    assert (rgb.max(dim=1).values - rgb.min(dim=1).values).mean() > 0.2  # still coloured


def test_lab_to_image_matches_lab_to_rgb_across_its_bands():
    """The full-size recombination (bands of rows, a table for sRGB's curve) gives lab_to_rgb's
    pixels, within one 8-bit level, on every band."""
    from core.colorize import lab_to_image
    torch.manual_seed(0)
    L = torch.rand(1, 1, 1100, 600) * 100  # 600 wide: bands of 873 rows, the last one short
    ab = (torch.rand(1, 2, 1100, 600) - 0.5) * 200
    image = np.asarray(lab_to_image(L, ab)).astype(int)
    exact = (lab_to_rgb(torch.cat([L, ab], dim=1))[0].permute(1, 2, 0).numpy() * 255).round().astype(int)
    assert image.shape == (1100, 600, 3)
    assert np.abs(image - exact).max() <= 1
    assert (image != exact).mean() < 0.01


def test_cell_centres_fall_in_their_own_cells():
    from core.models.colorizer import AB_SIDE, ab_bins
    centres = cell_centres().T[None, :, :, None]  # 1x2xQx1: every centre as a pixel
    assert torch.equal(ab_bins(centres).flatten(), torch.arange(AB_SIDE * AB_SIDE))


def test_annealed_mean_moves_from_the_mean_colour_to_the_likeliest_as_temperature_falls():
    from core.models.colorizer import AB_SIDE
    G = registry.build("binned_colorizer", depth=3, ngf=4).eval()
    likeliest, runner_up = 5 * AB_SIDE + 17, 17 * AB_SIDE + 5  # (a, b) ≈ (-55, +65) and (+65, -55)
    with torch.no_grad():
        G.head.weight.zero_()
        G.head.bias.fill_(-30.0)
        G.head.bias[likeliest], G.head.bias[runner_up] = 3.0, 2.0
    L = torch.zeros(1, 1, 16, 16)
    with torch.no_grad():
        G.config.temperature = 1.0
        mean = G(L)[0, :, 8, 8].tolist()
        G.config.temperature = 0.1
        vivid = G(L)[0, :, 8, 8].tolist()
        assert G(L).shape == (1, 2, 16, 16) and G(L, logits=True).shape == (1, AB_SIDE * AB_SIDE, 4, 4)
    p = torch.tensor([3.0, 2.0]).softmax(0)
    assert mean == pytest.approx((p[0] * cell_centres()[likeliest] + p[1] * cell_centres()[runner_up]).tolist(), abs=1e-4)
    assert vivid == pytest.approx(cell_centres()[likeliest].tolist(), abs=1e-3)


def test_binned_colorizer_trains_and_colours_at_the_input_size(photo_folder, tmp_path):
    from core.checkpoint import load_checkpoint, save_checkpoint
    regression = save_checkpoint(tmp_path / "regression", registry.build(
        "unet_generator", in_channels=1, out_channels=2, depth=5, ngf=4, max_mult=8, norm="instance"))
    out = tmp_path / "colorize_bins"
    launch("colorize.py", "--data", photo_folder, "--val-data", photo_folder / "disc", "--out", out, "--bins",
           "--temperature", "0.5", "--rebalance", "0.5", "--max-steps", 2, "--ngf", 4, "--depth", 5,
           "--image-size", 32, "--batch-size", 2, "--num-workers", 0, "--render-size", 64,
           "--start-from", regression)
    card = (out / "colorizer" / "README.md").read_text()
    assert "cross-entropy over 484 ab cells" in card
    assert f"Started from `{regression}`: every layer but head, ups.0.1" in card
    G = load_checkpoint(out / "colorizer")
    assert type(G).__name__ == "BinnedColorizer" and G.config.temperature == 0.5
    assert colorize_with(G, Image.new("L", (70, 50), 100), render_size=64).size == (70, 50)


def test_paired_right_or_wrong_counts_only_the_photos_the_two_differ_on():
    ours = {f"p{i}": float(i < 60) for i in range(100)}
    theirs = {f"p{i}": float(2 <= i < 52 or 60 <= i < 62) for i in range(100)}  # both right on 50, wrong on 38
    assert paired_right_or_wrong(ours, theirs) == pytest.approx((10, 2, 2 * 79 / 4096))  # McNemar, 10 vs 2
    assert paired_right_or_wrong(ours, ours) == (0, 0, 1.0)
    assert paired_right_or_wrong(ours, {**theirs, "extra": 1.0})[:2] == (10, 2)  # photos both scored


def test_semantic_line_gives_the_agreement_apart_for_sure_labels_and_near_ties():
    rows = [dict(agrees=1.0, agrees_grey=1.0, label_confidence=0.9),  # a label the judge is sure of
            dict(agrees=1.0, agrees_grey=0.0, label_confidence=0.2),  # colour wins a near-tie
            dict(agrees=0.0, agrees_grey=0.0, label_confidence=0.1)]
    mean = {key: sum(r[key] for r in rows) / 3 for key in rows[0]}
    line = semantic_line({"rows": rows, "mean": mean, "judge": "lite2"})
    assert "closes 50% of the grey input's shortfall" in line
    assert "50% or more, 1 photos: grey input 100.0%, colourised 100.0%" in line
    assert "(near-ties), 2 photos: grey input 0.0%, colourised 50.0%" in line


def test_eval_colour_scores_each_temperature_and_stores_the_chosen_one(photo_folder, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    from core.checkpoint import load_checkpoint, save_checkpoint
    script = Path(__file__).resolve().parent.parent / "scripts" / "eval" / "colour.py"
    torch.manual_seed(0)
    binned = save_checkpoint(tmp_path / "binned", registry.build("binned_colorizer", in_channels=1, depth=5, ngf=4))
    run = lambda *flags: subprocess.run([sys.executable, str(script), "--photos", str(photo_folder / "disc"),
                                         "--render-size", "64", *map(str, flags)], capture_output=True, text=True)
    result = run("--colorizer", binned, "--temperatures", 1, 0.2, "--json", tmp_path / "t.json",
                 "--save-temperature", 0.2)
    assert result.returncode == 0, result.stderr
    means = json.loads((tmp_path / "t.json").read_text())
    assert list(means) == ["1.0", "0.2"] and means["1.0"] != means["0.2"]
    assert all(m["psnr_grey"] == means["1.0"]["psnr_grey"] for m in means.values())
    assert 0 <= means["1.0"]["agrees_grey"] <= 1 and "shortfall" in result.stdout  # the Lite2 semantic test
    assert 0 < means["1.0"]["label_confidence"] < 1 and "near-ties" in result.stdout
    assert "| Lite2 top-1 as the original's: result / grey input |" in result.stdout  # per source of photos too
    assert load_checkpoint(binned).config.temperature == 0.2
    verdicts = means["0.2"]["agrees_by_photo"]  # each photo's semantic verdict, for a later --against
    assert sorted(verdicts) == sorted(p.name for p in (photo_folder / "disc").iterdir())
    assert sum(verdicts.values()) / len(verdicts) == means["0.2"]["agrees"]
    wrong = len(verdicts) - int(sum(verdicts.values()))
    assert wrong > 0  # else the comparison below reads the same both ways round
    flawless = tmp_path / "flawless.json"  # a colouriser right on every photo
    flawless.write_text(json.dumps({"0.2": {"agrees_by_photo": dict.fromkeys(verdicts, 1.0)}}))
    compared = run("--colorizer", binned, "--against", flawless)
    assert "Against the grey input: right on" in compared.stdout
    assert f"Against {flawless}: right on 0 photos where it is wrong, wrong on {wrong} where" in compared.stdout
    regression = save_checkpoint(tmp_path / "regression", registry.build(
        "unet_generator", in_channels=1, out_channels=2, depth=5, ngf=4))
    refused = run("--colorizer", regression, "--temperatures", 0.5)
    assert refused.returncode == 2 and "has no temperature" in refused.stderr


def test_pretrained_colorizer_starts_from_the_imagenet_encoder_and_keeps_its_statistics():
    from core.features import pretrained_features
    G = registry.build("pretrained_colorizer", head="ab", widths=(16, 8, 8, 8))
    assert not G.encoder.training  # from construction on, before anyone calls train() or eval()
    reference = pretrained_features("lite0").net.state_dict()
    weight = "blocks.3.0.conv_pw.weight"
    assert not torch.equal(G.encoder.net.state_dict()[weight], reference[weight])  # random until loaded
    G.load_imagenet()
    assert all(torch.equal(value, reference[key]) for key, value in G.encoder.net.state_dict().items())
    G.train()
    assert not G.encoder.training and G.up.training  # ImageNet's batch-norm statistics, always
    with pytest.raises(ValueError, match="judge"):
        registry.build("pretrained_colorizer", encoder="lite2")


@pytest.mark.parametrize("head", ["ab", "cells"])
def test_pretrained_colorizer_colours_any_size_and_round_trips(head, tmp_path):
    from core.checkpoint import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    G = registry.build("pretrained_colorizer", head=head, widths=(16, 8, 8, 8)).eval()
    result = colorize_with(G, Image.new("L", (70, 50), 100), render_size=64)
    assert result.size == (70, 50)
    loaded = load_checkpoint(save_checkpoint(tmp_path / head, G)).eval()
    L = torch.rand(1, 1, 64, 96) * 2 - 1
    with torch.no_grad():
        assert torch.equal(loaded(L), G(L)) and G(L).shape == (1, 2, 64, 96)
        if head == "cells":
            assert G(L, logits=True).shape == (1, 484, 16, 24)


def test_global_context_starts_as_the_model_it_warm_starts_from_then_learns_from_the_whole_photo(tmp_path):
    from core.checkpoint import load_checkpoint, save_checkpoint, warm_start
    from core.features import pretrained_features
    torch.manual_seed(0)
    small = dict(head="ab", widths=(16, 8, 8, 8))
    base = registry.build("pretrained_colorizer", **small).load_imagenet().eval()
    G = registry.build("pretrained_colorizer", global_context=True, **small).load_imagenet()
    warm_start(G, save_checkpoint(tmp_path / "base", base))
    imagenet_head = pretrained_features("lite0").net.conv_head.weight
    assert torch.equal(G.encoder.net.conv_head.weight, imagenet_head)  # the pooled features are ImageNet's
    L = torch.rand(2, 1, 64, 64) * 2 - 1
    with torch.no_grad():
        assert torch.equal(G.eval()(L), base(L))  # the projection starts at zero
        ab, pooled = G(L, pooled=True)  # what a recognition loss trains, from the same encoder pass
        assert torch.equal(ab, G(L)) and pooled.shape == (2, 1280)
        assert torch.allclose(pooled, G.encoder.pooled(G.encoder(L.expand(-1, 3, -1, -1))[-1]))
    with pytest.raises(ValueError, match="global-context"):
        base(L, pooled=True)
    with pytest.raises(ValueError, match="global-context"):
        registry.build("pretrained_colorizer", global_context=True, head="cells", widths=(16, 8, 8, 8))(L, pooled=True)
    G.train()
    (G(L) - 0.3).abs().mean().backward()
    assert G.context.weight.grad.abs().sum() > 0
    with torch.no_grad():
        G.context.weight.copy_(G.context.weight.grad.sign())
    loaded = load_checkpoint(save_checkpoint(tmp_path / "context", G)).eval()
    assert loaded.config.global_context
    with torch.no_grad():
        assert torch.equal(loaded(L), G.eval()(L)) and not torch.equal(G(L), base(L))


def test_colorize_trains_the_decoder_on_a_frozen_encoder_then_fine_tunes_it(photo_folder, tmp_path):
    from core.checkpoint import load_checkpoint
    from core.features import pretrained_features
    imagenet = pretrained_features("lite0").net.state_dict()
    common = ("--data", photo_folder, "--max-steps", 2, "--image-size", 64, "--batch-size", 2,
              "--num-workers", 0, "--encoder", "lite0", "--pretrain-steps", 100)
    launch("colorize.py", *common, "--out", tmp_path / "frozen", "--freeze-encoder")
    frozen = load_checkpoint(tmp_path / "frozen" / "colorizer")
    assert type(frozen).__name__ == "PretrainedColorizer"
    assert frozen.config.short_side == 96  # the middle of the training photos' short sides, 64-128 px
    as_exported = lambda t: t.half().float() if t.is_floating_point() else t  # exports store fp16
    assert all(torch.equal(v, as_exported(imagenet[k])) for k, v in frozen.encoder.net.state_dict().items())
    assert "EfficientNet-Lite0" in (tmp_path / "frozen" / "colorizer" / "README.md").read_text()
    launch("colorize.py", *common, "--out", tmp_path / "tuned", "--start-from", tmp_path / "frozen" / "colorizer",
           "--encoder-lr", 0.5, "--bins", "--max-zoom", 1.5, "--global-context")
    tuned = load_checkpoint(tmp_path / "tuned" / "colorizer")
    assert tuned.config.head == "cells" and tuned.config.short_side == 80 and tuned.config.global_context
    assert tuned.context.weight.abs().sum() > 0  # started at zero, learned
    assert "global context" in (tmp_path / "tuned" / "colorizer" / "README.md").read_text()
    after = tuned.encoder.net.state_dict()
    changed = [k for k, v in frozen.encoder.net.state_dict().items() if not torch.equal(v, after[k])]
    assert any("blocks.6" in k for k in changed)  # the encoder learned too
    assert not torch.equal(tuned.up[0].body[0].weight, frozen.up[0].body[0].weight)


def test_colorize_recognition_loss_alone_teaches_the_encoder_to_name_grey_photos(photo_folder, tmp_path):
    from core.checkpoint import load_checkpoint
    common = ("--data", photo_folder, "--max-steps", 2, "--image-size", 64, "--batch-size", 2, "--num-workers", 0,
              "--encoder", "lite0", "--pretrain-steps", 100, "--lambda-l1", 0, "--global-context", "--encoder-lr", 1)
    launch("colorize.py", *common, "--out", tmp_path / "context")
    launch("colorize.py", *common, "--recognition", 5, "--out", tmp_path / "named")
    head = {name: load_checkpoint(tmp_path / name / "colorizer").encoder.net.conv_head.weight for name in ("context", "named")}
    assert not torch.equal(head["context"], head["named"])  # nothing else reaches the encoder here
    assert "trained to name the grey photo as the colour one is named (5 x KL)" in (
        tmp_path / "named" / "colorizer" / "README.md").read_text()
    with pytest.raises(AssertionError, match="--recognition trains the pooled features of --global-context: it needs that flag"):
        launch("colorize.py", *common[:-3], "--recognition", 5, "--out", tmp_path / "no_context")


def test_colorize_perceptual_loss_and_its_semantic_term_alone_train_the_decoder_and_the_card_says_so(photo_folder, tmp_path):
    from core.checkpoint import load_checkpoint
    common = ("--data", photo_folder, "--max-steps", 2, "--image-size", 64, "--batch-size", 2, "--num-workers", 0,
              "--encoder", "lite0", "--freeze-encoder", "--pretrain-steps", 100, "--lambda-l1", 0, "--seed", 3)
    runs = {"start": ("--lr", 0), "none": (), "perceptual": ("--perceptual", "lite0"),
            "semantic": ("--perceptual", "lite0", "--semantic", 5, "--semantic-networks", "lite0,lite1")}
    for name, flags in runs.items():
        launch("colorize.py", *common, *flags, "--out", tmp_path / name)
    exported = {name: load_checkpoint(tmp_path / name / "colorizer") for name in runs}
    weight = {name: model.up[0].body[0].weight for name, model in exported.items()}
    assert exported["semantic"].checkpoint_extra["perceptual"] == "5 x lite0, semantic 5 in lite0+lite1"  # recorded with the weights
    assert exported["none"].checkpoint_extra["perceptual"] == ""
    assert torch.equal(weight["none"], weight["start"])  # without L1 or GAN there is nothing to learn from
    assert not torch.equal(weight["perceptual"], weight["start"])  # the perceptual loss reaches the decoder
    assert "perceptual (L1 in ImageNet EfficientNet-Lite0" in (tmp_path / "perceptual" / "colorizer" / "README.md").read_text()
    assert not torch.equal(weight["semantic"], weight["perceptual"])  # the class term teaches something more
    card = (tmp_path / "semantic" / "colorizer" / "README.md").read_text()
    assert "5 x the mean over EfficientNet-Lite0 and EfficientNet-Lite1 of the KL divergence" in card
    assert "short side of 1-2 x that" in card
    # the cells head's annealed mean is differentiable: the same terms reach its decoder too
    for name, weight_flags in {"cells": ("--lambda-perceptual", 0), "cells_semantic": ()}.items():
        launch("colorize.py", *common, "--bins", "--perceptual", "lite0", "--semantic", 5, *weight_flags,
               "--out", tmp_path / name)
    cells = {name: load_checkpoint(tmp_path / name / "colorizer").up[0].body[0].weight for name in ("cells", "cells_semantic")}
    assert not torch.equal(cells["cells"], cells["cells_semantic"])
    assert "photo (the annealed mean) and the original, plus 5 x" in (tmp_path / "cells_semantic" / "colorizer" / "README.md").read_text()


def test_a_semantic_term_without_the_perceptual_loss_is_refused():
    from core.training import PerceptualArgs
    for flags in ({"semantic": 20.0}, {"semantic_networks": "lite0,lite1"}):
        with pytest.raises(ValueError, match="they need --perceptual"):
            PerceptualArgs(**flags).perceptual_loss("cpu")
    assert PerceptualArgs().perceptual_loss("cpu") is None


def test_colour_shift_is_measured_and_taken_off_the_head_bias_alone(tmp_path):
    from scripts.checkpoints.colour_shift import colour_shift, remove_shift
    torch.manual_seed(0)
    photos = []
    for n in range(4):  # grey photos in mid tones (in gamut for any small shift): the truth's a*, b* are 0
        photos.append(tmp_path / f"{n}.png")
        Image.fromarray(np.random.default_rng(n).integers(90, 170, (48, 64), dtype=np.uint8)).convert("RGB").save(photos[-1])
    G = registry.build("pretrained_colorizer", head="ab", widths=(16, 8, 8, 8)).eval()
    with torch.no_grad():
        G.head[0].weight.mul_(0.01)
        G.head[0].bias.copy_(torch.tensor([0.1, -0.05]))  # every pixel about a* +11, b* -5.5
    shift = colour_shift(G, photos, render_size=64)
    assert 9 < shift[0] < 12 and -6 < shift[1] < -4
    weights = {k: v.clone() for k, v in G.state_dict().items()}
    remove_shift(G, shift)
    assert colour_shift(G, photos, render_size=64).abs().max() < 0.3
    assert [k for k, v in G.state_dict().items() if not torch.equal(v, weights[k])] == ["head.0.bias"]
    with pytest.raises(ValueError, match="regression colouriser"):
        remove_shift(registry.build("pretrained_colorizer", head="cells", widths=(16, 8, 8, 8)), shift)


def test_averaging_checkpoints_means_their_weights_and_keeps_their_shared_training_record(tmp_path, monkeypatch):
    from core.checkpoint import load_checkpoint, save_checkpoint
    from scripts.checkpoints.average import main as average
    folders = []
    for n in range(2):
        torch.manual_seed(n)
        G = registry.build("pretrained_colorizer", head="ab", widths=(16, 8, 8, 8))
        folders.append(save_checkpoint(tmp_path / f"stage{n}", G, extra={"perceptual": "5 x lite0", "stage": n}))
    first, second = (load_checkpoint(folder).head[0].weight for folder in folders)
    monkeypatch.setattr("sys.argv", ["average.py", *map(str, folders), "--out", str(tmp_path / "average")])
    average()
    averaged = load_checkpoint(tmp_path / "average")
    torch.testing.assert_close(averaged.head[0].weight, (first + second) / 2, atol=1e-3, rtol=1e-3)
    assert averaged.checkpoint_extra == {"perceptual": "5 x lite0", "averaged": [str(folder) for folder in folders]}


def test_colorize_gan_phase_in_projected_features_alone_trains_the_decoder_and_is_recorded(photo_folder, tmp_path):
    from safetensors.torch import load_file

    from core.checkpoint import load_checkpoint
    common = ("--data", photo_folder, "--max-steps", 2, "--image-size", 64, "--batch-size", 2, "--num-workers", 0,
              "--encoder", "lite0", "--freeze-encoder", "--pretrain-steps", 0, "--lambda-l1", 0, "--seed", 3)
    launch("colorize.py", *common, "--lr", 0, "--out", tmp_path / "start")
    launch("colorize.py", *common, "--projected", "lite0", "--projected-size", 64, "--gan-loss", "hinge",
           "--out", tmp_path / "projected")
    exported = {name: load_checkpoint(tmp_path / name / "colorizer") for name in ("start", "projected")}
    # no L1 and no PatchGAN: whatever the decoder learns comes through the projected discriminator
    assert not torch.equal(exported["projected"].up[0].body[0].weight, exported["start"].up[0].body[0].weight)
    assert exported["projected"].checkpoint_extra["projected"] == "1 x lite0 at 64 px"
    assert exported["start"].checkpoint_extra["projected"] == ""
    saved = {name.split(".")[1] for name in load_file(tmp_path / "projected" / "state" / "state.safetensors")}
    assert saved == {"G", "D_projected"}  # the heads resume with G; the frozen network is rebuilt, never saved
    card = (tmp_path / "projected" / "colorizer" / "README.md").read_text()
    assert ("then 1 x GAN of a projected discriminator on the colourised photos in RGB (frozen ImageNet "
            "EfficientNet-Lite0 at 64 px, DiffAugment translation,cutout)") in card
    with pytest.raises(AssertionError, match="--projected is a GAN phase of the regression head"):
        launch("colorize.py", *common, "--bins", "--projected", "lite0", "--out", tmp_path / "cells")


def test_colorize_ema_exports_the_moving_average_of_the_weights_and_resumes_it(photo_folder, tmp_path):
    from safetensors.torch import load_file

    from core.checkpoint import load_checkpoint
    common = ("--data", photo_folder, "--max-steps", 1, "--image-size", 64, "--batch-size", 2, "--num-workers", 0,
              "--encoder", "lite0", "--freeze-encoder", "--pretrain-steps", 100, "--seed", 3)
    launch("colorize.py", *common, "--lr", 0, "--out", tmp_path / "start")
    launch("colorize.py", *common, "--lr", 0.01, "--out", tmp_path / "last")  # a large step, well above fp16's rounding
    launch("colorize.py", *common, "--lr", 0.01, "--ema", 0.75, "--out", tmp_path / "ema")
    weight = {name: load_checkpoint(tmp_path / name / "colorizer").up[0].body[0].weight
              for name in ("start", "last", "ema")}
    assert not torch.equal(weight["last"], weight["start"])
    # one step: the average is 0.75 x the start + 0.25 x G after its step
    assert torch.allclose(weight["ema"], 0.75 * weight["start"] + 0.25 * weight["last"], atol=1e-4)
    assert not torch.allclose(weight["ema"], weight["last"], atol=1e-3)
    assert load_checkpoint(tmp_path / "ema" / "colorizer").checkpoint_extra["ema"] == 0.75
    assert "a moving average of G's weights (decay 0.75)" in (tmp_path / "ema" / "colorizer" / "README.md").read_text()
    saved = {name.split(".")[1] for name in load_file(tmp_path / "ema" / "state" / "state.safetensors")}
    assert saved == {"G", "D", "G_ema"}  # --resume continues the average, not a new one from G
