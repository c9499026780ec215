#!/usr/bin/python3
"""train_numpy.py - a tiny 2-layer network trained by gradient descent: atoll's command example.

Made for configs/command-python.ini: takes its hyperparameters as arguments, prints a line per
epoch and, last, one JSON line {"val_acc": ..., "loss": ...} that atoll reads with
metric_json = val_acc and extra_metrics = loss. Only the standard library and NumPy.
"""
import argparse
import json
import sys

import numpy as np


def make_data(seed, n=1200, features=10, classes=3):
    """A seeded synthetic classification set: Gaussian blobs in a random rotation, with noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 2.0, size=(classes, features))
    y = rng.integers(0, classes, size=n)
    x = centres[y] + rng.normal(0.0, 2.5, size=(n, features))
    x = x @ np.linalg.qr(rng.normal(size=(features, features)))[0]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    cut = int(0.75 * n)
    return x[:cut], y[:cut], x[cut:], y[cut:], classes


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0, help="initial weights (the data is fixed)")
    args = ap.parse_args()

    xt, yt, xv, yv, k = make_data(seed=12345)
    rng = np.random.default_rng(args.seed % 2**32)
    d = xt.shape[1]
    w1 = rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, args.hidden))
    b1 = np.zeros(args.hidden)
    w2 = rng.normal(0.0, 1.0 / np.sqrt(args.hidden), size=(args.hidden, k))
    b2 = np.zeros(k)
    onehot = np.eye(k)[yt]

    def forward(x):
        h = np.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return h, p / p.sum(axis=1, keepdims=True)

    loss = float("nan")
    for epoch in range(1, args.epochs + 1):
        h, p = forward(xt)
        loss = float(-np.mean(np.log(p[np.arange(len(yt)), yt] + 1e-12)))
        g = (p - onehot) / len(yt)
        gw2 = h.T @ g + args.l2 * w2
        gh = (g @ w2.T) * (1.0 - h * h)
        gw1 = xt.T @ gh + args.l2 * w1
        w2 -= args.lr * gw2
        b2 -= args.lr * g.sum(axis=0)
        w1 -= args.lr * gw1
        b1 -= args.lr * gh.sum(axis=0)
        if epoch % 10 == 0 or epoch == args.epochs:
            print(f"epoch {epoch} loss {loss:.4f}")
        if not np.isfinite(loss):
            print("diverged", file=sys.stderr)
            break
    _, pv = forward(xv)
    val_acc = float(np.mean(pv.argmax(axis=1) == yv))
    print(json.dumps({"val_acc": val_acc, "loss": loss}))


if __name__ == "__main__":
    main()
