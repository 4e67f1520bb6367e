#!/usr/bin/env bash
# The exact run behind weights/dogs: 45 minutes on the 2-core CPU (bf16 autocast), then the figures.
# Usage: bash scripts/train_shipped_dogs.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/build_dog_data.py --zip "$shared/dogs/dogs.zip" --out data/dogs --size 64 --test 1000
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 --mixed_precision bf16 train/dcgan.py \
  --data data/dogs/train --out "$runs/dogs64" --image-size 64 --ngf 64 --ndf 64 --batch-size 64 \
  --max-steps 6000 --time-limit 45 --mixed-precision bf16 --ema 0.999 --no-spectral-norm \
  --gan-loss vanilla --beta1 0.5 --diffaugment translation --num-workers 0 --sample-every 250 \
  --save-every 500 > "$runs/dogs64.log" 2>&1
python scripts/eval_dogs.py --generator "$runs/dogs64/generator" --data data/dogs \
  --sketchy-photos "$shared/sketchy/photos.zip" --out "$runs/dogs_eval"
