#!/usr/bin/env bash
# The exact runs behind weights/styles/{vangogh,monet,cezanne,ukiyoe}: on the 2-core CPU, two at a
# time side by side (one thread each), an hour or more each. The second pair starts from the first's
# shipped weights: Cézanne fine-tunes the Monet style, Ukiyo-e fine-tunes its own first run.
# Usage: bash scripts/recipes/styles.sh [RUNS_DIR] [PAIR]   (PAIR: first = vangogh + monet,
# second = cezanne + ukiyoe), after:
#   python scripts/data/styles.py --out data/styles photos=../shared/data/landscapes \
#       vangogh=../shared/data/paintings/vangogh monet=../shared/data/paintings/monet \
#       cezanne=../shared/data/paintings/cezanne ukiyoe=../shared/data/paintings/ukiyoe
set -euo pipefail
runs=${1:-runs}
pair=${2:-first}
mkdir -p "$runs"
style() {  # name (its paintings: data/styles/<name up to its first _>), painter, description, steps, minutes, extra flags
  accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 1 train/cyclegan.py \
    --data-a data/styles/photos/train --data-b "data/styles/${1%%_*}/train" --val-data data/styles/photos/test \
    --out "$runs/$1" --domain-a photo --domain-b "$2" --description "$3" \
    --ngf 24 --n-blocks 6 --ndf 32 --image-size 128 --max-steps "$4" --precision bf16 \
    --num-workers 0 --sample-every 500 --save-every 500 --time-limit "$5" "${@:6}" > "$runs/$1.log" 2>&1
}
if [ "$pair" = first ]; then
  # Resize-convolutions: the first runs with the paper's transposed convolutions laid a checkerboard
  # grid over skies and forests. Van Gogh stopped at its time limit at step 5,585.
  style vangogh "Van Gogh" "Van Gogh, from 188 of his paintings" 6000 62 --upsample resize &
  style monet "Monet" "Monet, from 270 of his paintings" 5000 55 --upsample resize &
else
  # Few paintings: crops from the whole canvas down to a quarter of it; Cézanne (95) also keeps the
  # photo's colours longer while it learns, and starts from the Monet style's generators (trained
  # from scratch, it painted a fine mottle instead of strokes). Resize-convolutions: a first run
  # with the paper's transposed convolutions (6,000 steps) painted a checkerboard over skies and water.
  style cezanne "Cézanne" "Cézanne, from 95 of his paintings" 4500 55 --painting-zoom 2 \
    --identity-hold-steps 1500 --upsample resize --start-from weights/styles/monet &
  # Ukiyo-e: a first run from scratch (mottled, soft-edged), then fine-tuned twice with two priors of
  # cartoon GANs: total variation (flat areas) and the edge-promoting loss (sharp outlines); each run
  # starts from the previous one's int8 weights, as the shipped runs did.
  ukiyoe="Ukiyo-e, from 432 Japanese woodblock prints"
  (style ukiyoe_first "Ukiyo-e" "$ukiyoe" 4500 55 --painting-zoom 2 --upsample resize
   python scripts/checkpoints/int8.py "$runs/ukiyoe_first/style" --photos data/styles/photos/test
   style ukiyoe_second "Ukiyo-e" "$ukiyoe" 4500 55 --painting-zoom 2 --upsample resize \
     --start-from "$runs/ukiyoe_first/style" --lambda-tv 0.4 --edge-promoting
   python scripts/checkpoints/int8.py "$runs/ukiyoe_second/style" --photos data/styles/photos/test
   style ukiyoe "Ukiyo-e" "$ukiyoe" 3000 36 --painting-zoom 2 --upsample resize \
     --start-from "$runs/ukiyoe_second/style" --lambda-tv 0.4 --edge-promoting
   python scripts/checkpoints/int8.py "$runs/ukiyoe/style" --photos data/styles/photos/test) &
fi
wait
