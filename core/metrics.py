"""Image quality figures for model cards: PSNR, SSIM, colourfulness, and distances between sets of features."""
from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image
from skimage.metrics import structural_similarity


def psnr(result: Image.Image, truth: Image.Image) -> float:
    """Peak signal-to-noise ratio in dB for 8-bit images; infinite for identical ones."""
    error = np.mean((np.asarray(truth, dtype=np.float64) - np.asarray(result, dtype=np.float64)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255 ** 2 / error))


def batch_psnr(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-image PSNR in dB of NxCxHxW batches in [-1, 1], on the scale of 8-bit images."""
    error = ((prediction.clamp(-1, 1) - target) / 2).square().mean(dim=(1, 2, 3))
    return 10 * torch.log10(1 / error.clamp_min(1e-10))


@torch.no_grad()
def mean_target(dataset, limit: int = 2000) -> torch.Tensor:
    """The average "B" of a paired dataset: the best single guess without looking at the input."""
    return torch.stack([dataset[i]["B"] for i in range(min(len(dataset), limit))]).mean(0)


def ssim(result: Image.Image, truth: Image.Image) -> float:
    return float(structural_similarity(np.asarray(truth), np.asarray(result), channel_axis=2, data_range=255))


def paired_right_or_wrong(ours: dict[str, float], theirs: dict[str, float]) -> tuple[int, int, float]:
    """Two models scored right (1) or wrong (0) on the same items, e.g. Zhang et al.'s semantic test:
    only the items they differ on tell them apart. Returns (right only for ours, right only for
    theirs, McNemar's exact two-sided p): a p near 1 means the lead is what chance gives."""
    shared = ours.keys() & theirs.keys()
    gains = sum(ours[item] > theirs[item] for item in shared)
    losses = sum(ours[item] < theirs[item] for item in shared)
    differing = gains + losses
    tail = sum(math.comb(differing, k) for k in range(min(gains, losses) + 1)) / 2 ** differing
    return gains, losses, min(1.0, 2 * tail)


def colourfulness(image: Image.Image) -> float:
    """Hasler and Süsstrunk (2003): 0 for grey, about 30-60 for typical photos, more for vivid ones."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FID's formula on any features (rows are images): |mu_a - mu_b|² + Tr(Ca + Cb - 2 (Ca Cb)^½)."""
    from scipy import linalg
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root, _ = linalg.sqrtm(cov_a @ cov_b, disp=False)
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root.real))


def kernel_distance(a: np.ndarray, b: np.ndarray, subsets: int = 100, subset_size: int = 100,
                    seed: int = 0) -> tuple[float, float]:
    """KID's unbiased MMD² with the cubic polynomial kernel, (mean, std) over random subsets."""
    rng = np.random.default_rng(seed)
    dim, n = a.shape[1], min(subset_size, len(a), len(b))
    kernel = lambda x, y: (x @ y.T / dim + 1) ** 3
    values = []
    for _ in range(subsets):
        x, y = a[rng.choice(len(a), n, replace=False)], b[rng.choice(len(b), n, replace=False)]
        kxx, kyy, kxy = kernel(x, x), kernel(y, y), kernel(x, y)
        off = lambda k: (k.sum() - np.trace(k)) / (n * (n - 1))
        values.append(off(kxx) + off(kyy) - 2 * kxy.mean())
    return float(np.mean(values)), float(np.std(values))


def distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of x and of y, without an (x, y, features) array."""
    return np.sqrt(np.maximum((x ** 2).sum(1)[:, None] + (y ** 2).sum(1)[None] - 2 * x @ y.T, 0))


def _radii(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's distance to its k-th nearest neighbour among the others (the manifold's reach)."""
    return np.sort(distances(points, points), axis=1)[:, k]  # column 0 is the point itself


def precision_recall(fake: np.ndarray, real: np.ndarray, k: int = 3) -> tuple[float, float]:
    """Kynkäänniemi et al. (2019) on any features (rows are images). Precision: the share of fakes
    inside the real manifold (within some real image's distance to its k-th nearest real neighbour):
    fidelity. Recall: the share of reals inside the fakes' manifold: coverage."""
    def inside(points, manifold):
        return float((distances(points, manifold) <= _radii(manifold, k)[None]).any(axis=1).mean())

    return inside(fake, real), inside(real, fake)


def realism(fake: np.ndarray, real: np.ndarray, k: int = 3) -> np.ndarray:
    """Kynkäänniemi et al.'s realism score of each fake (rows are images): max over reals of the
    real's k-NN radius over its distance to the fake. Above 1 = inside the real manifold; higher =
    deeper inside. As in the paper, the half of the reals with the widest radii (outliers whose
    large balls would make anything look real) are left out."""
    radii = _radii(real, k)
    dense = radii <= np.median(radii)
    return (radii[dense][None] / np.maximum(distances(fake, real[dense]), 1e-12)).max(axis=1)
