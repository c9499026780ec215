#!/usr/bin/python3
"""Optuna side of bench/search-vs-optuna: a TPE study over the search space of
configs/mlp-digits.ini, each trial scored by atoll's own objective (modelbench eval: the same
data, split, trainer and trial seeds as an atoll run), so only the search differs.

    optuna_mlp.py MODELBENCH CONFIG TRIALS SEED   -> one JSON line
"""
import json
import subprocess
import sys
import time

import optuna


def main():
    tool, config, trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def objective(trial):
        point = {
            "layers": trial.suggest_int("layers", 1, 2),
            "units": trial.suggest_int("units", 16, 256, log=True),
            "activation": trial.suggest_categorical("activation", ["relu", "tanh"]),
            "learning_rate": trial.suggest_float("learning_rate", 1e-4, 3e-2, log=True),
            "batch_size": trial.suggest_categorical("batch_size", ["16", "32", "64", "128"]),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        }
        args = [tool, "eval", config, f"trial={trial.number}"]
        args += [f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in point.items()]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
        return float(out[0]) if out[1] == "ok" else 0.0

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    t = time.perf_counter()
    study.optimize(objective, n_trials=trials)
    print(json.dumps({"tool": "optuna-tpe", "seed": seed, "trials": trials,
                      "best": study.best_value, "wall_s": round(time.perf_counter() - t, 2),
                      "params": study.best_params}))


if __name__ == "__main__":
    main()
