#!/usr/bin/env bash
# The exact runs behind weights/colorizer, on the 2-core CPU with one thread (bf16 autocast):
# A = L1 with colour rebalancing, then GAN + L1 (45 min); B = A + plain L1 (9 min); shipped = mean of A and B.
# Usage: bash scripts/train_shipped_colorize.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/build_colour_data.py --landscapes "$shared/landscapes" \
  --sketchy-photos "$shared/sketchy/photos.zip" --dogs "$shared/dogs/dogs.zip" --out data/colour
common=(--data data/colour/train --val-data data/colour/test --image-size 128 --crops-per-photo 4 --depth 7
        --ngf 32 --max-mult 4 --ndf 32 --batch-size 16 --precision bf16 --num-workers 0
        --sample-every 1000 --save-every 100000)
launch=(accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1)
"${launch[@]}" train/colorize.py "${common[@]}" --out "$runs/colorize" --max-steps 7000 --pretrain-steps 5000 \
  --rebalance 0.5 --time-limit 63 > "$runs/colorize.log" 2>&1
cp -r "$runs/colorize" "$runs/colorize_l1"
"${launch[@]}" train/colorize.py "${common[@]}" --out "$runs/colorize_l1" --max-steps 9000 --pretrain-steps 100000 \
  --rebalance 0 --resume > "$runs/colorize_l1.log" 2>&1
python scripts/average_weights.py "$runs/colorize/colorizer" "$runs/colorize_l1/colorizer" --out "$runs/colorizer_shipped"
python scripts/old_photo_sheet.py --colorizer "$runs/colorizer_shipped" --photos "$shared/old-photos/images" \
  --count 16 --cell 200 --out "$runs/old_photos.png"
