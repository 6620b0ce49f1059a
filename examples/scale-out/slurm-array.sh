#!/bin/bash
# A parameter grid spread over a Slurm job array: every task runs the same command, and `--shard auto`
# reads which shard it is from SLURM_ARRAY_TASK_ID (counted from the array's bounds). Submit from the
# repository root after `npm ci && npm run build`:
#
#   sbatch examples/scale-out/slurm-array.sh
#   # when the array has finished (or at once, with --dependency=afterany:<array job id>):
#   npm run report -- --merge results/shard-* --out results/merged
#
# Keep --array a range (0-7, 1-8, 0-14:2): a list such as 1,3,7 has no shard numbering and is refused.
#SBATCH --job-name=estibench-grid
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=results/slurm-%A_%a.out
#SBATCH --requeue

set -euo pipefail
results="${ESTIBENCH_RESULTS_DIR:-results}"
mkdir -p "$results"
# --resume: a task that is preempted and requeued (SIGTERM: finished cells kept, exit 143) continues
# where it stopped. {shard} in --out becomes the shard's index, so each task writes its own directory.
# Arguments after the script's name (sbatch examples/scale-out/slurm-array.sh --samples 5000) come last and win.
exec node dist/scripts/bench.js \
  --suite bernoulli-toy --backend cpu --threads "${SLURM_CPUS_PER_TASK:-4}" \
  --estimator ste-sigmoid,gumbel-softmax,additive-noise \
  --set gumbel-softmax.tau=0.1,0.25,0.5,1 --set additive-noise.sigma=0.25:2:4 --set dim=16,64,256 --seed 1,2,3 \
  --shard auto --out "$results/shard-{shard}" --resume --no-report "$@"
