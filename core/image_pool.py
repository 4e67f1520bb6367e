"""The history of generated images that CycleGAN's discriminators learn from (Shrivastava et al.)."""
from __future__ import annotations

import random

import torch


class ImagePool:
    """Holds up to `size` past fakes; each query returns, per image, either that image or (with
    probability 0.5, once the pool is full) a stored older one that it then replaces."""

    def __init__(self, size: int = 50):
        self.size = size
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor) -> torch.Tensor:
        if self.size == 0:  # no history; still detached, as D's loss must not reach G's graph
            return images.detach()
        chosen = []
        for image in images.detach():
            image = image[None]
            if len(self.images) < self.size:
                self.images.append(image)
                chosen.append(image)
            elif random.random() < 0.5:
                index = random.randrange(self.size)
                chosen.append(self.images[index].clone())
                self.images[index] = image
            else:
                chosen.append(image)
        return torch.cat(chosen, dim=0)
