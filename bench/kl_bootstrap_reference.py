#!/usr/bin/python3
"""numpy reference for LogLikeMap's KL bootstrap interval (Core/Analysis/KlBootstrap.cs).

    /usr/bin/python3 bench/kl_bootstrap_reference.py OUT.json

Two rows of Q for the rows 0 and 1 of LogLikeMap.Tests/TestData/Map/numpy-reference/matrix.csv (clipped at its 2nd
percentile, double centred over all 40 models), KL = Var(q_0 - q_1) / 2 in nats per text, and the 95% percentile
bootstrap interval over the texts: RandomState(seed).randint(0, N, size=(B, N)) draws, each replicate
Var(d[draw]) / 2 (ddof 0), np.percentile(replicates, [2.5, 97.5]).
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
raw = np.loadtxt(os.path.join(HERE, "..", "LogLikeMap.Tests", "TestData", "Map", "numpy-reference", "matrix.csv"), delimiter=",")
clipped = np.maximum(raw, np.percentile(raw, 2))
xi = clipped - clipped.mean(axis=1, keepdims=True)
q = xi - xi.mean(axis=0)
cases = []
for i, j, b, seed in ((0, 1, 200, 0), (3, 27, 500, 7)):
    d = q[i] - q[j]
    replicates = d[np.random.RandomState(seed).randint(0, d.size, size=(b, d.size))].var(axis=1) / 2
    lower, upper = np.percentile(replicates, [2.5, 97.5])
    cases.append({"i": i, "j": j, "resamples": b, "seed": seed, "kl": float(d.var() / 2), "lower": float(lower), "upper": float(upper)})
with open(sys.argv[1], "w") as f:
    json.dump({"generated_by": "/usr/bin/python3 bench/kl_bootstrap_reference.py " + sys.argv[1], "numpy": np.__version__, "cases": cases}, f, indent=1)
