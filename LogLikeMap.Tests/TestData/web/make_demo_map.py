#!/usr/bin/python3
"""Builds the small demo map the web tests load (a demo-map folder in the zoo's layout) from the synthetic
paper-format samples in ../shared/paper-data, and numpy's clip threshold for it.

Run from this folder with Debian's python3 (numpy): /usr/bin/python3 make_demo_map.py /work/shared/paper-data
Writes demo-map/texts.jsonl, demo-map/models.jsonl, demo-map/results/<name>.jsonl and expected.json.
"""
import json
import os
import pickle
import sys

import numpy as np

MODELS, TEXTS = 40, 300

source = sys.argv[1]
meta = {d["model_name"]: d for d in pickle.load(open(os.path.join(source, "sample_model-data.pkl"), "rb"))}
raw = pickle.load(open(os.path.join(source, "sample_raw_log-likelihood.pkl"), "rb"))
names = sorted(raw)[:MODELS]

os.makedirs("demo-map/results", exist_ok=True)
texts = [json.loads(line) for line in open(os.path.join(source, "sample_texts.jsonl"), encoding="utf-8")][:TEXTS]
with open("demo-map/texts.jsonl", "w", encoding="utf-8") as f:
    for t in texts:
        f.write(json.dumps({"index": t["index"], "text": t["text"], "pile_set_name": t["pile_set_name"]}) + "\n")

with open("demo-map/models.jsonl", "w", encoding="utf-8") as f:
    for name in names:
        m = meta[name]
        f.write(json.dumps({
            "name": name,
            "family": m["model_type"],
            "architecture": None,
            "parameters": int(round(m["model_size"] * 1e9)),
            "created": m["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        }) + "\n")

for name in names:
    with open(os.path.join("demo-map/results", name.replace("/", "__") + ".jsonl"), "w") as f:
        for t in texts:
            # Token counts are not in the samples; a text's UTF-8 length / 4 stands in (only shown, never used in maths).
            f.write(json.dumps({"index": t["index"], "num-tokens": len(t["text"].encode("utf-8")) // 4,
                                "log-likelihood": float(raw[name][t["index"]])}) + "\n")

matrix = np.array([raw[n][:TEXTS] for n in names])
mean_bytes = float(np.mean([len(t["text"].encode("utf-8")) for t in texts]))
json.dump({
    "models": len(names), "texts": TEXTS,
    "clip_threshold": float(np.percentile(matrix, 2)),
    "mean_text_bytes": mean_bytes,
}, open("expected.json", "w"), indent=1)
