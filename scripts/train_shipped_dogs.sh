#!/usr/bin/env bash
# The exact run behind weights/dogs (on the 2-core CPU, 25 minutes at most).
# Usage: bash scripts/train_shipped_dogs.sh RUNS_DIR   (after scripts/build_dog_data.py)
# The shipped run used --ema 0.999 (then the default); its washed-out EMA export was replaced by the
# live G from RUNS_DIR/dogs/state, see weights/dogs/README.md. Today's default (--ema 0) exports G.
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs"
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/dcgan.py \
  --data data/dogs --out "$runs/dogs" --image-size 64 --ngf 32 --ndf 32 --max-steps 4000 \
  --num-workers 0 --sample-every 250 --save-every 500 --time-limit 25 > "$runs/dogs.log" 2>&1
