#!/usr/bin/env bash
# The exact run behind weights/dogs on the 2-core CPU (fp32), then the held-out figures.
# Usage: bash scripts/train_shipped_dogs.sh RUNS_DIR [SHARED_DATA_DIR]
#
# The shipped generator is the previous one (a DCGAN trained against a pixel discriminator for
# 15,735 steps: this script as of commit 15d3cbf) trained further against a projected
# discriminator on frozen ImageNet features (EfficientNet-Lite0) with a fresh pixel discriminator
# beside it (Vision-aided GAN's ensemble). The previous generator is also the baseline.
set -euo pipefail
mkdir -p .old_dogs && for f in config.json model.safetensors; do git show "15d3cbf:weights/dogs/$f" > ".old_dogs/$f"; done
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/build_dog_data.py --zip "$shared/dogs/dogs.zip" --out data/dogs --size 64 --test 1000
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/dcgan.py \
  --data data/dogs/train --out "$runs/dogs_vision_aided" --image-size 64 --ngf 64 --ndf 64 --no-spectral-norm \
  --start-from .old_dogs --discriminator projected --pixel-discriminator --backbone lite0 --projected-size 128 \
  --batch-size 32 --precision fp32 --lr 2e-4 --max-steps 1800 --decay-start 0.6 \
  --ema 0.999 --ema-rampup 0.05 --num-workers 0 --sample-every 100 --save-every 100 --log-every 25 \
  --time-limit 75 --resume > "$runs/dogs_vision_aided.log" 2>&1
generator="$runs/dogs_vision_aided/generator"
python scripts/int8_checkpoint.py "$generator"
# Truncation anchors picked in Lite0's features (never in the judge's, Lite2), then the figures in Lite2.
python scripts/pick_dog_anchors.py --generator "$generator" --data data/dogs --int8 --out "$generator"
python scripts/eval_dogs.py --generator "$generator" --baseline .old_dogs --data data/dogs --mode anchor \
  --truncations 0.3,0.5,1.0 --sheet-truncation 0.5 --out "$runs/dogs_eval"
