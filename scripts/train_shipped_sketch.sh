#!/usr/bin/env bash
# The exact runs behind weights/sketch_classifier and weights/sketch2photo, on the 2-core CPU, side by
# side (one thread each). Usage: bash scripts/train_shipped_sketch.sh SKETCHY_DIR [RUNS_DIR]
# SKETCHY_DIR holds sketch/<category>/*.png and photo/<category>/*.jpg (unzip ../shared/data/sketchy/*.zip
# into it; the full database's sketch/tx_000000000000/... layout works as well).
set -euo pipefail
data=$1
runs=${2:-runs}
mkdir -p "$runs"
launch="accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1"

# The classifier: 125 categories, 5% of the photo ids held out, 5,000 steps of 128 at 112 px.
$launch train/classifier.py --data "$data" --out "$runs/sketch_classifier" --max-steps 5000 \
  --precision bf16 --num-workers 0 --log-every 100 --save-every 1000 > "$runs/sketch_classifier.log" 2>&1 &
classifier=$!

# The photo model: the original project's four categories, 15% of their photos held out.
# 12,500 steps at 128 px (L1 alone for the first 2,000). The shipped generator is this run's export;
# a fine-tune at 256 px (--resume --image-size 256 --load-size 286 --max-steps 15000) was tried and
# not shipped (streaks and colour casts: see its model card).
photo_model="--data $data --categories car_(sedan),teapot,strawberry,teddy_bear --out $runs/sketch2photo
  --depth 7 --ngf 32 --max-mult 4 --ndf 32 --norm instance --batch-size 4 --augment --l1-only-steps 2000
  --val-fraction 0.15 --precision bf16 --num-workers 0 --sample-every 1000 --save-every 1000 --log-every 100"
$launch train/pix2pix.py $photo_model --max-steps 12500 --image-size 128 --load-size 143 > "$runs/sketch2photo.log" 2>&1
# The shipped classifier: a second one-cycle schedule (5,000 steps, peak learning rate 1e-3) from the first.
wait $classifier
$launch train/classifier.py --data "$data" --out "$runs/sketch_classifier_2" --start-from "$runs/sketch_classifier/classifier" \
  --lr 1e-3 --max-steps 5000 --precision bf16 --num-workers 0 --log-every 100 --save-every 1000 \
  > "$runs/sketch_classifier_2.log" 2>&1
