#!/usr/bin/env bash
# The README's training-speed table: every family's training step at fp32 and at bf16, pinned to
# one core (as ../shared/perf/compare-pix2pix measures the reference), one JSON object per line.
# Usage: bash bench/training_speed.sh [python] > speed.jsonl   (about 15 minutes on this CPU;
# SINGAN_IMAGE: the image for SinGAN at the reference architecture, by default the paper's balloons)
set -u
PY=${1:-python}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
run() { taskset -c 0 "$PY" "$@" | "$PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))'; }
for precision in fp32 bf16; do
  run bench/pix2pix.py --config paper --precision "$precision" --repeats 5
  run bench/pix2pix.py --config shipped --precision "$precision" --batch-size 4 --repeats 10
  run bench/colorize.py --precision "$precision" --repeats 5
  run bench/cyclegan.py --config paper --precision "$precision" --repeats 3
  run bench/cyclegan.py --config shipped --precision "$precision" --repeats 5
  run bench/dcgan.py --precision "$precision" --repeats 5
  run bench/singan.py --iterations-only --config reference --precision "$precision" --repeats 3 \
    --image "${SINGAN_IMAGE:-../shared/data/singan-paper/Images/balloons.png}" --max-size 250
  run bench/singan.py --iterations-only --config shipped --precision "$precision" --repeats 3
done
