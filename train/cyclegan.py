"""Train CycleGAN between two unpaired image domains (photo ↔ painting style).

    accelerate launch train/cyclegan.py --data datasets/vangogh2photo --out runs/vangogh \
        --domain-a photo --domain-b painting        # trainA/ = photos? see --data-a/--data-b
    accelerate launch train/cyclegan.py --data-a data/photos/train --data-b data/starry_night \
        --val-data data/photos/held_out --out runs/starry_night

LSGAN loss, cycle loss (lambda 10) and identity loss (0.5 lambda), a pool of 50 past fakes for
each discriminator, Adam 2e-4 (0.5, 0.999) with linear decay. The pair of generators is exported to
<out>/style in the hub's checkpoint format, with held-out reconstruction L1 in its model card.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import torch
from torch.utils.data import DataLoader

from core import registry
from core.checkpoint import load_checkpoint
from core.data import PhotoCrops, UnpairedCrops
from core.image_pool import ImagePool
from core.losses import GANLoss
from core.steps import cyclegan_step
from core.training import GANArgs, Trainer, adam_with_linear_decay, parse_args


@dataclass
class CycleGANArgs(GANArgs):
    """CycleGAN training flags (the paper's defaults, but ResNet-6 at 128 px crops)."""
    data_a: str = ""              # instead of --data DIR with trainA/ and trainB/
    data_b: str = ""
    val_data: str = ""            # held-out domain-A images for the model card
    domain_a: str = "photo"
    domain_b: str = "painting"
    description: str = ""         # one line for the tab's style list, e.g. "Van Gogh: 188 paintings"
    image_size: int = 128
    crops_per_photo: int = 20
    painting_zoom: float = 1.12   # domain-B crops from the whole image up to this zoom (2: a quarter)
    generator: str = "resnet"
    ngf: int = 64
    n_blocks: int = 6
    upsample: str = "transpose"   # resnet: "resize" (nearest ×2 + conv) draws no checkerboard mosaic
    depth: int = 7                # unet only
    gan_loss: str = "lsgan"
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5  # times lambda_cycle
    identity_hold_steps: int = 0  # identity weight doubled for these first steps: keeps colours while few paintings teach
    pool_size: int = 50
    lambda_tv: float = 0.0        # total variation of the paintings: a flat-fill prior (woodblock prints)
    edge_promoting: bool = False  # D_B also learns the paintings with softened edges as fakes: sharp outlines


@torch.no_grad()
def reconstruction_l1(model, folder, size, device) -> dict:
    """Mean |G_BA(G_AB(a)) - a| in [0, 1] units on held-out A images (centre crops at `size`)."""
    model.eval()
    dataset = PhotoCrops(folder, size, train=False)
    total = 0.0
    for item in DataLoader(dataset, batch_size=4):
        a = item["image"].to(device)
        total += (model.g_ba(model.g_ab(a)) - a).abs().mean(dim=(1, 2, 3)).sum().item() / 2
    model.train()
    return {"l1": total / len(dataset), "images": len(dataset)}


def main():
    args = parse_args(CycleGANArgs)
    if args.data:
        train_set = UnpairedCrops(args.data, image_size=args.image_size, crops_per_photo=args.crops_per_photo,
                                  max_zoom_b=args.painting_zoom)
    else:
        train_set = UnpairedCrops(root_a=args.data_a, root_b=args.data_b, image_size=args.image_size,
                                  crops_per_photo=args.crops_per_photo, max_zoom_b=args.painting_zoom)
    G = registry.build("cyclegan", generator=args.generator, ngf=args.ngf, n_blocks=args.n_blocks,
                       depth=args.depth, upsample=args.upsample, domain_a=args.domain_a, domain_b=args.domain_b)
    if args.start_from:  # e.g. a painter with few paintings starts from one with more
        G.load_state_dict(load_checkpoint(args.start_from).state_dict())
    D_A = registry.build("patchgan_discriminator", in_channels=3, ndf=args.ndf, n_layers=args.n_layers,
                         norm="instance")
    D_B = registry.build("patchgan_discriminator", in_channels=3, ndf=args.ndf, n_layers=args.n_layers,
                         norm="instance")
    models = {"G": G, "D_A": D_A, "D_B": D_B}
    optimizers, schedulers = adam_with_linear_decay(models, args)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    fixed = next(iter(DataLoader(PhotoCrops(args.val_data or train_set.a.files[0].parent, args.image_size * 2,
                                            train=False), batch_size=4)))["image"]
    gan_loss = GANLoss(args.gan_loss)
    pools = ImagePool(args.pool_size), ImagePool(args.pool_size)

    def samples():
        """Rows: held-out A images, translated to B, reconstructed back to A."""
        model = trainer.unwrap("G").eval()
        with torch.no_grad():
            a = fixed.to(trainer.device)
            fake = model.g_ab(a)
            rec = model.g_ba(fake)
        model.train()
        return [fixed, fake.cpu(), rec.cpu()]

    def card(name):
        metrics = reconstruction_l1(trainer.unwrap("G"), args.val_data, args.image_size * 2, trainer.device) \
            if args.val_data else None
        return model_card(args, train_set, metrics, trainer.step, trainer.hardware())

    trainer = Trainer(args, models=models, optimizers=optimizers, loader=loader, exports={"G": "style"},
                      sample_fn=samples, card_fn=card, schedulers=schedulers,
                      export_extras={"G": {"description": args.description}} if args.description else None)
    for batch in trainer:
        hold = 2.0 if trainer.step < args.identity_hold_steps else 1.0
        trainer.log(**cyclegan_step(trainer, batch["A"], batch["B"], gan_loss, pools, args.lambda_cycle,
                                    args.lambda_cycle * args.lambda_identity * hold, args.lambda_tv,
                                    args.edge_promoting))


def model_card(args, train_set, metrics, step, hardware) -> str:
    held_out = (f"Cycle reconstruction L1 ({args.domain_a} → {args.domain_b} → {args.domain_a}), in [0, 1] "
                f"units, on {metrics['images']} held-out {args.domain_a} images (`{args.val_data}`, centre "
                f"crops of {args.image_size * 2} px): **{metrics['l1']:.4f}**"
                if metrics else "No held-out folder was given (--val-data).")
    held = f" (doubled for the first {args.identity_hold_steps} steps)" if args.identity_hold_steps else ""
    tv = f", total variation of the paintings λ {args.lambda_tv:g}" if args.lambda_tv else ""
    tv += ", edge-promoting (softened-edge paintings shown to D as fakes)" if args.edge_promoting else ""
    start = f"\n- Generators initialised from `{args.start_from}` (fine-tuned)" if args.start_from else ""
    return f"""# CycleGAN style: {args.domain_a} ↔ {args.domain_b}

Trained by `train/cyclegan.py` of this hub.

- Data: {args.domain_a}: `{args.data_a or args.data + '/trainA'}` ({len(train_set.a.files)} images),
  {args.domain_b}: `{args.data_b or args.data + '/trainB'}` ({len(train_set.b.files)} images);
  random {args.image_size} px crops, flipped half the time; {args.domain_b} crops from the whole image
  up to {args.painting_zoom:g}× zoom
- Generators: {args.generator}, ngf {args.ngf}, {args.n_blocks} residual blocks, {args.upsample} upsampling;
  PatchGAN ndf {args.ndf}
- Steps: {step} at batch {args.batch_size}; {args.gan_loss} loss, cycle λ {args.lambda_cycle:g}, identity {args.lambda_identity:g}λ{held}{tv}, pool {args.pool_size}{start}
- Hardware: {hardware}

## Held-out metrics
{held_out}

## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
