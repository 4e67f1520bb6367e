#!/usr/bin/env bash
# Issue #36's next run on a lent GPU, in chunks of one device command each: FastGAN's lite generator
# (skip-layer excitation, as Projected GAN pairs with) from scratch against the projected
# discriminator on Lite0 at the paper's 224 px, beside a pixel one; bf16, batch 128.
#
# Here, first (the resume state, ~220 MB with Adam's moments, cannot come back; the generator can):
#   python scripts/device/carry.py features lite0 && python scripts/device/carry.py pack data/dogs/train .gpu/dogs --size 64
#   [to go on: cp the last chunk's returned config.json and model.safetensors into .gpu/start]
# There (run's carry: [".gpu"], timeout_s a minute over MINUTES):
#   bash scripts/device/dogs_fastgan.sh MINUTES
# Back here: the chunk's generator (int8), its card, samples and log are in the run's $OUT; score it
# with scripts/eval/dogs.py before it goes anywhere near weights/.
set -euo pipefail
minutes=${1:?minutes of training}
source scripts/device/setup.sh
python scripts/device/carry.py unpack .gpu/dogs data/dogs/train
start=()
[ -f .gpu/start/model.safetensors ] && start=(--start-from .gpu/start)
accelerate launch --num_processes 1 --mixed_precision no train/dcgan.py --data data/dogs/train \
  --out runs/dogs_fastgan --image-size 64 --generator fastgan --ngf 32 --z-dim 128 \
  --discriminator projected --pixel-discriminator --projected-backbone lite0 --projected-size 224 \
  --batch-size 128 --precision bf16 --lr 2e-4 --max-steps 100000 --ema 0.999 --ema-rampup 0.05 \
  --num-workers 8 --sample-every 1000 --save-every 1000000 --log-every 200 --time-limit "$minutes" \
  "${start[@]}" 2>&1 | log_lines > "$out/train.log"
python scripts/checkpoints/int8.py runs/dogs_fastgan/generator
cp runs/dogs_fastgan/generator/{config.json,model.safetensors,README.md} "$out/"
cp "$(ls -t runs/dogs_fastgan/samples/*.png | head -1)" "$out/samples.png" 2>/dev/null || true
