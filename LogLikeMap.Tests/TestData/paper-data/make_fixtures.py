"""Writes the derived pickle fixtures under generated/ and prints the numbers the tests compare against.

Run with Debian's python3 + numpy 1.24 (apt python3-numpy):  /usr/bin/python3 make_fixtures.py
Everything printed here is computed by Python/numpy, independently of LogLikeMap.
"""
import datetime
import hashlib
import io
import json
import pickle
import random
import sys
import types

import numpy as np

here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
out = here + "/generated/"

# --- numpy 2 class names: numpy 2 writes numpy._core.* where numpy 1 writes numpy.core.*. numpy 2 is not
# installable here, so alias numpy 1's functions under the numpy 2 module names for the pickler.
for modname, attr, target in [
    ("numpy._core.multiarray", "_reconstruct", np.core.multiarray._reconstruct),
    ("numpy._core.multiarray", "scalar", np.core.multiarray.scalar),
    ("numpy._core.numeric", "_frombuffer", np.core.numeric._frombuffer),
]:
    module = sys.modules.setdefault(modname, types.ModuleType(modname))
    def make(t):
        def f(*args):
            return t(*args)
        return f
    fn = make(target)
    fn.__module__, fn.__qualname__, fn.__name__ = modname, attr, attr
    setattr(module, attr, fn)

class Numpy2Pickler(pickle.Pickler):
    def __init__(self, file, protocol):
        super().__init__(file, protocol=protocol)
        self.protocol_number = protocol

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray) or isinstance(obj, np.generic):
            reduced = obj.__reduce_ex__(self.protocol_number)
            fn = reduced[0]
            name = fn.__name__
            modname = {"_reconstruct": "numpy._core.multiarray", "scalar": "numpy._core.multiarray",
                       "_frombuffer": "numpy._core.numeric"}[name]
            return (getattr(sys.modules[modname], name),) + tuple(reduced[1:])
        return NotImplemented

small = {
    "model-a": np.array([-1.5, -2.25, -1000.125], dtype=np.float64),
    "model-b": np.array([-3.0, -0.5, -7.75], dtype=np.float32),
    "model-c": np.array([-10.0, -20.0, -30.0], dtype=">f8"),
}
for protocol in (2, 4, 5):
    with open(out + f"small_numpy1_protocol{protocol}.pkl", "wb") as f:
        pickle.dump(small, f, protocol=protocol)
    buffer = io.BytesIO()
    Numpy2Pickler(buffer, protocol=protocol).dump(small)
    with open(out + f"small_numpy2_protocol{protocol}.pkl", "wb") as f:
        f.write(buffer.getvalue())

# A 2x3 array in Fortran order, read back in C order: [[1,2,3],[4,5,6]].
with open(out + "fortran_2x3.pkl", "wb") as f:
    pickle.dump(np.asfortranarray(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])), f, protocol=4)

# model-data layout with a datetime, a numpy scalar, NaN and an OrderedDict, numpy 2 names.
import collections
record = collections.OrderedDict(model_name="org/m", model_type="llama-2", model_size=np.float64(6.5),
    created_at=datetime.datetime(2024, 2, 29, 13, 14, 15, 123456), downloads=12345,
    **{"log-likelihood-10k": np.array([-1.25, -2.5], dtype=np.float32)}, mean_logp=-1.875,
    score_v1_ARC=float("nan"), score_v1_MMLU=55.5)
buffer = io.BytesIO()
Numpy2Pickler(buffer, protocol=5).dump([record])
with open(out + "model_data_numpy2.pkl", "wb") as f:
    f.write(buffer.getvalue())

# Hostile pickles: what pickle.load would execute. LogLikeMap must refuse both without running anything.
class RunsShell:
    def __reduce__(self):
        import os
        return (os.system, ("echo pwned > /tmp/loglikemap-pwned",))
for protocol in (2, 4):  # GLOBAL opcode in protocol 2, STACK_GLOBAL in 4
    with open(out + f"hostile_os_system_protocol{protocol}.pkl", "wb") as f:
        pickle.dump({"model-a": RunsShell()}, f, protocol=protocol)
# GLOBAL of a class nobody allowed, then REDUCE (written by hand: protocol 2, GLOBAL, EMPTY_TUPLE, REDUCE, STOP).
with open(out + "hostile_unknown_class.pkl", "wb") as f:
    f.write(b"\x80\x02csomepackage.evil\nPayload\n)R.")
# REDUCE whose callable is a plain string (no GLOBAL at all).
with open(out + "hostile_reduce_string.pkl", "wb") as f:
    f.write(b"\x80\x02X\x04\x00\x00\x00evil)R.")

# ---------- numbers for the tests ----------
def show(label, value):
    print(f"{label} = {value!r}")

raw = pickle.load(open(here + "/sample_raw_log-likelihood.pkl", "rb"))
names = list(raw)
show("raw.models", len(names))
show("raw.texts", {len(v) for v in raw.values()})
show("raw.first3", names[:3])
show("raw.last", names[-1])
matrix = np.stack([raw[n] for n in names])
show("raw.dtype", matrix.dtype)
show("raw.min", float(matrix.min()))
show("raw.max", float(matrix.max()))
show("raw.sum(row 0)", float(raw[names[0]].sum()))
show("raw[names[7]][123]", float(raw[names[7]][123]))
show("raw.percentile2", float(np.percentile(matrix, 2)))

md = pickle.load(open(here + "/sample_model-data.pkl", "rb"))
show("md.count", len(md))
show("md[0].model_name", md[0]["model_name"])
show("md[0].created_at", md[0]["created_at"])
show("md[0].ll dtype", md[0]["log-likelihood-10k"].dtype)
show("md[0].ll sum (float64)", float(md[0]["log-likelihood-10k"].astype(np.float64).sum()))
show("md[0].ll[0]", float(md[0]["log-likelihood-10k"][0]))
show("md nan ARC count", sum(1 for r in md if np.isnan(r["score_v1_ARC"])))
show("md[1].model_name", md[1]["model_name"])
show("md[1].created_at", md[1]["created_at"])

ntc = pickle.load(open(here + "/name_type_color_1018.pkl", "rb"))
show("ntc.count", len(ntc["data"]))
show("ntc[0]", ntc["data"][0])
show("ntc families", collections.Counter(t[1] for t in ntc["data"]).most_common())
mistral = [t for t in ntc["data"] if t[1] == "mistral"][0]
show("ntc first mistral", (mistral[0], tuple(float(c) for c in mistral[2]), mistral[3]))

texts = [json.loads(line) for line in open(here + "/sample_texts.jsonl", encoding="utf-8")]
show("texts.count", len(texts))
show("texts.mean_bytes", sum(len(t["text"].encode("utf-8")) for t in texts) / len(texts))
show("texts.domains", collections.Counter(t["pile_set_name"] for t in texts).most_common())
# Content hash: "loglikemap-textset-v1\n", then per text: index (int64 LE), UTF-8 length (int64 LE), UTF-8 bytes.
h = hashlib.sha256(b"loglikemap-textset-v1\n")
for t in texts:
    b = t["text"].encode("utf-8")
    h.update(t["index"].to_bytes(8, "little", signed=True) + len(b).to_bytes(8, "little") + b)
show("texts.sha256", h.hexdigest())
