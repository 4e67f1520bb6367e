"""Every network of the hub; importing this package registers them all by name."""
from core.models import classifier, colorizer, cyclegan, dcgan, pix2pix, pretrained_colorizer, projected, singan  # noqa: F401
