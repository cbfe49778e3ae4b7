#!/usr/bin/env python3
"""Cross-checks the repository's scoring and tokenizer fixtures against Hugging Face `transformers` itself.

The fixtures' expectations come from the plain-PyTorch references under tools/ (written from the maths of
transformers' modeling files, since transformers is not installed on the development machines). This script, run
where transformers is installed (the GPU machine lent to some sessions has transformers 5.x, tokenizers and PyTorch
with CUDA), loads every fixture checkpoint with `AutoModelForCausalLM` and recomputes the paper's log-likelihood
(sum over t >= 1 of log p(ids[t] | ids[:t]), float32 log-softmax, summed in double precision) from the stored token
ids, then compares it with the stored expectation. Where a folder holds a real tokenizer and texts, it also compares
`AutoTokenizer`'s ids (default special tokens) with the stored ids.

    python3 bench/transformers_crosscheck.py [--device cuda|cpu] [--out report.json]

It prints one line per fixture and exits 1 if any relative error exceeds 1e-4 or any ids differ. It writes nothing
into the repository; the report it prints is what a session records (bench/transformers_crosscheck.out.txt).
"""
import argparse
import glob
import json
import math
import os
import sys
import traceback

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TEST_DATA = os.path.join(ROOT, "LogLikeMap.Tests", "TestData")
TOLERANCE = 1e-4


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fixtures():
    """Every NAME.expected.json with its NAME.ids.jsonl and NAME/ checkpoint folder under TestData."""
    for expected in sorted(glob.glob(os.path.join(TEST_DATA, "**", "*.expected.json"), recursive=True)):
        stem = expected[: -len(".expected.json")]
        folder, ids = stem, stem + ".ids.jsonl"
        if os.path.isdir(folder) and os.path.exists(ids) and os.path.exists(os.path.join(folder, "config.json")):
            yield os.path.relpath(stem, TEST_DATA), folder, ids, expected


def log_likelihoods(model, rows, device):
    """The paper's quantity for each row of ids, one text per forward pass (no padding to reason about)."""
    out = []
    for row in rows:
        ids = torch.tensor([row["ids"]], device=device)
        if ids.shape[1] < 2:
            out.append(0.0)
            continue
        with torch.no_grad():
            logits = model(input_ids=ids, use_cache=False).logits.float()
        logp = torch.log_softmax(logits[0, :-1], dim=-1)
        picked = logp.gather(1, ids[0, 1:, None])[:, 0]
        out.append(math.fsum(picked.double().cpu().tolist()))
    return out


def check_model(name, folder, ids_path, expected_path, device):
    from transformers import AutoModelForCausalLM

    rows = read_jsonl(ids_path)
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").to(device)
    model.eval()
    got = log_likelihoods(model, rows, device)
    worst = max(abs(g - e) / max(abs(e), 1e-12) for g, e in zip(got, expected))
    return {"fixture": name, "model_type": model.config.model_type, "texts": len(rows),
            "max_relative_error": worst, "ok": worst <= TOLERANCE and len(got) == len(expected)}


def check_tokenizer(name, folder, ids_path):
    """Where the folder ships a real tokenizer and the texts sit beside it, compare AutoTokenizer's ids."""
    from transformers import AutoTokenizer

    texts_path = os.path.join(os.path.dirname(folder), "texts.jsonl")
    has_tokenizer = any(os.path.exists(os.path.join(folder, f)) for f in ("tokenizer.json", "vocab.json", "tokenizer.model"))
    if not (has_tokenizer and os.path.exists(texts_path)):
        return None
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts = {row["index"]: row["text"] for row in read_jsonl(texts_path)}
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    limit = next((config[k] for k in ("max_position_embeddings", "n_positions", "max_sequence_length") if k in config), 2048)
    differing = [row["index"] for row in read_jsonl(ids_path)
                 if tokenizer.encode(texts[row["index"]], truncation=True, max_length=limit) != row["ids"]]
    return {"fixture": name, "tokenizer": type(tokenizer).__name__, "differing_texts": differing, "ok": not differing}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False  # float32 must mean float32 for a 1e-4 comparison
    torch.backends.cudnn.allow_tf32 = False

    import transformers
    print(f"transformers {transformers.__version__}, torch {torch.__version__}, device {args.device}")
    report, failed = [], 0
    for name, folder, ids_path, expected_path in fixtures():
        for check in (lambda: check_model(name, folder, ids_path, expected_path, args.device),
                      lambda: check_tokenizer(name, folder, ids_path)):
            try:
                result = check()
            except Exception as error:  # one fixture's failure must not hide the others'
                result = {"fixture": name, "ok": False, "error": f"{type(error).__name__}: {error}",
                          "trace": traceback.format_exc(limit=3)}
            if result is None:
                continue
            report.append(result)
            failed += not result["ok"]
            print(json.dumps({k: v for k, v in result.items() if k != "trace"}), flush=True)
    print(f"{len(report) - failed} passed, {failed} failed")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
