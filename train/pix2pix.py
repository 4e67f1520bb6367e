"""Train pix2pix (U-Net generator + PatchGAN, GAN + 100·L1) on paired images.

    accelerate launch train/pix2pix.py --data data/sketch_objects --out runs/sketch2photo
    accelerate launch --num_processes 2 train/pix2pix.py ...        # data-parallel (DDP)

--data may be A|B side-by-side images, A/ and B/ folders, the Sketchy layout (--categories picks
some of its categories), or photos in category folders (the sketch is drawn from each photo).
For sketch inputs --augment adds what helps small paired sets: the same random zoom, rotation
and shear on the sketch and its photo, and a broader pen on some sketches. --l1-only-steps trains
G on L1 alone first. Pretrained ImageNet features can help few pairs: --perceptual lite0 adds a
perceptual loss in them, --projected lite0 a projected discriminator on them beside the PatchGAN
(judging the photos alone, as Vision-aided GAN adds one). The generator is exported to
<out>/generator in the hub's checkpoint format, with a model card holding held-out L1 and PSNR
next to trivial baselines.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch.utils.data import DataLoader

from core import registry
from core.augment import random_affine, stroke_jitter
from core.checkpoint import load_checkpoint
from core.data import PairTransform, open_pair_dataset
from core.diffaugment import diff_augment
from core.losses import GANLoss
from core.metrics import batch_psnr, mean_target
from core.steps import conditional_gan_step
from core.training import GANArgs, PerceptualArgs, ProjectedArgs, Trainer, adam_with_linear_decay, parse_args


@dataclass
class Pix2PixArgs(ProjectedArgs, PerceptualArgs, GANArgs):
    """pix2pix training flags (defaults are the paper's, batch 1 at 256 px)."""
    image_size: int = 256
    load_size: int = 286
    depth: int = 8
    ngf: int = 64
    max_mult: int = 8
    norm: str = "batch"
    lambda_l1: float = 100.0
    val_fraction: float = 0.1
    categories: str = ""          # Sketchy: comma-separated categories to train on ("" = all)
    augment: bool = False         # sketch inputs: joint zoom/rotation/shear, broader pens
    l1_only_steps: int = 0        # G learns from L1 alone for this many steps, then GAN + L1
    sketch_extent: float = 0.0    # Sketchy: frame every sketch at this share of the square (0: as drawn)
    drawn_fraction: float = 0.0   # Sketchy: share of training pairs whose sketch is an XDoG drawing of the photo
    upsample: str = "transpose"   # the U-Net decoder's upsampling: "transpose" or "resize"
    lambda_perceptual: float = 3.0     # about the L1 term (λ 100) for a blurred photo; deeper scales weigh more


@torch.no_grad()
def held_out_metrics(generator, dataset, device, baseline: torch.Tensor, limit: int = 1000) -> dict:
    """Mean L1 (in [0, 1] units) and PSNR of G(A) vs B, and of two trivial outputs: a blank white
    image and the mean training photo."""
    was_training = generator.training
    generator.eval()
    sums = {"l1": 0.0, "psnr": 0.0, "white_l1": 0.0, "white_psnr": 0.0, "mean_l1": 0.0, "mean_psnr": 0.0}
    count = 0
    for batch in DataLoader(dataset, batch_size=8):
        target = batch["B"]
        outputs = {"": generator(batch["A"].to(device)).float().cpu(), "white_": torch.ones_like(target),
                   "mean_": baseline.expand_as(target)}
        for prefix, output in outputs.items():
            sums[prefix + "l1"] += (output - target).abs().mean(dim=(1, 2, 3)).sum().item() / 2
            sums[prefix + "psnr"] += batch_psnr(output, target).sum().item()
        count += len(target)
        if count >= limit:
            break
    generator.train(was_training)
    return {**{k: v / max(count, 1) for k, v in sums.items()}, "images": count}


def main():
    args = parse_args(Pix2PixArgs)
    transform = PairTransform(args.image_size, args.load_size)
    categories = [c.strip() for c in args.categories.split(",") if c.strip()] or None
    sketchy = dict(categories=categories, sketch_extent=args.sketch_extent)
    train_set = open_pair_dataset(args.data, transform, split="train", val_fraction=args.val_fraction,
                                  drawn_fraction=args.drawn_fraction, **sketchy)
    val_set = open_pair_dataset(args.data, PairTransform(args.image_size, train=False),
                                split="val", val_fraction=args.val_fraction, **sketchy)
    in_channels = 1 if train_set.sketch_input else 3
    baseline = mean_target(train_set)

    G = registry.build("unet_generator", in_channels=in_channels, depth=args.depth, ngf=args.ngf,
                       max_mult=args.max_mult, norm=args.norm, upsample=args.upsample)
    D = registry.build("patchgan_discriminator", in_channels=in_channels + 3, ndf=args.ndf,
                       n_layers=args.n_layers, norm=args.norm)
    if args.start_from:  # more training for a shipped generator, e.g. with a new discriminator
        G.load_state_dict(load_checkpoint(args.start_from).state_dict())
    models = {"G": G, "D": D}
    D_projected, projector = args.projected_discriminator()  # beside the PatchGAN, judging the photos alone
    if D_projected is not None:
        models["D_projected"] = D_projected
    optimizers, schedulers = adam_with_linear_decay(models, args)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    fixed = next(iter(DataLoader(val_set, batch_size=min(6, len(val_set)), shuffle=True,
                                 generator=torch.Generator().manual_seed(0))))
    gan_loss = GANLoss(args.gan_loss)

    def samples():
        """Rows: held-out inputs, outputs, targets."""
        G_eval = trainer.unwrap("G").eval()
        with torch.no_grad():
            fake = G_eval(fixed["A"].to(trainer.device)).cpu()
        G_eval.train()
        return [fixed["A"].expand(-1, 3, -1, -1), fake, fixed["B"]]

    def card(name):
        metrics = held_out_metrics(trainer.unwrap("G"), val_set, trainer.device, baseline)
        return model_card(args, train_set, val_set, metrics, trainer.step, trainer.hardware())

    trainer = Trainer(args, models=models, optimizers=optimizers, loader=loader,
                      exports={"G": "generator"}, sample_fn=samples,
                      card_fn=card, schedulers=schedulers,
                      export_extras={"G": {"categories": categories or train_set.class_names,
                                           "image_size": args.image_size,
                                           "sketch_extent": args.sketch_extent,
                                           "perceptual": args.perceptual_record(),
                                           "projected": args.projected_record()}})
    perceptual = args.perceptual_loss(trainer.device)
    projected = {} if projector is None else dict(
        projector=projector.to(trainer.device), lambda_projected=args.lambda_projected,
        augment=lambda images: diff_augment(images, args.diffaugment))
    for batch in trainer:
        real_a, real_b = batch["A"], batch["B"]
        if args.augment and train_set.sketch_input:
            real_a, real_b = random_affine([real_a, real_b], fills=[1.0, None], scale=(1.0, 1.15), degrees=8,
                                           shear=0.08, translate=0.04, flip=False)  # PairTransform flips
            real_a = stroke_jitter(real_a, thicken=0.3)
        trainer.log(**conditional_gan_step(trainer, real_a, real_b, gan_loss, args.lambda_l1,
                                           with_gan=trainer.step >= args.l1_only_steps,
                                           perceptual=perceptual, lambda_perceptual=args.lambda_perceptual,
                                           **projected))


def model_card(args, train_set, val_set, metrics, step, hardware) -> str:
    classes = args.categories or ", ".join(train_set.class_names) or "n/a"
    perceptual = args.perceptual_card("the generated and the true photo")
    projected = args.projected_card("the photos")
    start = f"; G started from `{args.start_from}`, D from scratch" if args.start_from else ""
    augmented = "; the same zoom/rotation/shear on both sides, broader pens" if args.augment else ""
    framed = (f"; every sketch cropped to its strokes and centred at {args.sketch_extent:.0%} of the square"
              if args.sketch_extent else "")
    framed += (f"; in training, {args.drawn_fraction:.0%} of the sketches swapped for an XDoG drawing of the photo"
               if args.drawn_fraction else "")
    return f"""# pix2pix generator

Trained by `train/pix2pix.py` of this hub.

- Data: `{args.data}`: {len(train_set)} training pairs, {len(val_set)} held out (by a hash of the
  photo's name, {args.val_fraction:.0%}); categories: {classes}{framed}
- Steps: {step} at batch {args.batch_size}, {args.image_size} px (random crops of {args.load_size}{augmented});
  L1 alone for the first {args.l1_only_steps} steps{start}
- Hardware: {hardware}
- Losses: {args.gan_loss} GAN + {args.lambda_l1:g} x L1{perceptual}{projected}; Adam lr {args.lr:g}, betas ({args.beta1}, 0.999)

## Held-out metrics
On {metrics['images']} held-out pairs (photos never used in training), at {args.image_size} px:
mean absolute error per pixel in [0, 1] units, and PSNR.

| output | L1 | PSNR (dB) |
| --- | --- | --- |
| this generator | {metrics['l1']:.4f} | {metrics['psnr']:.2f} |
| the mean training photo (baseline) | {metrics['mean_l1']:.4f} | {metrics['mean_psnr']:.2f} |
| a blank white image (baseline) | {metrics['white_l1']:.4f} | {metrics['white_psnr']:.2f} |

## Training flags
```json
{__import__('json').dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
