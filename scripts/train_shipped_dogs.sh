#!/usr/bin/env bash
# The exact run behind weights/dogs on the 2-core CPU (bf16 autocast), then the held-out figures.
# Usage: bash scripts/train_shipped_dogs.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
# The baseline is the previous shipped model (21 open images): git show 0b129fd:weights/dogs/...
mkdir -p .old_dogs && for f in config.json model.safetensors; do git show "0b129fd:weights/dogs/$f" > ".old_dogs/$f"; done
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/build_dog_data.py --zip "$shared/dogs/dogs.zip" --out data/dogs --size 64 --test 1000
flags=(--data data/dogs/train --out "$runs/dogs64" --image-size 64 --ngf 64 --ndf 64 --batch-size 64
       --precision bf16 --ema 0.999 --no-spectral-norm --gan-loss vanilla --beta1 0.5
       --diffaugment translation --num-workers 0 --sample-every 500 --save-every 500)
# 45 minutes with both cores (3,792 steps), then 63 + 62 + 3 more with one core beside another run
# (to 7,627, 11,351 and 11,500), then 40 with both cores while the learning rate decays (to 15,735:
# the shipped export, stored as int8).
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/dcgan.py \
  "${flags[@]}" --max-steps 6000 --time-limit 45 > "$runs/dogs64.log" 2>&1
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/dcgan.py \
  "${flags[@]}" --max-steps 20000 --time-limit 63 --resume > "$runs/dogs64_part2.log" 2>&1
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/dcgan.py \
  "${flags[@]}" --max-steps 20000 --time-limit 62 --resume > "$runs/dogs64_part3.log" 2>&1
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/dcgan.py \
  "${flags[@]}" --max-steps 11500 --resume > "$runs/dogs64_part4.log" 2>&1
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/dcgan.py \
  "${flags[@]}" --max-steps 16000 --decay-start 0.72 --time-limit 40 --resume > "$runs/dogs64_part5.log" 2>&1
python scripts/eval_dogs.py --generator "$runs/dogs64/generator" --baseline "$(git rev-parse --show-toplevel)/.old_dogs" --data data/dogs \
  --sketchy-photos "$shared/sketchy/photos.zip" --out "$runs/dogs_eval"
python scripts/int8_checkpoint.py "$runs/dogs64/generator"   # after the figures, which are the fp16 weights
# Truncation anchors for the int8 weights (2 min), then the figures of anchor truncation and the card's sheets.
python scripts/pick_dog_anchors.py --generator "$runs/dogs64/generator" --data data/dogs --int8 --out "$runs/dogs64/generator"
python scripts/eval_dogs.py --generator "$runs/dogs64/generator" --baseline "$(git rev-parse --show-toplevel)/.old_dogs" \
  --data data/dogs --mode anchor --sheet-truncation 0.5 --out "$runs/dogs_eval_anchor"
