"""GAN objectives on raw discriminator outputs (logits), reconstruction terms (L1, a perceptual loss
in pretrained features) and penalties."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

GAN_MODES = ("vanilla", "lsgan", "hinge")


class GANLoss(nn.Module):
    """vanilla: BCE on logits (pix2pix); lsgan: least squares (CycleGAN); hinge (SAGAN/BigGAN)."""

    def __init__(self, mode: str = "vanilla"):
        super().__init__()
        if mode not in GAN_MODES:
            raise ValueError(f"unknown GAN loss {mode!r}: use one of {', '.join(GAN_MODES)}")
        self.mode = mode

    def _against(self, logits: torch.Tensor, target: float) -> torch.Tensor:
        labels = torch.full_like(logits, target)
        if self.mode == "vanilla":
            return F.binary_cross_entropy_with_logits(logits, labels)
        return F.mse_loss(logits, labels)

    def discriminator(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        """Loss for D: push real up and fake down (averaged over both halves, as pix2pix does)."""
        if self.mode == "hinge":
            return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
        return 0.5 * (self._against(real_logits, 1.0) + self._against(fake_logits, 0.0))

    def generator(self, fake_logits: torch.Tensor) -> torch.Tensor:
        """Loss for G: make D call the fakes real."""
        if self.mode == "hinge":
            return -fake_logits.mean()
        return self._against(fake_logits, 1.0)


def l1_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(prediction, target)


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring pixels. As a penalty it favours flat areas with
    sharp edges (an L1 prior, unlike a blur): the flat-fill prior of cartoon and woodblock styles."""
    return ((images[..., 1:, :] - images[..., :-1, :]).abs().mean()
            + (images[..., :, 1:] - images[..., :, :-1]).abs().mean())


def gradient_penalty(critic: nn.Module, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP: (‖∇D‖ − 1)² at random points between real and fake, per pixel as in SinGAN."""
    mix = torch.rand(real.shape[0], 1, 1, 1, device=real.device)
    points = (mix * real + (1 - mix) * fake).requires_grad_(True)
    grad, = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


class PerceptualLoss(nn.Module):
    """L1 between the frozen ImageNet features (core.features) of an output and of its target at
    strides 4, 8, 16 and 32, deeper scales weighted more (pix2pixHD's VGG loss, ~1/8 ... 1): a model
    trained on few pairs learns what the target's textures and parts look like to an ImageNet
    network, not only their average colour. `semantic` > 0 adds that weight times the KL divergence
    from the target's ImageNet class distribution to the output's (the same network's classifier):
    an output that the network recognises as it recognises the target. `semantic_networks` takes
    that KL in each of several networks and averages it (default: `backbone` alone): colour that
    only one network rewards (an adversarial cast) counts for less. The networks are shared and
    never trained; gradients flow through them to the output."""

    def __init__(self, backbone: str = "lite0", weights: tuple[float, ...] = (0.125, 0.25, 0.5, 1.0),
                 semantic: float = 0.0, semantic_networks: tuple[str, ...] = ()):
        super().__init__()
        from core.features import pretrained_features
        semantic_networks = tuple(semantic_networks) or (backbone,)
        if "lite2" in (backbone, *semantic_networks):
            raise ValueError("perceptual loss in lite2: Lite2 is the evaluations' judge, never trained against; "
                             "use lite0 or lite1")
        self.features = pretrained_features(backbone)
        self.weights = weights
        self.semantic = semantic
        self.semantic_networks = semantic_networks
        self.other_networks = nn.ModuleDict({name: pretrained_features(name) for name in semantic_networks if name != backbone})

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        # fp32 even under autocast: in bf16 EfficientNet's depthwise convolutions run ~8x slower on a CPU
        output, target = output.float(), target.float()
        with torch.autocast(output.device.type, enabled=False):
            with torch.no_grad():
                wanted = self.features.pyramid(target)
            got = self.features.pyramid(output)
            loss = sum(w * F.l1_loss(g, want) for w, g, want in zip(self.weights, got, wanted))
            if self.semantic:
                kl = sum(self._class_kl(name, output, target, got, wanted) for name in self.semantic_networks)
                loss = loss + self.semantic * kl / len(self.semantic_networks)
            return loss

    def _class_kl(self, name, output, target, got, wanted) -> torch.Tensor:
        """KL from the target's ImageNet class distribution to the output's in network `name`
        (the perceptual network's classes come from the pyramids already computed)."""
        if name in self.other_networks:
            network = self.other_networks[name]
            with torch.no_grad():
                wanted_classes = network(target).log_softmax(1)
            got_classes = network(output).log_softmax(1)
        else:
            with torch.no_grad():
                wanted_classes = self.features.logits_from_pyramid(wanted[-1]).log_softmax(1)
            got_classes = self.features.logits_from_pyramid(got[-1]).log_softmax(1)
        return F.kl_div(got_classes, wanted_classes, log_target=True, reduction="batchmean")


class RecognitionLoss(nn.Module):
    """Iizuka et al. (2016) train their colouriser's global features to name the photo's scene as
    well as to colour it. Here a colouriser's encoder reads the grey photo, and the frozen ImageNet
    classifier of the same network reads its pooled features; the KL divergence from that network's
    class distribution of the colour original pulls them together: an encoder that recognises from
    the grey photo what the colour photo shows, which is where its colour has to come from."""

    def __init__(self, network: str = "lite0"):
        super().__init__()
        from core.features import pretrained_features
        if network == "lite2":
            raise ValueError("recognition loss in lite2: Lite2 is the evaluations' judge, never trained against")
        self.teacher = pretrained_features(network)

    def forward(self, pooled_grey: torch.Tensor, colour: torch.Tensor) -> torch.Tensor:
        with torch.autocast(colour.device.type, enabled=False):  # fp32: see PerceptualLoss
            with torch.no_grad():
                wanted = self.teacher(colour.float()).log_softmax(1)
            got = self.teacher.classify(pooled_grey.float()).log_softmax(1)
            return F.kl_div(got, wanted, log_target=True, reduction="batchmean")


def frechet_distance_to(features: torch.Tensor, mean: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
    """FID's formula between the rows of `features` and a reference (mean, covariance), differentiable
    in the features. Tr((C_ref C)^½) is the sum of the square roots of the eigenvalues of the n×n matrix
    Y C_ref Yᵀ / (n - 1), Y the centred rows (Mathiasen and Hvilshøj 2020): small for a batch, where
    the d×d square root would not be. In float64; the zero eigenvalue that centring leaves gets no
    gradient (its square root would give an infinite one)."""
    features = features.double()
    n = len(features)
    mu = features.mean(0)
    centred = features - mu
    eigenvalues = torch.linalg.eigvalsh(centred @ cov @ centred.T / (n - 1))
    trace_root = eigenvalues.clamp(min=1e-10).sqrt().sum()
    return ((mu - mean) ** 2).sum() + centred.pow(2).sum() / (n - 1) + cov.trace() - 2 * trace_root


class FrechetFeatureLoss(nn.Module):
    """The Fréchet distance from generated images to the training photos in a frozen ImageNet
    network's pooled features, as a loss for G (Mathiasen and Hvilshøj 2020, "Backpropagating through
    FID"): it asks for the photos' spread of features, not only for each image to look real, which
    is what a generator that draws too few kinds of dog lacks. The photos' mean and covariance are
    computed once (`fit_reference`); the generated side is this batch, with
    gradients, and the last `history` batches without, so that its covariance rests on more samples
    than one batch holds. Never in lite2, the evaluations' judge."""

    def __init__(self, network: str = "lite1", size: int = 224, history: int = 7):
        super().__init__()
        from core.features import pretrained_features
        if network == "lite2":
            raise ValueError("Fréchet loss in lite2: Lite2 is the evaluations' judge, never trained against; "
                             "use lite0 or lite1")
        self.features = pretrained_features(network)
        self.size, self.history = size, history
        dim = self.features.net.num_features
        self.register_buffer("mean", torch.zeros(dim, dtype=torch.float64))
        self.register_buffer("cov", torch.zeros(dim, dim, dtype=torch.float64))
        self.recent: list[torch.Tensor] = []

    def reference(self) -> dict[str, torch.Tensor]:
        """The photos' statistics, to keep beside a run (the shared frozen network is not this loss's to save)."""
        return {"mean": self.mean, "cov": self.cov}

    def load_reference(self, reference: dict[str, torch.Tensor]) -> None:
        self.mean.copy_(reference["mean"])
        self.cov.copy_(reference["cov"])

    def embed(self, images: torch.Tensor) -> torch.Tensor:
        """Pooled features of images in [-1, 1] (any size), seen as the ImageNet classifier sees them."""
        from core.features import judge_view
        with torch.autocast(images.device.type, enabled=False):  # fp32: see PerceptualLoss
            return self.features.pooled(judge_view(images.float(), self.size))

    @torch.no_grad()
    def fit_reference(self, batches) -> None:
        """The real side: mean and covariance of the pooled features of an iterable of image batches."""
        features = torch.cat([self.embed(images).double() for images in batches])
        self.mean.copy_(features.mean(0))
        self.cov.copy_(torch.cov(features.T))

    def forward(self, fake: torch.Tensor) -> torch.Tensor:
        features = self.embed(fake)
        loss = frechet_distance_to(torch.cat([features, *self.recent]), self.mean, self.cov)
        self.recent = [features.detach(), *self.recent][:self.history]
        return loss
