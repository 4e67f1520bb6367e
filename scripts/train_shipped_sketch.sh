#!/usr/bin/env bash
# The exact runs behind weights/sketch2photo and weights/sketch_classifier (one GPU, in parallel).
# Usage: bash scripts/train_shipped_sketch.sh RUNS_DIR [generator|classifier]
# (after scripts/build_sketch_data.py). Both lines ran together on one H100; the classifier
# stopped at its time limit (data loading bound), see its model card.
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs"
[ "${2:-generator}" = classifier ] || accelerate launch --num_processes 1 train/pix2pix.py --data data/sketch_objects \
  --out "$runs/sketch2photo" --ngf 32 --norm instance --batch-size 16 --max-steps 12000 \
  --mixed-precision bf16 --num-workers 10 --sample-every 1000 --save-every 3000 --time-limit 8 \
  > "$runs/sketch2photo.log" 2>&1 &
[ "${2:-classifier}" = generator ] || accelerate launch --num_processes 1 train/classifier.py \
  --data data/sketch_objects --out "$runs/sketch_classifier" --batch-size 128 --max-steps 3000 \
  --mixed-precision bf16 --num-workers 5 --save-every 1000 --time-limit 8 > "$runs/sketch_classifier.log" 2>&1 &
wait
