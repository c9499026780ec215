#!/usr/bin/python3
"""scikit-learn side of bench/models: train the same model on the arrays atoll wrote.

    sklearn_models.py DIR mlp|forest key=value ...   -> one JSON line (seed=N: random_state)
    sklearn_models.py --blas                          -> which BLAS numpy uses
"""
import json
import sys
import time
import warnings

import numpy as np


def blas():
    from threadpoolctl import threadpool_info
    import sklearn
    for lib in threadpool_info():
        print(f"sklearn {sklearn.__version__} / numpy {np.__version__} BLAS: "
              f"{lib.get('internal_api')} {lib.get('version')} {lib.get('filepath')} "
              f"threads={lib.get('num_threads')}")


def load(d, name, cols=None):
    v = np.fromfile(f"{d}/{name}.f32", dtype=np.float32)
    return v if cols is None else v.reshape(-1, cols)


def main():
    if sys.argv[1] == "--blas":
        blas()
        return
    d, model = sys.argv[1], sys.argv[2]
    kv = dict(a.split("=", 1) for a in sys.argv[3:])
    seed = int(kv.get("seed", 1))
    y_tr, y_va = load(d, "y_train").astype(int), load(d, "y_valid").astype(int)
    x_tr = load(d, "x_train").reshape(len(y_tr), -1)
    x_va = load(d, "x_valid").reshape(len(y_va), -1)
    if model == "mlp":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
        epochs = int(kv.get("epochs", 20))
        layers = int(kv.get("layers", 1))
        clf = MLPClassifier(hidden_layer_sizes=(int(kv.get("units", 64)),) * layers,
                            activation="relu", solver=kv.get("optimizer", "adam"),
                            alpha=0.0, batch_size=int(kv.get("batch_size", 32)),
                            learning_rate_init=float(kv.get("learning_rate", 1e-3)),
                            max_iter=epochs, shuffle=True, tol=0.0,
                            n_iter_no_change=epochs + 1, random_state=seed)
        warnings.simplefilter("ignore", ConvergenceWarning)
    else:
        from sklearn.ensemble import RandomForestClassifier
        epochs = 0
        clf = RandomForestClassifier(n_estimators=int(kv.get("n_estimators", 100)), n_jobs=1,
                                     random_state=seed)
    t = time.perf_counter()
    clf.fit(x_tr, y_tr)
    fit_s = time.perf_counter() - t
    acc = float((clf.predict(x_va) == y_va).mean())
    ran = getattr(clf, "n_iter_", 0) or 1
    # the precision an MLP trained in: that of its weights
    dtype = str(clf.coefs_[0].dtype) if model == "mlp" else None
    print(json.dumps({"fit_s": round(fit_s, 4), "epochs": epochs and ran,
                      "epoch_s": fit_s / ran, "accuracy": round(acc, 4), "dtype": dtype}))


if __name__ == "__main__":
    main()
