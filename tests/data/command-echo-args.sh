#!/bin/sh
# Prints its argument count and each argument on its own line, then a score.
echo "argc=$#"
for a in "$@"; do printf 'arg=%s\n' "$a"; done
echo "trial_env=$ATOLL_TRIAL"
echo "param_x_env=$ATOLL_PARAM_X"
echo "rank_env=$ATOLL_RANK"
echo "seed_env=$ATOLL_SEED"
echo "cuda_env=${CUDA_VISIBLE_DEVICES-unset}"
echo "pwd=$(pwd)"
echo 0.5
