import pytest
import torch

from core import registry
from core.losses import GANLoss
from core.models.layers import pad_to_multiple


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_reference_sizes_match_pix2pix():
    # The published pix2pix U-Net-256 and 70x70 PatchGAN sizes.
    assert count(registry.build("unet_generator")) == 54_413_955
    assert count(registry.build("patchgan_discriminator")) == 2_768_705


@pytest.mark.parametrize("depth,size", [(5, 32), (6, 64), (8, 256)])
def test_unet_output_shape(depth, size):
    g = registry.build("unet_generator", depth=depth, ngf=8, in_channels=1).eval()
    out = g(torch.randn(2, 1, size, size))
    assert out.shape == (2, 3, size, size)
    assert out.abs().max() <= 1


def test_unet_resize_upsampling_has_no_transposed_conv():
    g = registry.build("unet_generator", depth=5, ngf=8, in_channels=1, upsample="resize").eval()
    assert g(torch.randn(2, 1, 32, 32)).shape == (2, 3, 32, 32)
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in g.modules())
    with pytest.raises(ValueError, match="unknown upsampling"):
        registry.build("unet_generator", upsample="bilinear")


@pytest.mark.parametrize("h,w", [(33, 47), (1, 1), (100, 20), (64, 64)])
def test_translate_any_size(h, w):
    g = registry.build("unet_generator", depth=5, ngf=4).eval()
    assert g.translate(torch.randn(1, 3, h, w)).shape == (1, 3, h, w)


def test_unet_rejects_invalid_size_without_helper():
    g = registry.build("unet_generator", depth=5, ngf=4).eval()
    with pytest.raises(RuntimeError):
        g(torch.randn(1, 3, 33, 47))


def test_pad_to_multiple_crops_back_exactly():
    x = torch.randn(1, 3, 30, 50)
    padded, (h, w) = pad_to_multiple(x, 16)
    assert padded.shape[-2:] == (32, 64)
    assert torch.equal(padded[..., :h, :w], x)


def test_patchgan_output_map():
    d = registry.build("patchgan_discriminator", ndf=8)
    assert d(torch.randn(1, 6, 256, 256)).shape == (1, 1, 30, 30)


def test_init_is_normal_002():
    g = registry.build("unet_generator", depth=5, ngf=32)
    std = torch.cat([m.weight.flatten() for m in g.modules() if isinstance(m, torch.nn.Conv2d)]).std()
    assert 0.018 < std < 0.022


def test_dropout_only_in_innermost_decoder_blocks():
    g = registry.build("unet_generator", depth=8, ngf=4)
    with_dropout = [i for i, up in enumerate(g.ups) if any(isinstance(m, torch.nn.Dropout) for m in up)]
    assert with_dropout == [4, 5, 6]


@pytest.mark.parametrize("mode", ["vanilla", "lsgan", "hinge"])
def test_gan_losses_order_real_and_fake(mode):
    loss = GANLoss(mode)
    good_d = loss.discriminator(torch.full((4, 1), 3.0), torch.full((4, 1), -3.0))
    bad_d = loss.discriminator(torch.full((4, 1), -3.0), torch.full((4, 1), 3.0))
    assert good_d < bad_d
    assert loss.generator(torch.full((4, 1), 3.0)) < loss.generator(torch.full((4, 1), -3.0))


def test_unknown_loss_and_norm_are_errors():
    with pytest.raises(ValueError):
        GANLoss("wasserstein-ish")
    with pytest.raises(ValueError):
        registry.build("unet_generator", norm="group")


def test_registry_rejects_unknown_names_and_fields():
    with pytest.raises(KeyError, match="known models"):
        registry.build("stylegan9")
    with pytest.raises(ValueError, match="unknown fields: colour"):
        registry.build("unet_generator", {"colour": 3})


def test_classifier_top_k_names_classes():
    c = registry.build("timm_classifier", arch="resnet10t", class_names=["a", "b", "c"]).eval()
    top = c.top_k(torch.randn(2, 1, 64, 64), k=2)
    assert len(top) == 2 and len(top[0]) == 2
    assert set(top[0]) <= {"a", "b", "c"}
    assert abs(sum(c.top_k(torch.randn(1, 1, 64, 64), k=3)[0].values()) - 1) < 1e-5


def test_classifier_flip_average_reads_a_drawing_and_its_mirror_alike():
    torch.manual_seed(0)
    c = registry.build("timm_classifier", arch="resnet10t", class_names=["a", "b", "c"]).eval()
    sketch = torch.rand(1, 1, 64, 64)
    assert c.top_k(sketch, k=3)[0] != pytest.approx(c.top_k(sketch.flip(-1), k=3)[0], abs=1e-6)
    c.config.flip_average = True
    assert c.top_k(sketch, k=3)[0] == pytest.approx(c.top_k(sketch.flip(-1), k=3)[0], abs=1e-6)
    other = torch.rand(1, 1, 64, 64)  # in a batch, each sketch is averaged with its own mirror image
    assert torch.allclose(c.probabilities(torch.cat([sketch, other]))[1], c.probabilities(other)[0], atol=1e-6)


def test_classifier_divides_out_the_prior_of_classes_training_oversampled():
    torch.manual_seed(0)
    c = registry.build("timm_classifier", arch="resnet10t", class_names=["a", "b", "c"]).eval()
    sketch = torch.rand(2, 1, 64, 64)
    plain = c.probabilities(sketch)
    c.config.oversampled = {"b": 3.0}
    adjusted = c.probabilities(sketch)
    assert torch.allclose(adjusted.sum(-1), torch.ones(2), atol=1e-6)
    assert torch.allclose(adjusted[:, 1] / adjusted[:, 0], plain[:, 1] / plain[:, 0] / 3, rtol=1e-4)
    assert torch.allclose(adjusted[:, 2] / adjusted[:, 0], plain[:, 2] / plain[:, 0], rtol=1e-4)


def test_classifier_weights_stay_channels_last_through_a_save_and_load(tmp_path):
    """The layout that makes prediction faster survives the checkpoint (saved contiguous, loaded back)."""
    from core.checkpoint import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    c = registry.build("timm_classifier", arch="resnet10t", class_names=["a", "b", "c"]).eval()
    save_checkpoint(tmp_path / "c", c)
    loaded = load_checkpoint(tmp_path / "c")
    convs = [m.weight for m in loaded.net.modules() if isinstance(m, torch.nn.Conv2d) and m.in_channels > 1]
    assert convs and all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    assert not all(w.is_contiguous() for w in convs)
    sketch = torch.rand(2, 1, 64, 64)
    assert torch.allclose(loaded.probabilities(sketch), c.probabilities(sketch), atol=1e-6)


def test_classifier_starts_from_imagenet_lite0_with_the_stem_summed_for_grey_input():
    from core.features import imagenet_network
    c = registry.build("timm_classifier", arch="efficientnet_lite0", class_names=["a", "b", "c"]).load_imagenet("lite0")
    imagenet = imagenet_network("lite0").eval()
    c.eval()
    sketch = torch.rand(2, 1, 64, 64) * 2 - 1
    with torch.no_grad():  # grey in, the ImageNet network's features of the same picture as R = G = B
        assert torch.allclose(c.net.forward_features(sketch), imagenet.forward_features(sketch.expand(-1, 3, -1, -1)),
                              atol=1e-4)
        assert c(sketch).shape == (2, 3)
    with pytest.raises(ValueError, match="judge"):
        registry.build("timm_classifier", arch="efficientnet_lite2", class_names=["a", "b"]).load_imagenet("lite2")
