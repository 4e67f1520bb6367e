"""Every network of the hub; importing this package registers them all by name."""
from core.models import (classifier, colorizer, cyclegan, dcgan, fastgan, pix2pix, pretrained_colorizer,  # noqa: F401
                         projected, singan)
