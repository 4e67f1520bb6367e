"""The per-family training steps (core.steps) that the train scripts and benchmarks share."""
import pytest
import torch

from core import registry
from core.image_pool import ImagePool
from core.losses import GANLoss, total_variation
from core.steps import Bare, ab_cell_step, conditional_gan_step, cyclegan_step, dcgan_step, singan_step
from core.training import adam


class Watched(Bare):
    """A Bare runner that records, at each backward, which discriminator weights it gave gradients."""

    def __init__(self, models, lr=2e-4, precision="fp32", critics=("D",)):
        super().__init__(models, {name: adam(m.parameters(), lr) for name, m in models.items()}, precision)
        self.critics = critics
        self.touched = []  # per backward: True when any critic weight's gradient changed
        self.steps_in_autocast = 0
        for optimizer in self.optimizers.values():
            optimizer.register_step_pre_hook(self._check_step)

    def _check_step(self, optimizer, args, kwargs):
        """Inside an autocast region the low-precision weight copies are cached: updating the
        weights there would leave the next forward pass on stale copies."""
        self.steps_in_autocast += torch.is_autocast_enabled("cpu")

    def backward(self, loss):
        before = [None if p.grad is None else p.grad.clone() for c in self.critics for p in self.models[c].parameters()]
        loss.backward()
        after = [p.grad for c in self.critics for p in self.models[c].parameters()]
        self.touched.append(any(a is not None and (b is None or not torch.equal(a, b)) for a, b in zip(after, before)))


def pix2pix_parts(in_channels=1):
    torch.manual_seed(0)
    G = registry.build("unet_generator", depth=5, ngf=8, in_channels=in_channels, dropout=0.0)
    D = registry.build("patchgan_discriminator", in_channels=in_channels + 3, ndf=8, n_layers=2)
    return {"G": G, "D": D}


def learnable_pair():
    a = torch.randn(4, 1, 32, 32)
    return a, torch.cat([a.tanh(), -a.tanh(), a.sigmoid() * 2 - 1], dim=1)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_conditional_gan_step_learns_and_never_trains_d_through_the_generator_loss(precision):
    run = Watched(pix2pix_parts(), lr=2e-3, precision=precision)
    a, b = learnable_pair()
    l1 = [conditional_gan_step(run, a, b, GANLoss("vanilla"), 100.0)["loss_l1"].item() for _ in range(40)]
    assert sum(l1[-5:]) / 5 < 0.7 * sum(l1[:5]) / 5
    assert run.touched == [True, False] * 40   # D's own update, then G's update with D frozen
    assert run.steps_in_autocast == 0
    assert all(p.requires_grad for p in run.models["D"].parameters())


def test_l1_only_steps_leave_d_alone_and_weights_shift_the_l1_term():
    run = Watched(pix2pix_parts())
    a, b = learnable_pair()
    d_before = [p.clone() for p in run.models["D"].parameters()]
    losses = conditional_gan_step(run, a, b, GANLoss("vanilla"), 100.0, with_gan=False)
    assert set(losses) == {"loss_l1"} and run.touched == [False]
    assert all(torch.equal(p, q) for p, q in zip(run.models["D"].parameters(), d_before))

    grads = []
    for weights in (None, torch.zeros(4, 1, 32, 32)):
        parts = pix2pix_parts()
        run = Bare(parts, {name: torch.optim.SGD(m.parameters(), 0.0) for name, m in parts.items()})
        conditional_gan_step(run, a, b, GANLoss("vanilla"), 100.0, with_gan=False, l1_weights=weights)
        grads.append(sum(p.grad.abs().sum() for p in run.models["G"].parameters()).item())
    assert grads[0] > 0 and grads[1] == 0   # all-zero weights switch the L1 gradient off


def test_bf16_step_keeps_fp32_weights_and_finite_losses():
    parts = pix2pix_parts()
    run = Bare(parts, precision="bf16")
    a, b = learnable_pair()
    with run.autocast():
        assert run.models["G"](a).dtype == torch.bfloat16
    losses = conditional_gan_step(run, a, b, GANLoss("vanilla"), 100.0)
    assert all(torch.isfinite(v) for v in losses.values())
    assert all(p.dtype == torch.float32 for m in run.models.values() for p in m.parameters())


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_ab_cell_step_learns_the_colours_and_cell_weights_tip_the_balance(precision):
    from core.models.colorizer import AB_SIDE, ab_bins
    L = torch.rand(2, 1, 32, 32) * 2 - 1
    ab = torch.full((2, 2, 32, 32), 0.4)
    ab[:, :, :, 16:] = -0.4  # two saturated colours, half the picture each
    warm, cold = ab_bins(ab[:1, :, :1, :1]).item(), ab_bins(ab[:1, :, :1, -1:]).item()
    mean_a = {}
    for favoured in (warm, cold):
        torch.manual_seed(0)
        G = registry.build("binned_colorizer", depth=4, ngf=8, temperature=1.0)
        run = Bare({"G": G}, {"G": adam(G.parameters(), 2e-3)}, precision)
        weights = torch.ones(AB_SIDE * AB_SIDE)
        weights[favoured] = 10.0
        losses = [ab_cell_step(run, L, ab, weights)["loss_ce"].item() for _ in range(40)]
        assert losses[-1] < losses[0] / 2
        with torch.no_grad():
            mean_a[favoured] = G(L)[:, 0].mean().item()
    assert mean_a[warm] > 0.05 > -0.05 > mean_a[cold]  # the favoured colour wins the uncertain pixels


@pytest.mark.parametrize("identity,precision,edge_promoting", [(0.0, "fp32", False), (5.0, "bf16", True)])
def test_cyclegan_step_updates_both_critics_only_from_their_own_losses(identity, precision, edge_promoting):
    torch.manual_seed(0)
    models = {"G": registry.build("cyclegan", generator="resnet", ngf=8, n_blocks=1),
              **{name: registry.build("patchgan_discriminator", in_channels=3, ndf=8, n_layers=2, norm="instance")
                 for name in ("D_A", "D_B")}}
    run = Watched(models, critics=("D_A", "D_B"), precision=precision)
    before = {name: [p.clone() for p in m.parameters()] for name, m in models.items()}
    seen_by_d_b = []
    models["D_B"].register_forward_hook(lambda module, inputs, output: seen_by_d_b.append(inputs[0]))
    a, b = torch.rand(2, 2, 3, 32, 32) * 2 - 1
    losses = cyclegan_step(run, a, b, GANLoss("lsgan"), (ImagePool(4), ImagePool(4)), 10.0, identity,
                           edge_promoting=edge_promoting)
    # G's fakes, then the real paintings, past fakes and (edge-promoting) the real ones with soft edges
    assert len(seen_by_d_b) == (4 if edge_promoting else 3)
    assert ("loss_idt" in losses) == (identity > 0)
    assert run.touched == [False, True, True]   # G with both critics frozen, then D_A, then D_B
    assert run.steps_in_autocast == 0
    for name, model in models.items():
        assert any(not torch.equal(p, q) for p, q in zip(model.parameters(), before[name])), name


def test_total_variation_prices_an_edge_by_its_height_not_its_sharpness():
    assert total_variation(torch.zeros(1, 3, 8, 8)) == 0
    step = torch.zeros(1, 1, 8, 9)
    step[..., 4:] = 2.0                      # one vertical edge of height 2: 8 of the 8×8 horizontal differences
    assert total_variation(step).item() == pytest.approx(2 * 8 / 64)
    ramp = torch.linspace(0, 2, 9).expand(1, 1, 8, 9)  # the same rise spread over the row: the same price
    assert total_variation(ramp).item() == pytest.approx(total_variation(step).item())


def test_cyclegan_step_with_total_variation_flattens_the_paintings():
    a, b = torch.rand(2, 2, 3, 32, 32) * 2 - 1
    flatness = {}
    for weight in (0.0, 5.0):
        torch.manual_seed(0)
        models = {"G": registry.build("cyclegan", generator="resnet", ngf=8, n_blocks=1),
                  **{name: registry.build("patchgan_discriminator", in_channels=3, ndf=8, n_layers=2,
                                          norm="instance") for name in ("D_A", "D_B")}}
        run = Bare(models, {name: adam(m.parameters(), 2e-3) for name, m in models.items()})
        for _ in range(15):
            losses = cyclegan_step(run, a, b, GANLoss("lsgan"), (ImagePool(0), ImagePool(0)), 10.0, 5.0, weight)
        assert ("loss_tv" in losses) == (weight > 0)
        with torch.no_grad():
            flatness[weight] = total_variation(models["G"].g_ab(a)).item()
    assert flatness[5.0] < 0.7 * flatness[0.0]


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_dcgan_step_trains_d_then_g_against_a_frozen_d(precision):
    torch.manual_seed(0)
    models = {"G": registry.build("dcgan_generator", image_size=32, z_dim=16, ngf=8, ndf=8),
              "D": registry.build("dcgan_discriminator", image_size=32, z_dim=16, ngf=8, ndf=8)}
    run = Watched(models, precision=precision)
    seen = []
    augment = lambda images: seen.append(images.shape) or images.flip(-1)
    losses = dcgan_step(run, torch.rand(4, 3, 32, 32) * 2 - 1, None, torch.randn(4, 16), GANLoss("hinge"), augment)
    assert set(losses) == {"loss_d", "loss_g"} and run.touched == [True, False]
    assert len(seen) == 3   # real and fake for D, fake for G: all through the same augmentation
    assert run.steps_in_autocast == 0


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_singan_step_draws_the_coarser_scales_once_per_critic_update(precision):
    torch.manual_seed(0)
    conv = lambda: torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.LeakyReLU(0.2),
                                       torch.nn.Conv2d(8, 3, 3, padding=1))
    G, critic = conv(), torch.nn.Sequential(conv(), torch.nn.Flatten(), torch.nn.LazyLinear(1))
    real = torch.rand(1, 3, 16, 16) * 2 - 1
    critic(real)
    run = Watched({"G": G, "D": critic}, precision=precision)
    draws = []
    draw_start = lambda: draws.append(1) or torch.zeros_like(real)
    generate = lambda start: G(start + torch.randn_like(start))
    losses = singan_step(run, real, draw_start, generate, lambda: G(torch.zeros_like(real)), d_steps=3, g_steps=2)
    assert len(draws) == 3                                   # none more for the generator updates
    assert run.touched == [True] * 3 + [False] * 2           # critic steps, then generators against it frozen
    assert set(losses) == {"loss_d", "loss_adv", "loss_rec"}
    assert run.steps_in_autocast == 0
