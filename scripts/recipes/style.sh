#!/usr/bin/env bash
# The exact run behind weights/styles/starry_night (on the 2-core CPU, about 45 minutes).
# Usage: bash scripts/recipes/style.sh RUNS_DIR   (after scripts/data/photos.py)
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs"
accelerate launch --cpu --num_processes 1 train/cyclegan.py --data-a data/photos/train \
  --data-b data/starry_night --val-data data/photos/held_out --out "$runs/starry_night" \
  --domain-a photo --domain-b "Starry Night" --ngf 24 --n-blocks 6 --ndf 32 --image-size 128 \
  --max-steps 4000 --num-workers 1 --sample-every 500 --save-every 1000 --time-limit 50 \
  > "$runs/starry_night.log" 2>&1
