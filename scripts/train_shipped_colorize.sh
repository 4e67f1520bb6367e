#!/usr/bin/env bash
# The exact run behind weights/colorizer: 45 minutes at most on the 2-core CPU (bf16 autocast), L1 with
# colour rebalancing first, then GAN + L1. Usage: bash scripts/train_shipped_colorize.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/build_colour_data.py --landscapes "$shared/landscapes" \
  --sketchy-photos "$shared/sketchy/photos.zip" --dogs "$shared/dogs/dogs.zip" --out data/colour
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 --mixed_precision bf16 train/colorize.py \
  --data data/colour/train --val-data data/colour/test --out "$runs/colorize" --image-size 128 \
  --crops-per-photo 4 --depth 7 --ngf 32 --max-mult 4 --ndf 32 --batch-size 16 --max-steps 8000 \
  --pretrain-steps 6000 --rebalance 0.5 --mixed-precision bf16 --num-workers 0 --sample-every 1000 \
  --save-every 100000 --time-limit 45 > "$runs/colorize.log" 2>&1
python scripts/old_photo_sheet.py --colorizer "$runs/colorize/colorizer" \
  --photos "$shared/old-photos/images" --count 16 --out "$runs/colorize/old_photos.png"
