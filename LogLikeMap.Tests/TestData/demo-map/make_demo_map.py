"""Builds a small map folder (the demo map's shipping form) from the paper-format sample files in ../paper-data.

  texts.jsonl          = ../paper-data/sample_texts.jsonl (500 texts, paper text format)
  models.jsonl         = the 60 models of sample_raw_log-likelihood.pkl with family/architecture/colour from
                         name_type_color_1018.pkl and creation date from sample_model-data.pkl
  results/NAME.jsonl   = each model's row of sample_raw_log-likelihood.pkl in the paper's results format;
                         '/' in a model name is written '__'. num-tokens is synthetic (UTF-8 bytes // 4):
                         the sample release has no token counts.

Run with Debian's python3 + numpy:  /usr/bin/python3 make_demo_map.py
"""
import json
import os
import pickle
import shutil

here = os.path.dirname(os.path.abspath(__file__))
paper = os.path.join(here, "..", "paper-data")

shutil.copyfile(os.path.join(paper, "sample_texts.jsonl"), os.path.join(here, "texts.jsonl"))
texts = [json.loads(line) for line in open(os.path.join(here, "texts.jsonl"), encoding="utf-8")]

raw = pickle.load(open(os.path.join(paper, "sample_raw_log-likelihood.pkl"), "rb"))
families = {t[0]: t for t in pickle.load(open(os.path.join(paper, "name_type_color_1018.pkl"), "rb"))["data"]}
created = {r["model_name"]: r["created_at"] for r in pickle.load(open(os.path.join(paper, "sample_model-data.pkl"), "rb"))}
sizes = {r["model_name"]: r["model_size"] for r in pickle.load(open(os.path.join(paper, "sample_model-data.pkl"), "rb"))}

def hex_colour(rgba):
    return "#" + "".join(f"{round(float(c) * 255):02x}" for c in rgba[:3])

results = os.path.join(here, "results")
shutil.rmtree(results, ignore_errors=True)
os.makedirs(results)
with open(os.path.join(here, "models.jsonl"), "w", encoding="utf-8") as models:
    for name, values in raw.items():
        _, family, rgba, architecture = families[name]
        card = {"name": name, "family": family, "architecture": architecture,
                "parameters": int(round(float(sizes[name]) * 1e9)), "source": "paper sample",
                "created": created[name].strftime("%Y-%m-%dT%H:%M:%SZ"), "color": hex_colour(rgba)}
        models.write(json.dumps(card) + "\n")
        with open(os.path.join(results, name.replace("/", "__") + ".jsonl"), "w", encoding="utf-8") as f:
            for text, value in zip(texts, values):
                tokens = len(text["text"].encode("utf-8")) // 4
                f.write(json.dumps({"index": text["index"], "num-tokens": tokens, "log-likelihood": float(value)}) + "\n")
