#!/usr/bin/env bash
# The exact runs behind weights/singan/*: the SinGAN paper's own training images (tamarott/SinGAN,
# MIT licence) at 160 px (the paper's 250 px needs a GPU: see bench/singan.py), train/singan.py's
# other defaults (400 iterations per scale, three scales learning together) in bf16, two runs side by
# side on the 2-core CPU with one thread each.
# Usage: bash scripts/recipes/singan.sh PAPER_DIR [RUNS_DIR]   (PAPER_DIR: the folder holding Images/)
set -euo pipefail
paper=${1:?the folder of the SinGAN paper's images (with Images/ inside)}
runs=${2:-runs}
mkdir -p "$runs" weights/singan
source="The SinGAN paper's training image (tamarott/SinGAN repository, MIT licence)"
train() {  # name, image file, what it shows
  accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/singan.py \
    --image "$paper/Images/$2" --out "$runs/paper_$1" --name "$3" --source "$source" --max-size 160 \
    --precision bf16 > "$runs/paper_$1.log" 2>&1
  rm -rf "weights/singan/$1" && cp -r "$runs/paper_$1/singan" "weights/singan/$1"
}
train tree tree.png "Tree (SinGAN paper)" & train balloons balloons.png "Balloons (SinGAN paper)" & wait
train starry_night starry_night.png "The Starry Night (SinGAN paper)" & train cows cows.png "Cows (SinGAN paper)" & wait
