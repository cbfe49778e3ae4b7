#!/usr/bin/python3
"""numpy + scikit-learn reference for LogLikeMap's map engine (docs/method.md §1.3-§2).

Two uses:

  /usr/bin/python3 bench/map_reference.py bench MATRIX.npy OUTDIR
      Times the paper's pipeline on a K x N float64 matrix: clip at np.percentile(L, 2), double centring,
      all 10-NN lists in the full space (Gram matrix, then the exact sum of squared differences for the
      chosen candidates), and TSNE(perplexity=30, init='pca', metric='sqeuclidean', random_state=42).
      Writes OUTDIR/layout.csv (x,y per model in row order) and OUTDIR/neighbours.csv
      (model,rank,neighbour,kl_nats; indices) and prints the timings as one JSON object on stdout.
      `loglikemap bench map` runs this on the same synthetic matrix and prints both side by side.

  /usr/bin/python3 bench/map_reference.py fixture OUTDIR
      Writes the small fixed test matrix LogLikeMap.Tests/TestData/Map/numpy-reference/ holds:
      matrix.csv (one model a row, no header) and expected.json (clip threshold, KL of every model's 10 nearest
      neighbours by the exact sum of squared differences, column means, explained variance ratios of sklearn PCA).

Call Debian's interpreter explicitly (/usr/bin/python3): it has python3-numpy and python3-sklearn.
"""
import json
import os
import sys
import time

import numpy as np


def clip_and_centre(raw, percent=2.0):
    threshold = np.percentile(raw, percent)
    clipped = np.maximum(raw, threshold)
    row_centred = clipped - clipped.mean(axis=1, keepdims=True)
    column_means = row_centred.mean(axis=0)
    return threshold, row_centred - column_means, column_means


def exact_squared_distances(q, i, candidates):
    diff = q[candidates] - q[i]
    return np.einsum("ij,ij->i", diff, diff)


def nearest_neighbours(q, k):
    """k nearest rows of every row by squared distance: Gram matrix to choose, exact sums to measure."""
    norms = np.einsum("ij,ij->i", q, q)
    d2 = norms[:, None] + norms[None, :] - 2.0 * (q @ q.T)
    np.fill_diagonal(d2, np.inf)
    extra = min(k + 8, q.shape[0] - 1)
    candidates = np.argpartition(d2, extra - 1, axis=1)[:, :extra]
    indices = np.empty((q.shape[0], k), dtype=np.int64)
    distances = np.empty((q.shape[0], k))
    for i in range(q.shape[0]):
        exact = exact_squared_distances(q, i, candidates[i])
        order = np.lexsort((candidates[i], exact))[:k]
        indices[i] = candidates[i][order]
        distances[i] = exact[order]
    return indices, distances


def write_neighbours(path, indices, kl):
    with open(path, "w") as f:
        f.write("model,rank,neighbour,kl_nats\n")
        for i in range(indices.shape[0]):
            for r in range(indices.shape[1]):
                f.write(f"{i},{r + 1},{indices[i, r]},{kl[i, r]!r}\n")


def bench(matrix_path, out_dir):
    from sklearn.manifold import TSNE

    os.makedirs(out_dir, exist_ok=True)
    timings, cpu = {}, {}

    def timed(name, run):
        # Wall time, and CPU time of all the process's threads (BLAS included): the machine may be shared.
        wall, used = time.perf_counter(), time.process_time()
        result = run()
        timings[name] = time.perf_counter() - wall
        cpu[name] = time.process_time() - used
        return result

    raw = timed("load", lambda: np.load(matrix_path))
    threshold, q, _ = timed("clip_and_centre", lambda: clip_and_centre(raw))
    indices, d2 = timed("neighbours", lambda: nearest_neighbours(q, 10))
    # sklearn 1.2 names the iteration count n_iter (1000 by default); later versions call it max_iter.
    tsne = TSNE(n_components=2, perplexity=30, init="pca", metric="sqeuclidean", random_state=42)
    layout = timed("tsne", lambda: tsne.fit_transform(q))

    n = raw.shape[1]
    write_neighbours(os.path.join(out_dir, "neighbours.csv"), indices, d2 / (2.0 * n))
    np.savetxt(os.path.join(out_dir, "layout.csv"), layout, delimiter=",", fmt="%.17g")
    for t in (timings, cpu):
        t["map_total"] = t["clip_and_centre"] + t["neighbours"] + t["tsne"]
    import sklearn
    print(json.dumps({"numpy": np.__version__, "sklearn": sklearn.__version__, "clip_threshold": threshold,
                      "seconds": timings, "cpu_seconds": cpu}))


def fixture(out_dir):
    """A fixed 40 x 300 matrix: 4 families (rank-3 structure), noise, and a heavy lower tail to clip."""
    from sklearn.decomposition import PCA

    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20250531)
    families, per_family, texts = 4, 10, 300
    difficulty = -rng.gamma(4.0, 150.0, size=texts)
    basis = rng.normal(size=(3, texts))
    rows = []
    for f in range(families):
        centre = rng.normal(scale=8.0, size=3) @ basis
        for _ in range(per_family):
            rows.append(difficulty + centre + rng.normal(scale=2.0, size=3) @ basis
                        + rng.normal(scale=1.0, size=texts) + rng.normal(scale=30.0))
    raw = np.array(rows)
    tail = rng.random(raw.shape) < 0.03
    raw[tail] -= rng.exponential(2000.0, size=tail.sum())
    threshold, q, column_means = clip_and_centre(raw)
    k = 10
    indices = np.empty((raw.shape[0], k), dtype=np.int64)
    kl = np.empty((raw.shape[0], k))
    for i in range(raw.shape[0]):
        # Brute force: the exact sum of squared differences to every other row.
        others = np.array([j for j in range(raw.shape[0]) if j != i])
        d2 = exact_squared_distances(q, i, others)
        order = np.lexsort((others, d2))[:k]
        indices[i] = others[order]
        kl[i] = d2[order] / (2.0 * texts)
    ratio = PCA(n_components=5, svd_solver="full").fit(q).explained_variance_ratio_

    np.savetxt(os.path.join(out_dir, "matrix.csv"), raw, delimiter=",", fmt="%.17g")
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({
            "generated_by": "/usr/bin/python3 bench/map_reference.py fixture " + out_dir,
            "numpy": np.__version__,
            "clip_percentile": 2,
            "clip_threshold": threshold,
            "column_means": column_means.tolist(),
            "neighbours": indices.tolist(),
            "kl_nats": kl.tolist(),
            "explained_variance_ratio": ratio.tolist(),
        }, f, indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "fixture":
        fixture(sys.argv[2])
    else:
        sys.exit(__doc__)
