#!/usr/bin/env bash
# The exact run behind weights/colorizer (one GPU). Usage: bash scripts/train_shipped_colorize.sh RUNS_DIR
# (after scripts/build_photo_data.py)
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs"
accelerate launch --num_processes 1 train/colorize.py --data data/photos/train \
  --val-data data/photos/held_out --out "$runs/colorize" --batch-size 16 --max-steps 6000 \
  --pretrain-steps 2000 --mixed-precision bf16 --num-workers 8 --sample-every 1000 \
  --save-every 2000 --time-limit 4.5 > "$runs/colorize.log" 2>&1
