#!/usr/bin/python3
"""Writes LogLikeMap.Tests/TestData/scoring-extra: small random checkpoints beyond the shared scoring fixtures.

Each checkpoint covers a variant the shared three do not: mistral (grouped-query attention, a sliding window shorter
than the texts), qwen2 (q/k/v biases, tied head), llama with rope_scaling llama3 (F32 weights, attention biases) and
linear (tied head), untied gpt2 (scale_attn_by_inverse_layer_idx), gpt_neox with sequential residuals.

The reference log-likelihoods come from plain PyTorch forward passes written here from the Hugging Face definitions
(modeling_gpt2.py, modeling_llama.py, modeling_mistral.py, modeling_qwen2.py, modeling_gpt_neox.py,
modeling_rope_utils.py), with explicit softmax attention, independent of the C# code. As for the shared fixtures:
sum over t >= 1 of log p(ids[t] | ids[:t]) in nats, in float32 from the stored weights upcast to float32, summed in
double precision.

Tokenizer: every folder carries a byte-level BPE (vocab.json with GPT-2's 256 byte symbols plus <|endoftext|>, no
merges), so each text's ids are its UTF-8 bytes; no BOS is added. Transformers is not needed (nor available here).

Run with Debian's python3-torch (not a pyenv python): /usr/bin/python3 tools/make-scoring-fixtures.py
"""
import json
import math
import os
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SHARED_TEXTS = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "scoring", "texts.jsonl")
OUT = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "scoring-extra")
TEXT_COUNT = 6
VOCAB = 260  # 256 bytes + <|endoftext|>, rounded up as HF models often pad their vocabulary

# ---------------------------------------------------------------------------------------------- tokenizer


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (tokenization_gpt2.py)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def write_tokenizer(folder):
    vocab = {symbol: byte for byte, symbol in bytes_to_unicode().items()}
    vocab["<|endoftext|>"] = 256
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(dict(sorted(vocab.items(), key=lambda kv: kv[1])), f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")


# ---------------------------------------------------------------------------------------------- safetensors

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def stored(tensor, dtype):
    """The tensor rounded to the storage dtype, back in float32: what a loader gets after upcasting."""
    return tensor.to(DTYPES[dtype]).to(torch.float32)


def raw_bytes(tensor, dtype):
    t = tensor.to(DTYPES[dtype]).contiguous()
    if dtype == "BF16":
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are the same
    return t.numpy().tobytes()


def write_safetensors(path, weights, dtype):
    """The safetensors layout: u64 header length, JSON header (padded with spaces to 8 bytes), raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(weights):
        blob = raw_bytes(weights[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(weights[name].shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


# ---------------------------------------------------------------------------------------------- shared maths


def causal_attention(q, k, v, window=None):
    """softmax(q k^T / sqrt(d) + mask) v with an explicit mask: j > i hidden, and i - j >= window hidden."""
    t = q.shape[-2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    i = torch.arange(t).unsqueeze(1)
    j = torch.arange(t).unsqueeze(0)
    hidden = j > i
    if window is not None:
        hidden = hidden | (i - j >= window)
    scores = scores.masked_fill(hidden, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_exact(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def inverse_frequencies(dim, theta, scaling):
    """modeling_rope_utils.py: default, linear and llama3."""
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    if scaling is None:
        return inv
    if scaling.get("rope_type", scaling.get("type")) == "linear":
        return inv / scaling["factor"]
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, scaled)


def rotary(x, inv):
    """apply_rotary_pos_emb on x (heads, T, d) with rotate_half."""
    t = x.shape[-2]
    freqs = torch.outer(torch.arange(t).float(), inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * emb.cos() + rotated * emb.sin()


# ---------------------------------------------------------------------------------------------- forward passes


def gpt2_logits(c, w, ids):
    t, n, nh = len(ids), c["n_embd"], c["n_head"]
    hs = n // nh
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], c["layer_norm_epsilon"])
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]  # Conv1D: x @ W, W is (in, out)
        q, k, v = (part.view(t, nh, hs).transpose(0, 1) for part in qkv.split(n, dim=-1))
        if c.get("scale_attn_by_inverse_layer_idx"):
            q = q / (i + 1)
        y = causal_attention(q, k, v).transpose(0, 1).reshape(t, n)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], c["layer_norm_epsilon"])
        h = gelu_tanh(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], c["layer_norm_epsilon"])
    head = w["transformer.wte.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def llama_logits(c, w, ids, qkv_bias, o_bias, window, first_window_layer):
    t, nh, nkv = len(ids), c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or c["hidden_size"] // nh
    inv = inverse_frequencies(hd, c["rope_theta"], c.get("rope_scaling"))
    eps = c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name, heads):
            y = h @ w[p + f"self_attn.{name}.weight"].T
            if qkv_bias:
                y = y + w[p + f"self_attn.{name}.bias"]
            return y.view(t, heads, hd).transpose(0, 1)

        q, k, v = proj("q_proj", nh), proj("k_proj", nkv), proj("v_proj", nkv)
        q, k = rotary(q, inv), rotary(k, inv)
        k, v = k.repeat_interleave(nh // nkv, dim=0), v.repeat_interleave(nh // nkv, dim=0)  # repeat_kv
        y = causal_attention(q, k, v, window if i >= first_window_layer else None).transpose(0, 1).reshape(t, nh * hd)
        y = y @ w[p + "self_attn.o_proj.weight"].T
        if o_bias:
            y = y + w[p + "self_attn.o_proj.bias"]
        x = x + y
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T)
        x = x + (gate * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def neox_logits(c, w, ids):
    t, n, nh = len(ids), c["hidden_size"], c["num_attention_heads"]
    hs = n // nh
    rot = int(hs * c["rotary_pct"])
    inv = inverse_frequencies(rot, c["rotary_emb_base"], None)
    eps = c["layer_norm_eps"]
    x = w["gpt_neox.embed_in.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"gpt_neox.layers.{i}."
        h = layer_norm(x, w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"], eps)
        qkv = (h @ w[p + "attention.query_key_value.weight"].T + w[p + "attention.query_key_value.bias"])
        qkv = qkv.view(t, nh, 3 * hs).transpose(0, 1)  # per head: q, k, v side by side
        q, k, v = qkv[..., :hs], qkv[..., hs:2 * hs], qkv[..., 2 * hs:]
        q = torch.cat([rotary(q[..., :rot], inv), q[..., rot:]], dim=-1)
        k = torch.cat([rotary(k[..., :rot], inv), k[..., rot:]], dim=-1)
        y = causal_attention(q, k, v).transpose(0, 1).reshape(t, n)
        attn = y @ w[p + "attention.dense.weight"].T + w[p + "attention.dense.bias"]

        def mlp(z):
            z = layer_norm(z, w[p + "post_attention_layernorm.weight"], w[p + "post_attention_layernorm.bias"], eps)
            z = gelu_exact(z @ w[p + "mlp.dense_h_to_4h.weight"].T + w[p + "mlp.dense_h_to_4h.bias"])
            return z @ w[p + "mlp.dense_4h_to_h.weight"].T + w[p + "mlp.dense_4h_to_h.bias"]

        if c["use_parallel_residual"]:
            x = x + attn + mlp(x)
        else:
            x = x + attn
            x = x + mlp(x)
    x = layer_norm(x, w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"], eps)
    return x @ w["embed_out.weight"].T


# ---------------------------------------------------------------------------------------------- weights


def random_weights(shapes, generator):
    """Larger than the usual init (std 0.02) so that attention, rotations and norms all move the result."""
    weights = {}
    for name, shape in shapes.items():
        if name.endswith("norm.weight") or name.endswith("ln_1.weight") or name.endswith("ln_2.weight") \
                or name.endswith("ln_f.weight"):
            weights[name] = 1.0 + 0.1 * torch.randn(shape, generator=generator)
        elif name.endswith(".bias"):
            weights[name] = 0.1 * torch.randn(shape, generator=generator)
        else:
            fan_in = shape[0] if len(shape) == 1 or "c_" in name else shape[-1]
            std = 0.5 if "embed" in name or "wte" in name or "wpe" in name else 1.5 / math.sqrt(fan_in)
            weights[name] = std * torch.randn(shape, generator=generator)
    return weights


def gpt2_shapes(c):
    n, inner, s = c["n_embd"], 4 * c["n_embd"], {}
    s["transformer.wte.weight"] = (c["vocab_size"], n)
    s["transformer.wpe.weight"] = (c["n_positions"], n)
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        s.update({p + "ln_1.weight": (n,), p + "ln_1.bias": (n,), p + "ln_2.weight": (n,), p + "ln_2.bias": (n,),
                  p + "attn.c_attn.weight": (n, 3 * n), p + "attn.c_attn.bias": (3 * n,),
                  p + "attn.c_proj.weight": (n, n), p + "attn.c_proj.bias": (n,),
                  p + "mlp.c_fc.weight": (n, inner), p + "mlp.c_fc.bias": (inner,),
                  p + "mlp.c_proj.weight": (inner, n), p + "mlp.c_proj.bias": (n,)})
    s["transformer.ln_f.weight"] = (n,)
    s["transformer.ln_f.bias"] = (n,)
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], n)
    return s


def llama_shapes(c, qkv_bias, o_bias):
    n, nh, nkv, m = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
    hd = c.get("head_dim") or n // nh
    s = {"model.embed_tokens.weight": (c["vocab_size"], n), "model.norm.weight": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "post_attention_layernorm.weight": (n,),
                  p + "self_attn.q_proj.weight": (nh * hd, n), p + "self_attn.k_proj.weight": (nkv * hd, n),
                  p + "self_attn.v_proj.weight": (nkv * hd, n), p + "self_attn.o_proj.weight": (n, nh * hd),
                  p + "mlp.gate_proj.weight": (m, n), p + "mlp.up_proj.weight": (m, n), p + "mlp.down_proj.weight": (n, m)})
        if qkv_bias:
            s.update({p + "self_attn.q_proj.bias": (nh * hd,), p + "self_attn.k_proj.bias": (nkv * hd,),
                      p + "self_attn.v_proj.bias": (nkv * hd,)})
        if o_bias:
            s[p + "self_attn.o_proj.bias"] = (n,)
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], n)
    return s


def neox_shapes(c):
    n, m, s = c["hidden_size"], c["intermediate_size"], {}
    s["gpt_neox.embed_in.weight"] = (c["vocab_size"], n)
    for i in range(c["num_hidden_layers"]):
        p = f"gpt_neox.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "input_layernorm.bias": (n,),
                  p + "post_attention_layernorm.weight": (n,), p + "post_attention_layernorm.bias": (n,),
                  p + "attention.query_key_value.weight": (3 * n, n), p + "attention.query_key_value.bias": (3 * n,),
                  p + "attention.dense.weight": (n, n), p + "attention.dense.bias": (n,),
                  p + "mlp.dense_h_to_4h.weight": (m, n), p + "mlp.dense_h_to_4h.bias": (m,),
                  p + "mlp.dense_4h_to_h.weight": (n, m), p + "mlp.dense_4h_to_h.bias": (n,)})
    s["gpt_neox.final_layer_norm.weight"] = (n,)
    s["gpt_neox.final_layer_norm.bias"] = (n,)
    s["embed_out.weight"] = (c["vocab_size"], n)
    return s


# ---------------------------------------------------------------------------------------------- the checkpoints


def llama_config(model_type, **extra):
    c = {"model_type": model_type, "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 48,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
         "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False}
    c.update(extra)
    return c


CHECKPOINTS = [
    # name, dtype, config, shapes, logits
    ("mistral-window", "BF16",
     llama_config("mistral", sliding_window=48, max_position_embeddings=1024),
     lambda c: llama_shapes(c, False, False),
     lambda c, w, ids: llama_logits(c, w, ids, False, False, c["sliding_window"], 0)),
    ("qwen2-tied", "F16",
     llama_config("qwen2", tie_word_embeddings=True, rope_theta=1000000.0),
     lambda c: llama_shapes(c, True, False),
     lambda c, w, ids: llama_logits(c, w, ids, True, False, None, 0)),
    ("llama-rope-llama3", "F32",
     llama_config("llama", attention_bias=True, head_dim=16, rope_theta=500000.0,
                  rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
     lambda c: llama_shapes(c, True, True),
     lambda c, w, ids: llama_logits(c, w, ids, True, True, None, 0)),
    ("llama-rope-linear", "BF16",
     llama_config("llama", tie_word_embeddings=True, rope_scaling={"type": "linear", "factor": 4.0}),
     lambda c: llama_shapes(c, False, False),
     lambda c, w, ids: llama_logits(c, w, ids, False, False, None, 0)),
    ("gpt2-untied", "F16",
     {"model_type": "gpt2", "vocab_size": VOCAB, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 512,
      "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "tie_word_embeddings": False,
      "scale_attn_by_inverse_layer_idx": True},
     gpt2_shapes, gpt2_logits),
    ("neox-sequential", "F16",
     {"model_type": "gpt_neox", "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 64,
      "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 512, "rotary_pct": 0.25,
      "rotary_emb_base": 10000, "layer_norm_eps": 1e-5, "use_parallel_residual": False, "hidden_act": "gelu",
      "tie_word_embeddings": False},
     neox_shapes, neox_logits),
]


def read_safetensors(path):
    """Every tensor of a safetensors file, upcast to float32."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = bytearray(data[start:end])
        if info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]])
        out[name] = t.to(torch.float32).reshape(info["shape"])
    return out


def check_against_shared_fixtures():
    """The forward passes here must reproduce the shared fixtures' reference numbers before they make new ones."""
    shared = os.path.dirname(SHARED_TEXTS)
    forwards = {"gpt2-tiny": gpt2_logits, "neox-tiny": neox_logits,
                "llama-spm": lambda c, w, ids: llama_logits(c, w, ids, False, False, None, 0)}
    for name, logits in forwards.items():
        with open(os.path.join(shared, name, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        weights = read_safetensors(os.path.join(shared, name, "model.safetensors"))
        with open(os.path.join(shared, name + ".expected.json"), encoding="utf-8") as f:
            expected = json.load(f)
        with open(os.path.join(shared, name + ".ids.jsonl"), encoding="utf-8") as f:
            all_ids = [json.loads(line)["ids"] for line in f][:3]
        for ids, want in zip(all_ids, expected):
            with torch.no_grad():
                lp = torch.log_softmax(logits(config, weights, torch.tensor(ids)).float(), dim=-1)
            got = sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1))
            if abs(got - want) > 1e-5 * abs(want):
                raise SystemExit(f"{name}: this script's forward gives {got}, the shared reference {want}")
        print(name, "reproduces the shared reference")


def max_positions(c):
    for key in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        if key in c:
            return c[key]
    return 2048


def main():
    check_against_shared_fixtures()
    os.makedirs(OUT, exist_ok=True)
    with open(SHARED_TEXTS, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f][:TEXT_COUNT]
    with open(os.path.join(OUT, "texts.jsonl"), "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")

    generator = torch.Generator().manual_seed(20250531)
    for name, dtype, config, shapes, logits in CHECKPOINTS:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        weights = random_weights(shapes(config), generator)
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(config, torch_dtype={"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]), f, indent=2)
        write_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)
        write_tokenizer(folder)
        upcast = {k: stored(v, dtype) for k, v in weights.items()}

        ids_lines, expected = [], []
        for t in texts:
            ids = list(t["text"].encode("utf-8"))[:max_positions(config)]  # byte-level, no merges, no BOS
            ids_lines.append(json.dumps({"index": t["index"], "ids": ids}))
            with torch.no_grad():
                lp = torch.log_softmax(logits(config, upcast, torch.tensor(ids)).float(), dim=-1)
            expected.append(sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1)))
        with open(os.path.join(OUT, name + ".ids.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(ids_lines) + "\n")
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f)
        print(name, dtype, [round(x, 3) for x in expected])


if __name__ == "__main__":
    main()
