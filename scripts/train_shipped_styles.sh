#!/usr/bin/env bash
# The exact runs behind weights/styles/vangogh and weights/styles/monet: on the 2-core CPU, side by
# side (one thread each), an hour each. Usage: bash scripts/train_shipped_styles.sh [RUNS_DIR]
# after: python scripts/build_style_data.py --out data/styles photos=../shared/data/landscapes \
#            vangogh=../shared/data/paintings/vangogh monet=../shared/data/paintings/monet
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs"
style() {  # name, painter, description, steps, minutes
  accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/cyclegan.py \
    --data-a data/styles/photos/train --data-b "data/styles/$1/train" --val-data data/styles/photos/test \
    --out "$runs/$1" --domain-a photo --domain-b "$2" --description "$3" \
    --ngf 24 --n-blocks 6 --ndf 32 --image-size 128 --max-steps "$4" --mixed-precision bf16 \
    --num-workers 0 --sample-every 500 --save-every 500 --time-limit "$5" > "$runs/$1.log" 2>&1
}
style vangogh "Van Gogh" "Van Gogh, from 188 of his paintings" 6000 62 &
style monet "Monet" "Monet, from 270 of his paintings" 5000 55 &   # started 24 minutes later
wait
