"""Sketch augmentation: one geometry for a sketch and its photo, white paper outside, pen changes;
paintings' edges softened for the edge-promoting loss."""
import pytest
import torch

from core.augment import random_affine, soften_edges, stroke_jitter


def sketch_batch(n=8, size=32) -> torch.Tensor:
    """Black crosses on white, in [-1, 1]."""
    x = torch.ones(n, 1, size, size)
    x[:, :, size // 2 - 1:size // 2 + 1, 4:-4] = -1
    x[:, :, 4:-4, size // 2 - 1:size // 2 + 1] = -1
    return x


def test_affine_moves_sketch_and_photo_alike_and_fills_with_paper():
    torch.manual_seed(0)
    sketch = sketch_batch()
    photo = sketch.expand(-1, 3, -1, -1).clone()
    moved_sketch, moved_photo = random_affine([sketch, photo], fills=[1.0, 1.0], scale=(0.6, 0.7), degrees=30)
    assert torch.allclose(moved_photo, moved_sketch.expand(-1, 3, -1, -1), atol=1e-5)
    assert not torch.allclose(moved_sketch, sketch, atol=1e-3)
    assert (moved_sketch[:, :, 0, :] > 0.99).all()  # zoomed out: the new border is white paper
    _, mirrored = random_affine([sketch, photo], fills=[1.0, None], scale=(0.6, 0.7), degrees=30)
    assert (mirrored[:, :, 0, :] < 0).any()  # a photo is mirrored at its edges instead


def test_stroke_jitter_broadens_and_erases_only_where_asked():
    sketch = sketch_batch()
    ink = lambda x: ((1 - x) / 2).sum().item()
    assert torch.equal(stroke_jitter(sketch, thicken=0.0), sketch)
    assert ink(stroke_jitter(sketch, thicken=1.0)) > 1.5 * ink(sketch)
    erased = stroke_jitter(sketch, thicken=0.0, erase=1.0, erase_size=(0.5, 0.6))
    assert ink(erased) < ink(sketch) and erased.min() >= -1 and erased.max() <= 1


def test_soften_edges_blurs_strong_edges_and_leaves_the_rest_alone():
    image = torch.full((1, 3, 32, 48), -0.8)
    image[..., 24:] = 0.9                                  # one strong vertical edge at x = 24
    image[..., 8, 4:10] += 0.1                             # a faint mark, far from it
    soft = soften_edges(image)
    assert torch.equal(soft[..., :18], image[..., :18]) and torch.equal(soft[..., 30:], image[..., 30:])
    steepest = lambda x: (x[..., 1:] - x[..., :-1]).abs().max().item()
    assert steepest(image) == pytest.approx(1.7) and steepest(soft) < 0.6   # the edge now rises over pixels
    assert soft.mean().item() == pytest.approx(image.mean().item(), abs=0.01)  # a blur, not a fade
