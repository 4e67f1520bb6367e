#!/usr/bin/env bash
# The exact runs behind weights/dogs, then the held-out figures.
# Usage: bash scripts/recipes/dogs.sh RUNS_DIR [SHARED_DATA_DIR]   (stages 2 to 4 want a GPU)
#
# Stage 1 (the 2-core CPU, fp32): the generator of commit 15d3cbf (a DCGAN trained against a pixel
# discriminator for 15,735 steps) trained further against a projected discriminator on frozen
# ImageNet features (EfficientNet-Lite0, photos seen at 128 px) with a fresh pixel discriminator
# beside it (Vision-aided GAN's ensemble): 2,434 steps of 32 over two sessions (max-steps 4000).
# Stages 2 and 3 (one H200, bf16): the same discriminators afresh, photos seen at the paper's 224 px,
# batch 128: 3,775 steps at a constant rate, then from that export 1,944 more with the rate decaying
# from step 900 of 3,000 (both runs stopped by their time limits, 7.2 and 3.2 minutes).
# Stage 4 (one H200, bf16, another session): from stage 3's int8 export (as shipped then), the same
# recipe for 2,547 steps, the rate decaying from step 840 of 2,800 (stopped by its 7.2-minute limit,
# beside two other runs: the same generator widened to ngf 88, at batch 128 and 256; not shipped).
# On the GPU the generator started from int8 copies of the exports and the photos travelled as one
# JPEG (quality 87), to fit the device's 64 MiB transfer.
set -euo pipefail
mkdir -p .old_dogs .shipped_dogs && for f in config.json model.safetensors; do
  git show "15d3cbf:weights/dogs/$f" > ".old_dogs/$f"; git show "70cc245:weights/dogs/$f" > ".shipped_dogs/$f"; done  # the previous shipped generator (stage 3)
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/data/dogs.py --zip "$shared/dogs/dogs.zip" --out data/dogs --size 64 --test 1000
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/dcgan.py \
  --data data/dogs/train --out "$runs/dogs_vision_aided" --image-size 64 --ngf 64 --ndf 64 --no-spectral-norm \
  --start-from .old_dogs --discriminator projected --pixel-discriminator --projected-backbone lite0 --projected-size 128 \
  --batch-size 32 --precision fp32 --lr 2e-4 --max-steps 4000 --decay-start 0.6 \
  --ema 0.999 --ema-rampup 0.05 --num-workers 0 --sample-every 100 --save-every 100 --log-every 25 \
  --time-limit 75 --resume > "$runs/dogs_vision_aided.log" 2>&1  # stopped at step 2,434
gpu="accelerate launch --num_processes 1 train/dcgan.py --data data/dogs/train --image-size 64 --ngf 64 --ndf 64
  --no-spectral-norm --discriminator projected --pixel-discriminator --projected-backbone lite0 --projected-size 224
  --batch-size 128 --precision bf16 --lr 2e-4 --ema 0.999 --ema-rampup 0.05 --num-workers 3 --sample-every 500
  --save-every 1000000 --log-every 100"
$gpu --start-from "$runs/dogs_vision_aided/generator" --out "$runs/dogs_224" --max-steps 3775 --decay-start 1.0 \
  > "$runs/dogs_224.log" 2>&1
$gpu --start-from "$runs/dogs_224/generator" --out "$runs/dogs_224_decay" --max-steps 3000 --decay-start 0.3 \
  --time-limit 3.2 > "$runs/dogs_224_decay.log" 2>&1
python scripts/checkpoints/int8.py "$runs/dogs_224_decay/generator"
$gpu --start-from "$runs/dogs_224_decay/generator" --out "$runs/dogs_stage4" --max-steps 2800 --decay-start 0.3 \
  --time-limit 7.2 > "$runs/dogs_stage4.log" 2>&1
generator="$runs/dogs_stage4/generator"
python scripts/checkpoints/int8.py "$generator"
# Truncation anchors picked in Lite0's features (never in the judge's, Lite2), then the figures in Lite2.
python scripts/checkpoints/dog_anchors.py --generator "$generator" --data data/dogs --int8 --out "$generator"
python scripts/eval/dogs.py --generator "$generator" --baseline .shipped_dogs --data data/dogs --mode anchor \
  --truncations 0.3,0.5,1.0 --sheet-truncation 0.5 --out "$runs/dogs_eval"
