#!/usr/bin/env bash
# Does bf16 autocast train as well as fp32? The shipped sketch → photo recipe, shortened to 1,000
# steps (L1 alone for 500), trained at each precision side by side (one thread each) on the same
# split and seed; prints each run's held-out L1 / PSNR (from its model card) and wall time.
# Usage: bash scripts/recipes/compare_precision.sh [SKETCHY_DIR] [RUNS_DIR] [SEED]
set -euo pipefail
data=${1:-data/sketchy}; runs=${2:-runs}; seed=${3:-0}
flags="--data $data --categories car_(sedan),teapot,strawberry,teddy_bear --depth 7 --ngf 32 --max-mult 4
  --ndf 32 --norm instance --batch-size 4 --augment --l1-only-steps 500 --val-fraction 0.15 --num-workers 0
  --image-size 128 --load-size 143 --max-steps 1000 --sample-every 500 --save-every 500 --seed $seed"
for precision in fp32 bf16; do
  out="$runs/precision_${precision}_seed$seed"
  ( start=$(date +%s)
    accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/pix2pix.py $flags \
      --precision "$precision" --out "$out" > "$out.log" 2>&1
    echo "$precision seed $seed: $(( $(date +%s) - start )) s, held-out $(grep '^| this generator' "$out/generator/README.md")" ) &
done
wait
