"""The training-loop helper every train/ script shares.

It owns what is the same for every GAN family: command-line flags from a dataclass, Accelerate
(devices, DDP, mixed precision), the step loop with a tqdm bar, logging to trackers, sample grids,
pickle-free resumable training state, and exported checkpoints in the hub's format. The script
keeps what differs: its data, models and samples; its family's step function is in core.steps.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from safetensors.torch import load_file, save_file
from torch import nn
from torchvision.utils import save_image
from tqdm.auto import tqdm

from core.checkpoint import save_checkpoint


PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}  # --precision → autocast dtype


@dataclass
class TrainArgs:
    """Flags shared by every train script; each script subclasses this with its own."""
    data: str = ""
    out: str = "runs/model"
    max_steps: int = 10_000
    batch_size: int = 1
    lr: float = 2e-4
    precision: str = "fp32"       # "fp32", "bf16" (autocast; pays on AVX-512 BF16 CPUs and GPUs) or "fp16"
    seed: int = 0
    num_workers: int = 2
    log_every: int = 50
    sample_every: int = 500
    save_every: int = 1000
    resume: bool = False          # continue from <out>/state if it exists
    tracker: str = ""             # "tensorboard" (or any tracker Accelerate knows)
    time_limit: float = 0.0       # minutes; stop (and save) early once exceeded, 0 = no limit


@dataclass
class GANArgs(TrainArgs):
    """Flags shared by the GAN scripts: the PatchGAN, the GAN loss, Adam and its schedule, a start."""
    ndf: int = 64
    n_layers: int = 3
    gan_loss: str = "vanilla"     # "vanilla", "lsgan" or "hinge"
    beta1: float = 0.5
    decay_start: float = 0.5      # the learning rate decays linearly to 0 from this fraction on
    start_from: str = ""          # an exported generator that this run's G starts from (its discriminators afresh)


@dataclass
class PerceptualArgs:
    """The perceptual-loss flags that the paired scripts (pix2pix, the colouriser) share."""
    perceptual: str = ""          # "lite0"/"lite1": a perceptual loss in that ImageNet network's features
    lambda_perceptual: float = 3.0
    semantic: float = 0.0         # --perceptual: weight of the class-distribution KL inside it (0: features only)
    semantic_networks: str = ""   # --semantic: that KL averaged over these networks, e.g. "lite0,lite1" ("": --perceptual's)

    def semantic_names(self) -> tuple[str, ...]:
        """--semantic-networks as names (empty: the perceptual network's own classes)."""
        return tuple(name for name in self.semantic_networks.split(",") if name)

    def perceptual_loss(self, device):
        """core.losses.PerceptualLoss as these flags ask, on `device`, or None."""
        from core.losses import PerceptualLoss
        if not self.perceptual:
            if self.semantic or self.semantic_networks:  # else silently trained without the term asked for
                raise ValueError("--semantic and --semantic-networks are terms of the perceptual loss: "
                                 "they need --perceptual (lite0 or lite1)")
            return None
        return PerceptualLoss(self.perceptual, semantic=self.semantic, semantic_networks=self.semantic_names()).to(device)

    def perceptual_record(self) -> str:
        """The loss in a few words, for the exported checkpoint's extras ("" without --perceptual)."""
        if not self.perceptual:
            return ""
        names = self.semantic_names()
        networks = f" in {'+'.join(names)}" if names else ""
        return f"{self.lambda_perceptual:g} x {self.perceptual}" + (f", semantic {self.semantic:g}{networks}" if self.semantic else "")

    def perceptual_card(self, pair: str) -> str:
        """The loss term for a model card's list of losses ("" without --perceptual)."""
        if not self.perceptual:
            return ""
        networks = " and ".join(f"EfficientNet-{name.title()}" for name in self.semantic_names())
        whose = f"the mean over {networks} of the KL divergence between their" if networks else "the KL divergence between its"
        semantic = f", plus {self.semantic:g} x {whose} ImageNet class distributions of the two" if self.semantic else ""
        return (f" + {self.lambda_perceptual:g} x perceptual (L1 in ImageNet EfficientNet-{self.perceptual.title()} "
                f"features at strides 4-32 of {pair}{semantic})")


@dataclass
class ProjectedArgs:
    """The flags of a projected discriminator beside or instead of the PatchGAN (pix2pix, the colouriser)."""
    projected: str = ""           # "lite0"/"lite1": a projected discriminator on that network's frozen features
    projected_size: int = 128     # projected: photos are resized to this for the frozen network
    lambda_projected: float = 1.0
    diffaugment: str = "colour,translation,cutout"  # projected: what both its real and fake photos go through

    def projected_discriminator(self):
        """(trainable heads, frozen FeatureProjector) as these flags ask, or (None, None)."""
        if not self.projected:
            return None, None
        from core import registry
        from core.models.projected import FeatureProjector
        heads = registry.build("projected_discriminator", backbone=self.projected, input_size=self.projected_size)
        return heads, FeatureProjector(heads.config)

    def projected_record(self) -> str:
        """The term in a few words, for the exported checkpoint's extras ("" without --projected)."""
        return self.projected and f"{self.lambda_projected:g} x {self.projected} at {self.projected_size} px"

    def projected_card(self, what: str) -> str:
        """The term for a model card's list of losses ("" without --projected)."""
        return (f" + {self.lambda_projected:g} x GAN of a projected discriminator on {what} (frozen ImageNet "
                f"EfficientNet-{self.projected.title()} at {self.projected_size} px, DiffAugment {self.diffaugment})"
                if self.projected else "")


def adam(params, lr: float, beta1: float = 0.5) -> torch.optim.Adam:
    """Adam (beta2 0.999) with PyTorch's fused kernel: one pass over the weights, not several. On
    one CPU core it took the paper U-Net's optimizer step from 270 ms (the default loop) to 60 ms."""
    return torch.optim.Adam(params, lr=lr, betas=(beta1, 0.999), fused=True)


def adam_with_linear_decay(models: dict[str, nn.Module], args: GANArgs, param_groups: dict | None = None):
    """pix2pix/CycleGAN optimisation: Adam(lr, (beta1, 0.999)) per model, the learning rate
    constant until decay_start * max_steps, then linear to 0. `param_groups` replaces a model's
    parameters by Adam's groups (e.g. a pretrained encoder at a lower rate, or left out while frozen).
    Returns (optimizers, schedulers)."""
    decay_from = int(args.max_steps * args.decay_start)
    param_groups = param_groups or {}

    def factor(step):
        return min(1.0, (args.max_steps - step) / max(1, args.max_steps - decay_from))

    optimizers = {name: adam(param_groups.get(name, model.parameters()), args.lr, args.beta1)
                  for name, model in models.items()}
    schedulers = {name: torch.optim.lr_scheduler.LambdaLR(opt, factor) for name, opt in optimizers.items()}
    return optimizers, schedulers


@torch.no_grad()
def update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    """ema ← decay·ema + (1 − decay)·model for parameters; buffers (BN statistics) are copied."""
    for shadow, current in zip(ema.parameters(), model.parameters()):
        shadow.lerp_(current.detach(), 1 - decay)
    for shadow, current in zip(ema.buffers(), model.buffers()):
        shadow.copy_(current)


@contextmanager
def frozen(module: nn.Module):
    """No gradients into `module`'s weights inside the block (still into its input): the generator
    update needs D's input gradient only, and computing D's weight gradients there is wasted work."""
    flags = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(False)
    try:
        yield module
    finally:
        for p, flag in zip(module.parameters(), flags):
            p.requires_grad_(flag)


def parse_args(args_class: type, argv: list[str] | None = None):
    """argparse built from a dataclass: --max-steps and --max_steps both set max_steps. Seeds every
    random generator with --seed, so the models a script builds next start from the same weights."""
    parser = argparse.ArgumentParser(description=(args_class.__doc__ or "").strip())
    for field in dataclasses.fields(args_class):
        flags = sorted({f"--{field.name.replace('_', '-')}", f"--{field.name}"})
        default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
        if field.type in ("bool", bool):
            parser.add_argument(*flags, dest=field.name, action=argparse.BooleanOptionalAction,
                                default=default)
        else:
            kind = {"int": int, "float": float, "str": str}.get(str(field.type), str)
            parser.add_argument(*flags, dest=field.name, type=kind, default=default)
    args = args_class(**vars(parser.parse_args(argv)))
    set_seed(args.seed)
    return args


def _optimizer_to_safetensors(prefix: str, optimizer: torch.optim.Optimizer):
    """Split an optimizer's state into tensors (for safetensors) and JSON-able values."""
    state = optimizer.state_dict()
    tensors, plain = {}, {"param_groups": state["param_groups"], "values": {}}
    for index, values in state["state"].items():
        for key, value in values.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                plain["values"][f"{index}.{key}"] = value
    return tensors, plain


def _optimizer_from_safetensors(prefix: str, optimizer, tensors: dict, plain: dict):
    state: dict = defaultdict(dict)
    for name, tensor in tensors.items():
        if name.startswith(prefix + "."):
            index, key = name[len(prefix) + 1:].split(".", 1)
            state[int(index)][key] = tensor
    for name, value in plain["values"].items():
        index, key = name.split(".", 1)
        state[int(index)][key] = value
    optimizer.load_state_dict({"state": dict(state), "param_groups": plain["param_groups"]})


class Trainer:
    """Runs the step loop around a script's `step` body.

        trainer = Trainer(args, models={"G": G, "D": D}, optimizers={...}, loader=loader,
                          exports={"G": "generator"})
        for batch in trainer:          # stops at --max-steps; saves, samples and resumes itself
            trainer.log(**conditional_gan_step(trainer, batch["A"], batch["B"], ...))  # core.steps
    """

    def __init__(self, args: TrainArgs, models: dict[str, nn.Module],
                 optimizers: dict[str, torch.optim.Optimizer], loader,
                 exports: dict[str, str] | None = None,
                 sample_fn: Callable[[], list[torch.Tensor]] | None = None,
                 card_fn: Callable[[str], str] | None = None,
                 schedulers: dict | None = None, keep: dict[str, nn.Module] | None = None,
                 before_export: Callable[[str], None] | None = None,
                 export_extras: dict[str, dict] | None = None):
        self.args = args
        self.out = Path(args.out)
        # Several processes and no CUDA (`accelerate launch --multi_gpu --num_processes N` on a
        # CPU machine): Accelerate only picks CPU data parallelism (gloo) when told cpu=True.
        several = int(os.environ.get("WORLD_SIZE", "1")) > 1
        if args.precision not in PRECISIONS:
            raise SystemExit(f"--precision {args.precision!r}: use {', '.join(PRECISIONS)}.")
        self.accelerator = Accelerator(mixed_precision="no" if args.precision == "fp32" else args.precision,
                                       cpu=several and not torch.cuda.is_available(),
                                       log_with=args.tracker or None, project_dir=str(self.out))
        set_seed(args.seed, device_specific=True)
        names = list(models)
        prepared = self.accelerator.prepare(*models.values(), *optimizers.values(), loader)
        self.models = dict(zip(names, prepared[:len(names)]))
        self.optimizers = dict(zip(optimizers, prepared[len(names):-1]))
        self.loader = prepared[-1]
        if len(self.loader) == 0:
            raise SystemExit(f"{len(loader.dataset)} training items give no full batch of {args.batch_size} "
                             f"per process: lower --batch-size.")
        self.schedulers = schedulers or {}
        # Modules trained by hand (e.g. an EMA copy of G): saved, resumed and exportable, not prepared.
        self.kept = {name: module.to(self.accelerator.device) for name, module in (keep or {}).items()}
        self.exports = exports or {}
        self.export_extras = export_extras or {}  # e.g. the categories a generator was trained on
        self.sample_fn = sample_fn
        self.card_fn = card_fn
        self.before_export = before_export  # e.g. recompute an EMA copy's batch-norm statistics
        self.step = 0
        self.replicas_identical: bool | None = None  # checked when training ends
        self._sums: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)
        self.started = time.time()
        if self.is_main:
            self.out.mkdir(parents=True, exist_ok=True)
        if args.tracker:
            self.accelerator.init_trackers(self.out.name, config=dataclasses.asdict(args))
        if args.resume and (self.out / "state").is_dir():
            self.load_state()

    @property
    def is_main(self) -> bool:
        return self.accelerator.is_main_process

    @property
    def device(self):
        return self.accelerator.device

    def unwrap(self, name: str) -> nn.Module:
        if name in self.kept:
            return self.kept[name]
        return self.accelerator.unwrap_model(self.models[name])

    def backward(self, loss: torch.Tensor):
        self.accelerator.backward(loss)

    def autocast(self):
        """The --precision autocast context (a no-op for fp32)."""
        return self.accelerator.autocast()

    def log(self, **values: float | torch.Tensor):
        """Accumulate losses; tensors stay on the device until the --log-every mean is taken."""
        for key, value in values.items():
            self._sums[key] = self._sums[key] + (value.detach().float() if torch.is_tensor(value) else value)
            self._counts[key] += 1

    def __iter__(self):
        bar = tqdm(total=self.args.max_steps, initial=self.step, disable=not self.is_main,
                   desc=self.out.name, dynamic_ncols=True)
        while self.step < self.args.max_steps and not self._out_of_time():
            for batch in self.loader:
                if self.step >= self.args.max_steps or self._out_of_time():
                    break
                yield batch
                self.step += 1
                bar.update(1)
                for scheduler in self.schedulers.values():
                    scheduler.step()
                self._after_step(bar)
        bar.close()
        self.replicas_identical = self._replicas_identical()
        self.save()
        self.accelerator.end_training()

    def _replicas_identical(self) -> bool:
        """True when every process holds the same weights (DDP must keep them so)."""
        fingerprint = torch.stack([torch.stack([p.detach().double().sum(), p.detach().double().square().sum()])
                                   for name in self.models for p in self.unwrap(name).parameters()])
        gathered = self.accelerator.gather(fingerprint.to(self.device)[None])
        identical = bool((gathered == gathered[0]).all())
        if not identical:
            self.accelerator.print("Warning: the processes ended with different weights.")
        return identical

    def _out_of_time(self) -> bool:
        """Every process must agree, or one would wait forever for the others. One process alone
        asks the clock only: a round trip to the GPU each step would drain its queue of work."""
        if not self.args.time_limit:
            return False
        late = time.time() - self.started > 60 * self.args.time_limit
        if self.accelerator.num_processes == 1:
            return late
        return bool(self.accelerator.reduce(torch.tensor(float(late), device=self.device), reduction="sum") > 0)

    def _after_step(self, bar):
        a = self.args
        if self.step % a.log_every == 0 and self._counts:
            means = {k: float(self._sums[k]) / self._counts[k] for k in self._sums}
            bar.set_postfix({k: f"{v:.3g}" for k, v in means.items()})
            self.accelerator.log(means, step=self.step)
            self._sums.clear()
            self._counts.clear()
        if self.sample_fn and self.step % a.sample_every == 0:
            self.save_samples()
        if self.step % a.save_every == 0 and self.step < a.max_steps:
            self.save(export=False)

    def save_samples(self):
        """A grid of the script's sample tensors ([-1, 1]), one row per call of sample_fn."""
        if not self.is_main:
            return
        rows = self.sample_fn()
        grid = torch.cat([row.float().cpu() for row in rows], dim=0)
        path = self.out / "samples" / f"step_{self.step:07d}.png"
        path.parent.mkdir(exist_ok=True)
        save_image((grid + 1) / 2, path, nrow=len(rows[0]) if rows else 1)

    def save(self, export: bool = True):
        """Training state (for --resume) and, at the end, exported checkpoints, each written
        atomically. Exports wait for the end: their model cards measure held-out data, which can
        cost minutes (--resume on a finished run exports again)."""
        self.accelerator.wait_for_everyone()
        if self.is_main:
            self._save_state()
            for name, folder in self.exports.items() if export else ():
                if self.before_export:
                    self.before_export(name)
                card = self.card_fn(name) if self.card_fn else ""
                save_checkpoint(self.out / folder, self.unwrap(name), card=card, dtype=torch.float16,
                                extra=self.export_extras.get(name))
        self.accelerator.wait_for_everyone()

    def _save_state(self):
        tensors, plain = {}, {"step": self.step, "optimizers": {}, "schedulers": {},
                              "args": dataclasses.asdict(self.args),
                              "processes": self.accelerator.num_processes,
                              "replicas_identical": self.replicas_identical}
        for name in [*self.models, *self.kept]:
            for key, value in self.unwrap(name).state_dict().items():
                tensors[f"model.{name}.{key}"] = value.detach().cpu().contiguous()
        for name, optimizer in self.optimizers.items():
            optimizer_tensors, plain["optimizers"][name] = _optimizer_to_safetensors(
                f"optim.{name}", optimizer)
            tensors.update(optimizer_tensors)
        for name, scheduler in self.schedulers.items():
            plain["schedulers"][name] = scheduler.state_dict()
        if self.accelerator.scaler is not None:
            plain["scaler"] = self.accelerator.scaler.state_dict()
        final = self.out / "state"
        tmp = Path(tempfile.mkdtemp(prefix=".state.", dir=self.out))
        save_file(tensors, tmp / "state.safetensors")
        (tmp / "state.json").write_text(json.dumps(plain, indent=1, default=str))
        old = self.out / ".state.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)

    def load_state(self):
        folder = self.out / "state"
        tensors = load_file(folder / "state.safetensors")
        plain = json.loads((folder / "state.json").read_text())
        for name in [*self.models, *self.kept]:
            prefix = f"model.{name}."
            self.unwrap(name).load_state_dict(
                {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)})
        for name, optimizer in self.optimizers.items():
            _optimizer_from_safetensors(f"optim.{name}", optimizer, tensors,
                                        plain["optimizers"][name])
        for name, scheduler in self.schedulers.items():
            scheduler.load_state_dict(plain["schedulers"][name])
        if "scaler" in plain and self.accelerator.scaler is not None:
            self.accelerator.scaler.load_state_dict(plain["scaler"])
        self.step = plain["step"]
        set_seed(self.args.seed + self.step, device_specific=True)  # fresh data order after resume
        self.accelerator.print(f"Resumed from {folder} at step {self.step}.")

    def hardware(self) -> str:
        """A line for model cards: where and how this run trained."""
        if self.device.type == "cuda":
            where = torch.cuda.get_device_name(self.device)
        else:
            where = f"CPU ({os.cpu_count()} cores, {platform.machine()})"
        return (f"{self.accelerator.num_processes} process(es) on {where}, "
                f"precision {self.args.precision}, "
                f"{(time.time() - self.started) / 60:.1f} min for this run")
