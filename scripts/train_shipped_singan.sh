#!/usr/bin/env bash
# The exact runs behind weights/singan/*, one after another on the 2-core CPU with train/singan.py's
# default flags (128 px, 400 iterations per scale; 200 for the Hubble texture, see its card). The painting and
# the texture were trained before scale 0's zero padding became the default, hence --coarsest-padding reflect.
# Usage: bash scripts/train_shipped_singan.sh RUNS_DIR   (after scripts/build_photo_data.py)
set -euo pipefail
runs=${1:-runs}
mkdir -p "$runs" weights/singan
train() {  # name, image, subject, source and licence, more flags
  python train/singan.py --image "$2" --out "$runs/singan_$1" --name "$3" --source "$4" "${@:5}" > "$runs/singan_$1.log" 2>&1
  rm -rf "weights/singan/$1" && cp -r "$runs/singan_$1/singan" "weights/singan/$1"
}
train evening_glow data/photos/train/EveningGlow.jpg "Evening glow (landscape photo)" \
  "EveningGlow wallpaper from Debian plasma-workspace-wallpapers, LGPL-3"
train starry_night data/starry_night/starry_night.jpg "The Starry Night (Van Gogh)" \
  "Van Gogh, The Starry Night (1889), public domain (opencv-doc sample data)" --coarsest-padding reflect
train hubble data/photos/train/hubble_deep_field.jpg "Hubble deep field (texture)" \
  "NASA/ESA Hubble eXtreme Deep Field, public domain (scikit-image data)" --max-steps 200 --coarsest-padding reflect
