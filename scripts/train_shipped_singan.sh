#!/usr/bin/env bash
# The exact runs behind weights/singan/* on the 2-core CPU, with train/singan.py's default flags
# (128 px, 400 iterations per scale). Evening glow ran first with both cores; the other two then
# ran side by side with one thread each (OMP_NUM_THREADS=1), which uses 2 cores better than
# two 2-thread runs fighting over them.
# Usage: bash scripts/train_shipped_singan.sh RUNS_DIR   (after scripts/build_photo_data.py)
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs" weights/singan
train() {  # name, image, subject
  python train/singan.py --image "$2" --out "$runs/singan_$1" --name "$3" > "$runs/singan_$1.log" 2>&1
  rm -rf "weights/singan/$1" && cp -r "$runs/singan_$1/singan" "weights/singan/$1"
}
train evening_glow data/photos/train/EveningGlow.jpg "Evening glow (landscape photo)"
export OMP_NUM_THREADS=1
train starry_night data/starry_night/starry_night.jpg "The Starry Night (Van Gogh)" &
train hubble data/photos/train/hubble_deep_field.jpg "Hubble deep field (texture)" &
wait
