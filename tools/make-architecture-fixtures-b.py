#!/usr/bin/python3
"""Writes LogLikeMap.Tests/TestData/architectures/<fixture>/ for gemma, gemma2, gemma3_text, phi3 and phi.

Each fixture is a tiny random checkpoint (config.json, safetensors in F32, F16 or BF16, one of them sharded with an
index and two shards, and the byte-level tokenizer of tools/make-scoring-fixtures.py), with <fixture>.ids.jsonl (each
text's token ids: its UTF-8 bytes, no BOS) and <fixture>.expected.json (each text's log-likelihood).

The reference log-likelihoods come from plain PyTorch forward passes written here from the Hugging Face definitions
(modeling_gemma.py, modeling_gemma2.py, modeling_gemma3.py, modeling_phi3.py, modeling_phi.py, modeling_rope_utils.py),
with explicit softmax attention and masks, independent of the C# code: sum over t >= 1 of log p(ids[t] | ids[:t]) in
nats, in float32 from the stored weights upcast to float32, summed in double precision. Each text is run alone, as the
paper's scorer runs it, so Phi-3's LongRoPE picks its short or long factors from that text's own length.

The features each fixture must reach are checked here and printed: soft-capping that changes scores and logits by
more than a little, sliding windows shorter than the texts, texts on both sides of Phi-3's
original_max_position_embeddings.

Run with Debian's python3-torch (not a pyenv python): /usr/bin/python3 tools/make-architecture-fixtures-b.py
"""
import importlib.util
import json
import math
import os

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "architectures")
LONG_TEXTS = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "scoring-extra", "texts.jsonl")
VOCAB = 260

# The safetensors and tokenizer writers, and the Llama forward used to cross-check Phi-3's fused projections.
_spec = importlib.util.spec_from_file_location("scoring_fixtures", os.path.join(ROOT, "tools", "make-scoring-fixtures.py"))
sf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sf)

# Short texts beside the shared long ones: Phi-3's long factors start past 64 tokens here, so texts of 64 bytes and
# fewer must use the short factors and the 65-byte one the long factors.
SHORT_TEXTS = [
    "Short texts rotate with the short factors.",
    "This sentence is exactly sixty-four bytes long, as it should be!",
    "This sentence is exactly sixty-five bytes long, as it should be!!",
    "A.",
]

# ---------------------------------------------------------------------------------------------- shared maths


def attention(q, k, v, scale, window=None, softcap=None):
    """softmax(mask(cap(q k^T * scale))) v: j > i hidden, and i - j >= window hidden on sliding layers."""
    t = q.shape[-2]
    scores = q @ k.transpose(-1, -2) * scale
    if softcap is not None:
        scores = torch.tanh(scores / softcap) * softcap
    i = torch.arange(t).unsqueeze(1)
    j = torch.arange(t).unsqueeze(0)
    hidden = j > i
    if window is not None:
        hidden = hidden | (i - j >= window)
    scores = scores.masked_fill(hidden, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def gemma_rms_norm(x, w, eps):
    """GemmaRMSNorm: the weight is stored centred on 0 and applied as (1 + w)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (1.0 + w)


def default_inverse_frequencies(dim, theta):
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def rotate(x, inv, attention_factor=1.0):
    """apply_rotary_pos_emb on the first 2 len(inv) features of x (heads, T, d); the rest pass through."""
    t, rot = x.shape[-2], 2 * inv.shape[0]
    freqs = torch.outer(torch.arange(t).float(), inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos() * attention_factor, emb.sin() * attention_factor
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    half = rot // 2
    rotated = torch.cat([-x_rot[..., half:], x_rot[..., :half]], dim=-1)
    return torch.cat([x_rot * cos + rotated * sin, x_pass], dim=-1)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def capped(x, cap):
    return x if cap is None else torch.tanh(x / cap) * cap


# The largest |x| / cap seen before each capping, to show the capping is reached.
CAP_REACH = {}


def note_cap(kind, x, cap):
    if cap is not None:
        CAP_REACH[kind] = max(CAP_REACH.get(kind, 0.0), float(x.abs().max()) / cap)


# ---------------------------------------------------------------------------------------------- Gemma 1, 2, 3


def gemma_sliding_layers(c):
    """Which layers slide: layer_types, else Gemma 2's even layers, else Gemma 3's sliding_window_pattern."""
    n = c["num_hidden_layers"]
    if "layer_types" in c:
        return [kind == "sliding_attention" for kind in c["layer_types"]]
    if c["model_type"] == "gemma":
        return [False] * n
    pattern = 2 if c["model_type"] == "gemma2" else c.get("sliding_window_pattern", 6)
    return [(i + 1) % pattern != 0 for i in range(n)]


def gemma_logits(c, w, ids):
    kind = c["model_type"]
    t, nh, nkv, hd, eps = len(ids), c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["rms_norm_eps"]
    later = kind in ("gemma2", "gemma3_text")
    scale = (c["query_pre_attn_scalar"] if later else hd) ** -0.5
    attn_cap = c.get("attn_logit_softcapping") if later else None
    final_cap = c.get("final_logit_softcapping") if later else None
    theta = c["rope_theta"]
    inv_global = default_inverse_frequencies(hd, theta)
    scaling = c.get("rope_scaling")
    if scaling is not None:  # only linear is used here: positions divided by the factor
        assert scaling["rope_type"] == "linear"
        inv_global = inv_global / scaling["factor"]
    inv_local = default_inverse_frequencies(hd, c["rope_local_base_freq"]) if kind == "gemma3_text" else inv_global
    sliding = gemma_sliding_layers(c)

    x = w["model.embed_tokens.weight"][ids] * math.sqrt(c["hidden_size"])
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = gemma_rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(t, nh, hd).transpose(0, 1)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(t, nkv, hd).transpose(0, 1)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(t, nkv, hd).transpose(0, 1)
        if kind == "gemma3_text":
            q = gemma_rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = gemma_rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        inv = inv_local if sliding[i] else inv_global
        q, k = rotate(q, inv), rotate(k, inv)
        k, v = k.repeat_interleave(nh // nkv, dim=0), v.repeat_interleave(nh // nkv, dim=0)
        note_cap("attention", q @ k.transpose(-1, -2) * scale, attn_cap)
        window = c["sliding_window"] if sliding[i] else None
        y = attention(q, k, v, scale, window, attn_cap).transpose(0, 1).reshape(t, nh * hd)
        y = y @ w[p + "self_attn.o_proj.weight"].T

        def mlp(z):
            gate = gelu_tanh(z @ w[p + "mlp.gate_proj.weight"].T)
            return (gate * (z @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T

        if later:
            x = x + gemma_rms_norm(y, w[p + "post_attention_layernorm.weight"], eps)
            m = mlp(gemma_rms_norm(x, w[p + "pre_feedforward_layernorm.weight"], eps))
            x = x + gemma_rms_norm(m, w[p + "post_feedforward_layernorm.weight"], eps)
        else:
            x = x + y
            x = x + mlp(gemma_rms_norm(x, w[p + "post_attention_layernorm.weight"], eps))
    x = gemma_rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    logits = x @ head.T
    note_cap("final logits", logits, final_cap)
    return capped(logits, final_cap)


def gemma_shapes(c):
    n, nh, nkv, hd, m = (c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"],
                         c["intermediate_size"])
    s = {"model.embed_tokens.weight": (c["vocab_size"], n), "model.norm.weight": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "post_attention_layernorm.weight": (n,),
                  p + "self_attn.q_proj.weight": (nh * hd, n), p + "self_attn.k_proj.weight": (nkv * hd, n),
                  p + "self_attn.v_proj.weight": (nkv * hd, n), p + "self_attn.o_proj.weight": (n, nh * hd),
                  p + "mlp.gate_proj.weight": (m, n), p + "mlp.up_proj.weight": (m, n), p + "mlp.down_proj.weight": (n, m)})
        if c["model_type"] in ("gemma2", "gemma3_text"):
            s.update({p + "pre_feedforward_layernorm.weight": (n,), p + "post_feedforward_layernorm.weight": (n,)})
        if c["model_type"] == "gemma3_text":
            s.update({p + "self_attn.q_norm.weight": (hd,), p + "self_attn.k_norm.weight": (hd,)})
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], n)
    return s


# ---------------------------------------------------------------------------------------------- Phi-3


def phi3_rotary(c, t):
    """Inverse frequencies and attention factor for a sequence of t positions (HF's longrope update judges t)."""
    hd = c["hidden_size"] // c["num_attention_heads"]
    dim = int(hd * c.get("partial_rotary_factor", 1.0))
    scaling = c.get("rope_scaling")
    if scaling is None:
        return default_inverse_frequencies(dim, c["rope_theta"]), 1.0
    assert scaling["type"] in ("longrope", "su")
    original = c["original_max_position_embeddings"]
    factor = c["max_position_embeddings"] / original
    attention_factor = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(original))
    ext = torch.tensor(scaling["long_factor"] if t > original else scaling["short_factor"], dtype=torch.float32)
    shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
    return 1.0 / (ext * c["rope_theta"] ** shape), attention_factor


def phi3_logits(c, w, ids):
    t, nh, nkv, eps = len(ids), c["num_attention_heads"], c["num_key_value_heads"], c["rms_norm_eps"]
    n, m = c["hidden_size"], c["intermediate_size"]
    hd = n // nh
    inv, attention_factor = phi3_rotary(c, t)
    window = c.get("sliding_window")
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = sf.rms_norm(x, w[p + "input_layernorm.weight"], eps)
        qkv = h @ w[p + "self_attn.qkv_proj.weight"].T  # all q heads, then all k heads, then all v heads
        q = qkv[:, :nh * hd].view(t, nh, hd).transpose(0, 1)
        k = qkv[:, nh * hd:(nh + nkv) * hd].view(t, nkv, hd).transpose(0, 1)
        v = qkv[:, (nh + nkv) * hd:].view(t, nkv, hd).transpose(0, 1)
        q, k = rotate(q, inv, attention_factor), rotate(k, inv, attention_factor)
        k, v = k.repeat_interleave(nh // nkv, dim=0), v.repeat_interleave(nh // nkv, dim=0)
        y = attention(q, k, v, hd ** -0.5, window).transpose(0, 1).reshape(t, nh * hd)
        x = x + y @ w[p + "self_attn.o_proj.weight"].T
        h = sf.rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate_up = h @ w[p + "mlp.gate_up_proj.weight"].T
        gate, up = gate_up[:, :m], gate_up[:, m:]
        x = x + (up * torch.nn.functional.silu(gate)) @ w[p + "mlp.down_proj.weight"].T
    x = sf.rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def phi3_shapes(c):
    n, nh, nkv, m = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
    hd = n // nh
    s = {"model.embed_tokens.weight": (c["vocab_size"], n), "model.norm.weight": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "post_attention_layernorm.weight": (n,),
                  p + "self_attn.qkv_proj.weight": ((nh + 2 * nkv) * hd, n), p + "self_attn.o_proj.weight": (n, nh * hd),
                  p + "mlp.gate_up_proj.weight": (2 * m, n), p + "mlp.down_proj.weight": (n, m)})
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], n)
    return s


# ---------------------------------------------------------------------------------------------- Phi (phi-2)


def phi_logits(c, w, ids):
    t, nh, nkv, eps = len(ids), c["num_attention_heads"], c["num_key_value_heads"], c["layer_norm_eps"]
    hd = c["hidden_size"] // nh
    inv = default_inverse_frequencies(int(hd * c["partial_rotary_factor"]), c["rope_theta"])
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = sf.layer_norm(x, w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"], eps)

        def proj(name, heads):
            y = h @ w[p + f"self_attn.{name}.weight"].T + w[p + f"self_attn.{name}.bias"]
            return y.view(t, heads, hd).transpose(0, 1)

        q, k, v = proj("q_proj", nh), proj("k_proj", nkv), proj("v_proj", nkv)
        if c["qk_layernorm"]:  # over each head's features
            q = sf.layer_norm(q, w[p + "self_attn.q_layernorm.weight"], w[p + "self_attn.q_layernorm.bias"], eps)
            k = sf.layer_norm(k, w[p + "self_attn.k_layernorm.weight"], w[p + "self_attn.k_layernorm.bias"], eps)
        q, k = rotate(q, inv), rotate(k, inv)
        k, v = k.repeat_interleave(nh // nkv, dim=0), v.repeat_interleave(nh // nkv, dim=0)
        y = attention(q, k, v, hd ** -0.5).transpose(0, 1).reshape(t, nh * hd)
        attn = y @ w[p + "self_attn.dense.weight"].T + w[p + "self_attn.dense.bias"]
        mlp = gelu_tanh(h @ w[p + "mlp.fc1.weight"].T + w[p + "mlp.fc1.bias"]) @ w[p + "mlp.fc2.weight"].T \
            + w[p + "mlp.fc2.bias"]
        x = x + attn + mlp  # attention and MLP in parallel from one LayerNorm
    x = sf.layer_norm(x, w["model.final_layernorm.weight"], w["model.final_layernorm.bias"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T + w["lm_head.bias"]


def phi_shapes(c):
    n, nh, nkv, m = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["intermediate_size"]
    hd = n // nh
    s = {"model.embed_tokens.weight": (c["vocab_size"], n),
         "model.final_layernorm.weight": (n,), "model.final_layernorm.bias": (n,), "lm_head.bias": (c["vocab_size"],)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "input_layernorm.bias": (n,),
                  p + "self_attn.q_proj.weight": (nh * hd, n), p + "self_attn.q_proj.bias": (nh * hd,),
                  p + "self_attn.k_proj.weight": (nkv * hd, n), p + "self_attn.k_proj.bias": (nkv * hd,),
                  p + "self_attn.v_proj.weight": (nkv * hd, n), p + "self_attn.v_proj.bias": (nkv * hd,),
                  p + "self_attn.dense.weight": (n, nh * hd), p + "self_attn.dense.bias": (n,),
                  p + "mlp.fc1.weight": (m, n), p + "mlp.fc1.bias": (m,), p + "mlp.fc2.weight": (n, m), p + "mlp.fc2.bias": (n,)})
        if c["qk_layernorm"]:
            s.update({p + "self_attn.q_layernorm.weight": (hd,), p + "self_attn.q_layernorm.bias": (hd,),
                      p + "self_attn.k_layernorm.weight": (hd,), p + "self_attn.k_layernorm.bias": (hd,)})
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (c["vocab_size"], n)
    return s


# ---------------------------------------------------------------------------------------------- weights


def random_weights(shapes, generator, gemma_norms, matrix_gain=1.5):
    """Larger than the usual init so that attention, rotations, norms and capping all move the result. Gemma's norm
    weights are centred on 0 (applied as 1 + w); LayerNorm and Llama-style RMSNorm weights on 1."""
    weights = {}
    for name, shape in shapes.items():
        if "norm" in name and name.endswith(".weight"):
            weights[name] = (0.0 if gemma_norms else 1.0) + 0.1 * torch.randn(shape, generator=generator)
        elif name.endswith(".bias"):
            weights[name] = 0.1 * torch.randn(shape, generator=generator)
        elif "embed" in name:
            weights[name] = 0.5 * torch.randn(shape, generator=generator)
        else:
            weights[name] = matrix_gain / math.sqrt(shape[-1]) * torch.randn(shape, generator=generator)
    return weights


def write_sharded(folder, weights, dtype):
    """Two shards and model.safetensors.index.json, the layout save_pretrained writes for a large model."""
    names = sorted(weights)
    halves = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map, total = {}, 0
    for number, part in enumerate(halves, start=1):
        file = f"model-{number:05d}-of-{len(halves):05d}.safetensors"
        sf.write_safetensors(os.path.join(folder, file), {n: weights[n] for n in part}, dtype)
        for n in part:
            weight_map[n] = file
            total += weights[n].numel() * (4 if dtype == "F32" else 2)
    with open(os.path.join(folder, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


# ---------------------------------------------------------------------------------------------- the checkpoints


def gemma_config(model_type, **extra):
    c = {"model_type": model_type, "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 64,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
         "max_position_embeddings": 2048, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
         "hidden_activation": "gelu_pytorch_tanh", "tie_word_embeddings": True}
    c.update(extra)
    return c


def phi3_config(**extra):
    c = {"model_type": "phi3", "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096,
         "original_max_position_embeddings": 4096, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu",
         "tie_word_embeddings": False, "sliding_window": None}
    c.update(extra)
    return c


def phi_config(**extra):
    c = {"model_type": "phi", "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 128, "num_hidden_layers": 2,
         "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 2048, "layer_norm_eps": 1e-5,
         "rope_theta": 10000.0, "partial_rotary_factor": 0.5, "hidden_act": "gelu_new", "qk_layernorm": False,
         "tie_word_embeddings": False}
    c.update(extra)
    return c


# name, dtype, sharded, config, shapes, logits, matrix gain, what it exercises
CHECKPOINTS = [
    ("gemma-mqa", "BF16", False,
     # The first releases' config: hidden_act "gelu" beside hidden_activation "gelu_pytorch_tanh"; one key/value head
     # (gemma-2b), head_dim 16 with 4 heads of hidden 32 (head_dim is not hidden / heads, as in gemma-7b).
     gemma_config("gemma", num_key_value_heads=1, hidden_act="gelu"),
     gemma_shapes, gemma_logits, 1.5),
    ("gemma2-softcap", "F32", False,
     # Both soft-cappings low enough to bite, query_pre_attn_scalar 24 (not head_dim), a window of 40 on layer 0.
     gemma_config("gemma2", num_hidden_layers=3, query_pre_attn_scalar=24, attn_logit_softcapping=2.0,
                  final_logit_softcapping=3.0, sliding_window=40, tie_word_embeddings=False),
     gemma_shapes, gemma_logits, 3.0),
    ("gemma3-sharded", "F16", True,
     # Layers 0 and 1 slide (window 32, local base 10000), layer 2 is global (base 1e6, linear scaling 8); q/k norms.
     gemma_config("gemma3_text", num_hidden_layers=3, sliding_window_pattern=3, sliding_window=32,
                  query_pre_attn_scalar=16, rope_theta=1000000.0, rope_local_base_freq=10000.0,
                  rope_scaling={"rope_type": "linear", "factor": 8.0}),
     gemma_shapes, gemma_logits, 1.5),
    ("gemma3-layer-types", "BF16", False,
     # layer_types given outright (global first), GQA 4:1, final soft-capping set, no rope scaling, and
     # query_pre_attn_scalar 24 unlike head_dim 16 (gemma-3-27b: 168 and 128) without attention capping.
     gemma_config("gemma3_text", num_hidden_layers=2, num_key_value_heads=1, query_pre_attn_scalar=24,
                  layer_types=["full_attention", "sliding_attention"], sliding_window=24, rope_theta=1000000.0,
                  rope_local_base_freq=10000.0, final_logit_softcapping=4.0, tie_word_embeddings=False),
     gemma_shapes, gemma_logits, 1.5),
    ("phi3-longrope-sharded", "BF16", True,
     # LongRoPE under its old name "su", original_max_position_embeddings 64 of 512 (factor 8, attention factor
     # sqrt(1 + ln 8 / ln 64)), short texts on both sides of 64 tokens, no window.
     phi3_config(max_position_embeddings=512, original_max_position_embeddings=64,
                 rope_scaling={"type": "su", "short_factor": [1.0, 1.1, 1.6, 2.5],
                               "long_factor": [1.3, 2.0, 5.0, 12.0]}),
     phi3_shapes, phi3_logits, 1.5),
    ("phi3-window-partial", "F16", False,
     # Phi-4-mini's shape: 3/4 of each head rotates, tied head; a sliding window of 48.
     phi3_config(partial_rotary_factor=0.75, tie_word_embeddings=True, sliding_window=48, num_key_value_heads=1),
     phi3_shapes, phi3_logits, 1.5),
    ("phi2", "F16", False,
     phi_config(),
     phi_shapes, phi_logits, 1.5),
    ("phi-qk-layernorm", "F32", False,
     # qk_layernorm, grouped-query attention, a quarter of each head rotating, tied head (lm_head keeps its bias).
     phi_config(qk_layernorm=True, num_key_value_heads=2, partial_rotary_factor=0.25, tie_word_embeddings=True),
     phi_shapes, phi_logits, 1.5),
]


def check_phi3_against_llama():
    """Phi-3 without LongRoPE is Llama with q/k/v and gate/up fused: this script's phi3 forward must equal the Llama
    forward of tools/make-scoring-fixtures.py (which reproduces the shared fixtures) on the same weights."""
    generator = torch.Generator().manual_seed(7)
    c = phi3_config()
    llama = sf.llama_config("llama", hidden_size=32, intermediate_size=48, num_attention_heads=4, num_key_value_heads=2,
                            rms_norm_eps=1e-5)
    w = random_weights(sf.llama_shapes(llama, False, False), generator, gemma_norms=False)
    fused = {k: v for k, v in w.items() if "proj" not in k}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        fused[p + "self_attn.qkv_proj.weight"] = torch.cat(
            [w[p + "self_attn.q_proj.weight"], w[p + "self_attn.k_proj.weight"], w[p + "self_attn.v_proj.weight"]])
        fused[p + "self_attn.o_proj.weight"] = w[p + "self_attn.o_proj.weight"]
        fused[p + "mlp.gate_up_proj.weight"] = torch.cat([w[p + "mlp.gate_proj.weight"], w[p + "mlp.up_proj.weight"]])
        fused[p + "mlp.down_proj.weight"] = w[p + "mlp.down_proj.weight"]
    ids = torch.tensor(list("fused projections split as Llama's".encode("utf-8")))
    with torch.no_grad():
        a = phi3_logits(c, fused, ids)
        b = sf.llama_logits(llama, w, ids, False, False, None, 0)
    if not torch.allclose(a, b, rtol=1e-5, atol=1e-5):
        raise SystemExit(f"phi3 forward differs from the Llama forward by {float((a - b).abs().max())}")
    print("phi3 forward without LongRoPE equals the Llama forward")


def main():
    check_phi3_against_llama()
    os.makedirs(OUT, exist_ok=True)
    with open(LONG_TEXTS, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    texts += [{"index": len(texts) + i, "text": s} for i, s in enumerate(SHORT_TEXTS)]
    with open(os.path.join(OUT, "texts.jsonl"), "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"index": t["index"], "text": t["text"]}, ensure_ascii=False) + "\n")

    generator = torch.Generator().manual_seed(20260515)
    for name, dtype, sharded, config, shapes, logits, gain, in CHECKPOINTS:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        for stale in os.listdir(folder):
            os.remove(os.path.join(folder, stale))
        weights = random_weights(shapes(config), generator, gemma_norms=config["model_type"].startswith("gemma"),
                                 matrix_gain=gain)
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(config, torch_dtype={"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]), f, indent=2)
        if sharded:
            write_sharded(folder, weights, dtype)
        else:
            sf.write_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)
        sf.write_tokenizer(folder)
        upcast = {k: sf.stored(v, dtype) for k, v in weights.items()}

        CAP_REACH.clear()
        ids_lines, expected, lengths = [], [], []
        for t in texts:
            ids = list(t["text"].encode("utf-8"))[:config["max_position_embeddings"]]  # byte-level, no BOS
            ids_lines.append(json.dumps({"index": t["index"], "ids": ids}))
            lengths.append(len(ids))
            with torch.no_grad():
                lp = torch.log_softmax(logits(config, upcast, torch.tensor(ids)).float(), dim=-1)
            expected.append(sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1)))
        with open(os.path.join(OUT, name + ".ids.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(ids_lines) + "\n")
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f)

        reached = {kind: round(r, 2) for kind, r in CAP_REACH.items()}
        window = config.get("sliding_window")
        original = config.get("original_max_position_embeddings") if config.get("rope_scaling") else None
        print(name, dtype, "sharded" if sharded else "", "texts", min(lengths), "to", max(lengths), "tokens;",
              f"window {window} (shorter than {sum(n > window for n in lengths)} texts);" if window else "",
              f"max |x|/cap {reached};" if reached else "",
              f"{sum(n <= original for n in lengths)} texts <= {original} < {sum(n > original for n in lengths)} texts;"
              if original else "",
              [round(x, 2) for x in expected])


if __name__ == "__main__":
    main()
