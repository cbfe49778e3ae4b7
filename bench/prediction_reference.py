#!/usr/bin/python3
"""scikit-learn reference for LogLikeMap's benchmark prediction (docs/method.md §3.1).

    /usr/bin/python3 bench/prediction_reference.py OUTDIR

Writes the fixtures LogLikeMap.Tests/TestData/Analysis/sklearn-reference/ holds:

  permutations.json   numpy.random.RandomState(seed).permutation(n) for several seeds and n, and the test folds
                      of KFold(5, shuffle=True, random_state=seed) and of the shuffled GroupKFold below.
  synthetic_matrix.csv, synthetic_scores.csv
                      a 44-model x 70-text matrix (model,<text index>,...) with 9 families and two benchmark
                      targets plus mean_logp, some models without scores.
  synthetic_predictions.csv, sample_predictions.csv
                      cv,target,seed,fold,model,true,predicted,alpha for every held-out model: the paper's pipeline
                      on the synthetic files and on LogLikeMap.Tests/TestData/paper-data/sample_model-data.pkl.

The pipeline (the authors' src_pred_perform/train_and_pred.py as docs/method.md §3.1 describes it): clip the whole
matrix at np.percentile(L, 2), keep the models with every target, double-centre their rows (rows first, then
columns over exactly those models), then per target and seed
RidgeCV(alphas=10^1..10^9, cv=5) (10^-4..10^4 for mean_logp) on the outer training models, predictions of the
held-out models clipped to [0, 100] (not mean_logp). Outer splits: KFold(5, shuffle=True, random_state=seed) and
GroupKFold(5, shuffle=True, random_state=seed) by family.

GroupKFold takes shuffle only from scikit-learn 1.6; Debian 12 has 1.2. group_kfold_shuffled() below is 1.6's
_iter_test_indices for shuffle=True (sklearn/model_selection/_split.py): permute np.unique(groups) with
check_random_state(seed).permutation, np.array_split them into n_splits parts, each part's models are one test fold.
With scikit-learn >= 1.6 the script checks its folds against GroupKFold itself.
"""
import csv
import json
import math
import os
import pickle
import sys

import numpy as np
import sklearn
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold, KFold

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "LogLikeMap.Tests", "TestData", "paper-data", "sample_model-data.pkl")
BENCHMARK_ALPHAS = [10.0 ** e for e in range(1, 10)]
MEAN_LOGP_ALPHAS = [10.0 ** e for e in range(-4, 5)]


def group_kfold_shuffled(groups, n_splits, seed):
    """Test folds of scikit-learn 1.6's GroupKFold(n_splits, shuffle=True, random_state=seed)."""
    groups = np.asarray(groups)
    unique = np.random.RandomState(seed).permutation(np.unique(groups))
    folds = [np.where(np.isin(groups, part))[0] for part in np.array_split(unique, n_splits)]
    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    if (major, minor) >= (1, 6):
        theirs = [test for _, test in GroupKFold(n_splits, shuffle=True, random_state=seed).split(groups, groups=groups)]
        assert all(np.array_equal(a, b) for a, b in zip(folds, theirs))
    return folds


def kfold_shuffled(n, n_splits, seed):
    return [test for _, test in KFold(n_splits, shuffle=True, random_state=seed).split(np.zeros(n))]


def coordinates(raw_all, keep):
    """Q of the kept rows: the global 2% clip over every model, then double centring over the kept models."""
    threshold = np.percentile(raw_all, 2)
    clipped = np.maximum(raw_all[keep], threshold)
    xi = clipped - clipped.mean(axis=1, keepdims=True)
    return xi - xi.mean(axis=0)


def predict_all(q, names, targets, groups, folds=5, seeds=5):
    rows = []
    for cv in ("kfold", "groupkfold"):
        for seed in range(seeds):
            tests = group_kfold_shuffled(groups, folds, seed) if cv == "groupkfold" else kfold_shuffled(len(names), folds, seed)
            for fold, test in enumerate(tests):
                train = np.setdiff1d(np.arange(len(names)), test)
                for target, y in targets.items():
                    alphas = MEAN_LOGP_ALPHAS if target == "mean_logp" else BENCHMARK_ALPHAS
                    model = RidgeCV(alphas=alphas, cv=5).fit(q[train], y[train])
                    predicted = model.predict(q[test])
                    if target != "mean_logp":
                        predicted = np.clip(predicted, 0, 100)
                    for i, p in zip(test, predicted):
                        rows.append((cv, target, seed, fold, names[i], repr(float(y[i])), repr(float(p)), repr(float(model.alpha_))))
    return rows


def write_predictions(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cv", "target", "seed", "fold", "model", "true", "predicted", "alpha"])
        w.writerows(rows)


def permutations(out_dir):
    result = {"permutation": [], "kfold": [], "groupkfold": []}
    for seed in (0, 1, 4, 42, 123456789, 4294967295):
        for n in (1, 2, 5, 10, 24, 100, 1000):
            result["permutation"].append({"seed": seed, "n": n, "values": np.random.RandomState(seed).permutation(n).tolist()})
    for seed in range(5):
        for n in (5, 24, 37):
            result["kfold"].append({"seed": seed, "n": n, "folds": [t.tolist() for t in kfold_shuffled(n, 5, seed)]})
    groups = ["llama-2", "mistral", "llama-2", "others", "gpt_neox", "bloom", "mistral", "falcon", "llama-3",
              "opt", "others", "gemma", "llama-2", "phi", "qwen", "gemma", "mistral", "llama-1"]
    for seed in range(5):
        result["groupkfold"].append({"seed": seed, "groups": groups,
                                     "folds": [t.tolist() for t in group_kfold_shuffled(groups, 5, seed)]})
    with open(os.path.join(out_dir, "permutations.json"), "w") as f:
        json.dump(result, f)


def synthetic(out_dir):
    """44 models of 9 families on 70 texts; two scores that follow the models' positions, one with missing values."""
    rng = np.random.default_rng(20251204)
    k, n = 44, 70
    families = [f"fam{f}" for f in rng.integers(0, 9, size=k)]
    family_centre = {f: rng.normal(size=4) for f in sorted(set(families))}
    basis = rng.normal(scale=40.0, size=(4, n))
    difficulty = -rng.gamma(4.0, 120.0, size=n)
    latent = np.array([family_centre[f] + rng.normal(scale=0.5, size=4) for f in families])
    raw = difficulty + latent @ basis + rng.normal(scale=2.0, size=(k, n)) + rng.normal(scale=25.0, size=(k, 1))
    tail = rng.random(raw.shape) < 0.03
    raw[tail] -= rng.exponential(1500.0, size=tail.sum())
    names = [f"org/model-{i:02d}" for i in range(k)]
    ability = latent @ np.array([1.0, -0.5, 0.3, 0.0])
    target_a = 50 + 12 * ability + rng.normal(scale=3.0, size=k)
    target_b = 5 + 30 * latent[:, 1] + rng.normal(scale=5.0, size=k)  # leaves [0, 100] for a few: clipping shows
    mean_logp = raw.mean(axis=1)
    missing = set(rng.choice(k, size=6, replace=False).tolist())

    with open(os.path.join(out_dir, "synthetic_matrix.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model"] + list(range(n)))
        for name, row in zip(names, raw):
            w.writerow([name] + [repr(float(v)) for v in row])
    with open(os.path.join(out_dir, "synthetic_scores.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "family", "task_a", "task_b", "mean_logp"])
        for i, name in enumerate(names):
            b = "" if i in missing else repr(float(target_b[i]))
            w.writerow([name, families[i], repr(float(target_a[i])), b, repr(float(mean_logp[i]))])

    keep = np.array([i for i in range(k) if i not in missing])
    q = coordinates(raw, keep)
    targets = {"task_a": target_a[keep], "task_b": target_b[keep], "mean_logp": mean_logp[keep]}
    rows = predict_all(q, [names[i] for i in keep], targets, [families[i] for i in keep])
    write_predictions(os.path.join(out_dir, "synthetic_predictions.csv"), rows)


def sample(out_dir):
    """The paper-format sample pickle: six scores, their mean (6-taskmean) and mean_logp; groups = model_type."""
    with open(SAMPLE, "rb") as f:
        records = pickle.load(f)
    tasks = ["ARC", "HellaSwag", "MMLU", "TruthfulQA", "Winogrande", "GSM8K"]
    raw = np.array([r["log-likelihood-10k"] for r in records], dtype=np.float64)
    keep = np.array([i for i, r in enumerate(records)
                     if all(not math.isnan(r["score_v1_" + t]) for t in tasks) and not math.isnan(r["mean_logp"])])
    q = coordinates(raw, keep)
    targets = {t: np.array([records[i]["score_v1_" + t] for i in keep]) for t in tasks}
    targets["6-taskmean"] = np.mean([targets[t] for t in tasks], axis=0)
    targets["mean_logp"] = np.array([records[i]["mean_logp"] for i in keep], dtype=np.float64)
    rows = predict_all(q, [records[i]["model_name"] for i in keep], targets, [records[i]["model_type"] for i in keep])
    write_predictions(os.path.join(out_dir, "sample_predictions.csv"), rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    permutations(sys.argv[1])
    synthetic(sys.argv[1])
    sample(sys.argv[1])
    with open(os.path.join(sys.argv[1], "versions.json"), "w") as f:
        json.dump({"generated_by": "/usr/bin/python3 bench/prediction_reference.py " + sys.argv[1],
                   "numpy": np.__version__, "sklearn": sklearn.__version__}, f)
