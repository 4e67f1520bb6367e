#!/usr/bin/env bash
# The exact runs behind weights/singan/* on the 2-core CPU, with train/singan.py's default flags
# (128 px, 400 iterations per scale). Evening glow and Starry Night ran side by side with one thread
# each (OMP_NUM_THREADS=1: two 2-thread runs on 2 cores slow each other down several times);
# the Hubble model is the one bench/singan.py trains, alone on the machine, for its timing.
# Usage: bash scripts/train_shipped_singan.sh RUNS_DIR   (after scripts/build_photo_data.py)
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs" weights/singan
train() {  # name, image, subject, source and licence
  python train/singan.py --image "$2" --out "$runs/singan_$1" --name "$3" --source "$4" > "$runs/singan_$1.log" 2>&1
  rm -rf "weights/singan/$1" && cp -r "$runs/singan_$1/singan" "weights/singan/$1"
}
export OMP_NUM_THREADS=1
train evening_glow data/photos/train/EveningGlow.jpg "Evening glow (landscape photo)" \
  "EveningGlow wallpaper from Debian plasma-workspace-wallpapers, LGPL-3" &
train starry_night data/starry_night/starry_night.jpg "The Starry Night (Van Gogh)" \
  "Van Gogh, The Starry Night (1889), public domain (opencv-doc sample data)" &
wait
unset OMP_NUM_THREADS
python bench/singan.py --image data/photos/train/hubble_deep_field.jpg --name "Hubble deep field (texture)" \
  --source "NASA/ESA Hubble eXtreme Deep Field, public domain (scikit-image data)" \
  --keep weights/singan/hubble --weights weights/singan/starry_night > "$runs/bench_singan.json"
