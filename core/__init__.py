"""The GAN hub's model library: networks, losses, data, checkpoints and the training loop."""
