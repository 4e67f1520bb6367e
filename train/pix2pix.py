"""Train pix2pix (U-Net generator + PatchGAN, GAN + 100·L1) on paired images.

    accelerate launch train/pix2pix.py --data data/sketch_objects --out runs/sketch2photo
    accelerate launch --num_processes 2 train/pix2pix.py ...        # data-parallel (DDP)

--data may be A|B side-by-side images, A/ and B/ folders, the Sketchy layout, or photos in
category folders (the sketch is drawn from each photo). The generator is exported to
<out>/generator in the hub's checkpoint format, with a model card holding held-out L1.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch.utils.data import DataLoader

from core import registry
from core.data import PairTransform, open_pair_dataset
from core.losses import GANLoss, l1_loss
from core.training import GANArgs, Trainer, adam_with_linear_decay, frozen, parse_args


@dataclass
class Pix2PixArgs(GANArgs):
    """pix2pix training flags (defaults are the paper's, batch 1 at 256 px)."""
    image_size: int = 256
    load_size: int = 286
    depth: int = 8
    ngf: int = 64
    max_mult: int = 8
    norm: str = "batch"
    lambda_l1: float = 100.0
    val_fraction: float = 0.1


@torch.no_grad()
def held_out_l1(generator, dataset, device, limit: int = 500) -> dict:
    """Mean absolute error in [0, 1] units of G(A) vs B, and of a blank white image vs B."""
    was_training = generator.training
    generator.eval()
    total = white = 0.0
    count = 0
    for batch in DataLoader(dataset, batch_size=8):
        fake = generator(batch["A"].to(device)).float().cpu()
        total += (fake - batch["B"]).abs().mean(dim=(1, 2, 3)).sum().item() / 2
        white += (1 - batch["B"]).abs().mean(dim=(1, 2, 3)).sum().item() / 2
        count += len(batch["B"])
        if count >= limit:
            break
    generator.train(was_training)
    return {"l1": total / max(count, 1), "white_l1": white / max(count, 1), "images": count}


def main():
    args = parse_args(Pix2PixArgs)
    transform = PairTransform(args.image_size, args.load_size)
    train_set = open_pair_dataset(args.data, transform, split="train", val_fraction=args.val_fraction)
    val_set = open_pair_dataset(args.data, PairTransform(args.image_size, train=False),
                                split="val", val_fraction=args.val_fraction)
    in_channels = 1 if train_set.sketch_input else 3

    G = registry.build("unet_generator", in_channels=in_channels, depth=args.depth, ngf=args.ngf,
                       max_mult=args.max_mult, norm=args.norm)
    D = registry.build("patchgan_discriminator", in_channels=in_channels + 3, ndf=args.ndf,
                       n_layers=args.n_layers, norm=args.norm)
    optimizers, schedulers = adam_with_linear_decay({"G": G, "D": D}, args)
    opt_g, opt_d = optimizers["G"], optimizers["D"]
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    fixed = next(iter(DataLoader(val_set, batch_size=min(6, len(val_set)))))
    gan_loss = GANLoss(args.gan_loss)

    def samples():
        """Rows: held-out inputs, outputs, targets."""
        G_eval = trainer.unwrap("G").eval()
        with torch.no_grad():
            fake = G_eval(fixed["A"].to(trainer.device)).cpu()
        G_eval.train()
        return [fixed["A"].expand(-1, 3, -1, -1), fake, fixed["B"]]

    def card(name):
        metrics = held_out_l1(trainer.unwrap("G"), val_set, trainer.device)
        return model_card(args, train_set, metrics, trainer.step, trainer.hardware())

    trainer = Trainer(args, models={"G": G, "D": D}, optimizers=optimizers, loader=loader,
                      exports={"G": "generator"}, sample_fn=samples,
                      card_fn=card, schedulers=schedulers)
    G, D = trainer.models["G"], trainer.models["D"]
    for batch in trainer:
        real_a, real_b = batch["A"], batch["B"]
        fake_b = G(real_a)

        # Discriminator: real pairs up, generated pairs down.
        opt_d.zero_grad(set_to_none=True)
        loss_d = gan_loss.discriminator(D(torch.cat([real_a, real_b], 1)),
                                        D(torch.cat([real_a, fake_b.detach()], 1)))
        trainer.backward(loss_d)
        opt_d.step()

        # Generator: fool D and stay close to the target.
        opt_g.zero_grad(set_to_none=True)
        with frozen(trainer.unwrap("D")) as D_fixed:  # outside DDP: G alone gets gradients
            loss_gan = gan_loss.generator(D_fixed(torch.cat([real_a, fake_b], 1)))
        loss_l1 = l1_loss(fake_b, real_b)
        trainer.backward(loss_gan + args.lambda_l1 * loss_l1)
        opt_g.step()
        trainer.log(loss_d=loss_d.item(), loss_g_gan=loss_gan.item(), loss_l1=loss_l1.item())


def model_card(args, train_set, metrics, step, hardware) -> str:
    classes = ", ".join(train_set.class_names) or "n/a"
    return f"""# pix2pix generator

Trained by `train/pix2pix.py` of this hub.

- Data: `{args.data}` ({len(train_set)} training pairs; categories: {classes})
- Steps: {step} at batch {args.batch_size}, {args.image_size} px (random crops of {args.load_size})
- Hardware: {hardware}
- Losses: {args.gan_loss} GAN + {args.lambda_l1:g} x L1; Adam lr {args.lr:g}, betas ({args.beta1}, 0.999)

## Held-out metrics
Mean absolute error per pixel, in [0, 1] units, on {metrics['images']} held-out pairs
(images never used in training):

| output | L1 |
| --- | --- |
| this generator | {metrics['l1']:.4f} |
| a blank white image (baseline) | {metrics['white_l1']:.4f} |

## Training flags
```json
{__import__('json').dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
