#!/usr/bin/env bash
# Issue #38's classifier on a lent GPU, one device command: EfficientNet-Lite (lite0 or lite1) fine-tuned
# from its ImageNet weights on all of Sketchy's sketches at a larger working size than the CPU allows,
# one one-cycle schedule, the same held-out photo ids and augmentations as scripts/recipes/sketch.sh.
#
# Here, first (the tracked tree is ~37 MiB of the 64 MiB that travel):
#   python scripts/device/carry.py features lite1 --bits 8            # ~5 MiB; lite0: 4.7 MiB
#   python scripts/device/carry.py pack data/sketchy/sketch .gpu/sketch --size 160 --bits 1   # 19.4 MiB
# There (run's carry: [".gpu"], timeout_s a minute or two over MINUTES):
#   bash scripts/device/sketch_classifier.sh MINUTES [lite0|lite1] [SIZE] [STEPS]
# STEPS sizes the schedule; if MINUTES stops it first, the export is only partly annealed: read the
# log's steps/s and size the next chunk, or go on from the returned export with --start-from and
# --average-from. Back here: scripts/eval/sketch.py on the original 256 px sketches, then the card.
set -euo pipefail
minutes=${1:?minutes of training}
variant=${2:-lite1}
size=${3:-160}
steps=${4:-6000}
source scripts/device/setup.sh
python scripts/device/carry.py unpack .gpu/sketch data/sketchy/sketch
accelerate launch --num_processes 1 --mixed_precision no train/classifier.py --data data/sketchy \
  --out runs/sketch_gpu --imagenet "$variant" --image-size "$size" --batch-size 256 --lr 2e-3 \
  --max-steps "$steps" --seed-weight 3 --precision bf16 --num-workers 8 --log-every 100 \
  --save-every 1000000 --time-limit "$minutes" 2>&1 | log_lines > "$out/train.log"
cp runs/sketch_gpu/classifier/{config.json,model.safetensors,README.md} "$out/"
