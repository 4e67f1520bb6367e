#!/usr/bin/env bash
# The exact runs behind weights/sketch_classifier and weights/sketch2photo, on the 2-core CPU: the
# classifier's three schedules (one thread each), then the photo model (two threads).
# Usage: bash scripts/train_shipped_sketch.sh SKETCHY_DIR [RUNS_DIR]
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

# The photo model: the original project's four categories, 15% of their photos held out. Each photo's
# object is cut out onto white and framed at 90% of the square (GrabCut, needs opencv-python-headless),
# and every sketch is framed the same way (--sketch-extent 0.9); 30% of the training sketches are XDoG
# drawings of the cut-out photo; resize-convolution upsampling. 8,000 steps at 128 px (L1 alone for the
# first 2,000), two threads once the classifier is done.
python scripts/build_sketch_objects.py --sketchy "$data" --out "$data"_objects \
  --categories "car_(sedan),teapot,strawberry,teddy_bear" > "$runs/sketch_objects.log"
photo_model="--data ${data}_objects --categories car_(sedan),teapot,strawberry,teddy_bear --out $runs/sketch2photo
  --depth 7 --ngf 32 --max-mult 4 --ndf 32 --norm instance --batch-size 4 --augment --l1-only-steps 2000
  --val-fraction 0.15 --sketch-extent 0.9 --drawn-fraction 0.3 --upsample resize --precision bf16 --num-workers 0
  --sample-every 1000 --save-every 1000 --log-every 100"
# A second one-cycle schedule (5,000 steps, peak learning rate 1e-3) from the first.
wait $classifier
$launch train/classifier.py --data "$data" --out "$runs/sketch_classifier_2" --start-from "$runs/sketch_classifier/classifier" \
  --lr 1e-3 --max-steps 5000 --precision bf16 --num-workers 0 --log-every 100 --save-every 1000 \
  > "$runs/sketch_classifier_2.log" 2>&1
# The shipped classifier: a third (6,000 steps, peak 1e-3), the original four categories drawn 3× as often.
$launch train/classifier.py --data "$data" --out "$runs/sketch_classifier_3w" --start-from "$runs/sketch_classifier_2/classifier" \
  --lr 1e-3 --max-steps 6000 --seed-weight 3 --precision bf16 --num-workers 0 --log-every 100 --save-every 1000 \
  > "$runs/sketch_classifier_3w.log" 2>&1

# The shipped photo model (trained after the classifier, on both cores), then stored as int8.
accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/pix2pix.py $photo_model \
  --max-steps 8000 --image-size 128 --load-size 143 > "$runs/sketch2photo.log" 2>&1
python scripts/int8_checkpoint.py "$runs/sketch2photo/generator" --photos demos/examples/sketch
