#!/usr/bin/python3
"""Writes LogLikeMap.Tests/TestData/architectures/<fixture>: tiny random checkpoints of qwen3, qwen3_moe, qwen2_moe,
mixtral, olmo2 and stablelm, each with reference log-likelihoods from a plain-PyTorch forward pass written here from
the Hugging Face definitions (modeling_qwen3.py, modeling_qwen3_moe.py, modeling_qwen2_moe.py, modeling_mixtral.py,
modeling_olmo2.py, modeling_stablelm.py and their configuration_*.py defaults), with explicit softmax attention and
no transformers import. Nothing here reads what the C# code writes.

What the fixtures exercise: Qwen3's per-head q/k RMSNorm and explicit head_dim (not hidden/heads), Qwen3's sliding
window (48 positions, shorter than the 512-token texts) from max_window_layers on; the mixtures of experts routed
token by token to different experts (the script checks that every expert of every sparse layer is chosen by some
token and that the k choices differ), with and without norm_topk_prob, mlp_only_layers, Qwen2-MoE's sigmoid-gated
shared expert, Mixtral's renormalised top-2 and its sliding window; OLMo 2's post-norms and whole-projection q/k norms;
StableLM's LayerNorms with biases, partial rotary, q/k/v biases, per-head q/k LayerNorms and the parallel residual.
The expert computation here is dense (every expert on every token, then the chosen outputs gathered), a different
formulation from the C# code's per-expert dispatch. Dtypes F32, F16 and BF16; mixtral is split into two shards with
model.safetensors.index.json.

Reference numbers: sum over t >= 1 of log p(ids[t] | ids[:t]) in nats, in float32 from the stored weights upcast to
float32, summed in double precision, as tools/make-scoring-fixtures.py (whose tokenizer and safetensors writers this
script imports: byte-level vocab.json, each text's ids are its UTF-8 bytes, no BOS).

Run with Debian's python3-torch: /usr/bin/python3 tools/make-architecture-fixtures-a.py
"""
import importlib.util
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
TEXTS = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "scoring-extra", "texts.jsonl")
OUT = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "architectures")
VOCAB = 260

_spec = importlib.util.spec_from_file_location("scoring_fixtures", os.path.join(HERE, "make-scoring-fixtures.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

# ---------------------------------------------------------------------------------------------- maths


def linear(x, w, p, name, bias):
    y = x @ w[p + name + ".weight"].T
    return y + w[p + name + ".bias"] if bias else y


def rms_norm(x, weight, eps):
    """T5/Llama RMSNorm: x / sqrt(mean(x^2) + eps) * weight (all float32 here, so where the weight is applied is moot)."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps) * weight
    return y if bias is None else y + bias


def inverse_frequencies(dim, theta):
    """_compute_default_rope_parameters: 1 / theta^(2i/dim)."""
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def rope(x, inv):
    """apply_rotary_pos_emb with rotate_half on x (heads, T, d), d = 2 * len(inv)."""
    angles = torch.outer(torch.arange(x.shape[-2]).float(), inv)
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()
    half = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


def attend(q, k, v, window):
    """Softmax attention over (heads, T, hd) with repeat_kv, causal, and j hidden from i when i - j >= window."""
    groups = q.shape[0] // k.shape[0]
    k, v = k.repeat_interleave(groups, dim=0), v.repeat_interleave(groups, dim=0)
    t = q.shape[-2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    i, j = torch.arange(t).unsqueeze(1), torch.arange(t).unsqueeze(0)
    hidden = j > i
    if window is not None:
        hidden = hidden | (i - j >= window)
    return torch.softmax(scores.masked_fill(hidden, float("-inf")), -1) @ v


def swiglu(w, p, x, gate="gate_proj", up="up_proj", down="down_proj"):
    return (torch.nn.functional.silu(x @ w[p + gate + ".weight"].T) * (x @ w[p + up + ".weight"].T)) @ w[p + down + ".weight"].T


ROUTING = {}  # fixture -> list of (layer, expert choices (N, k)) for the routing checks


def experts_mix(w, p, x, experts, top_k, renormalise, names, record):
    """Router softmax over all experts, top-k, optional renormalisation; every expert computed on every token, then the
    chosen outputs gathered and weighted (dense, unlike the C# dispatch)."""
    probs = torch.softmax(x @ w[p + "gate.weight"].T, -1)                       # (N, E)
    weights, chosen = torch.topk(probs, top_k, -1)                               # (N, k)
    if renormalise:
        weights = weights / weights.sum(-1, keepdim=True)
    every = torch.stack([swiglu(w, f"{p}experts.{e}.", x, *names) for e in range(experts)])  # (E, N, C)
    rows = torch.arange(x.shape[0])
    out = sum(weights[:, j:j + 1] * every[chosen[:, j], rows] for j in range(top_k))
    record.append(chosen)
    return out


# ---------------------------------------------------------------------------------------------- forward passes


def llama_shaped_logits(c, w, ids, *, qkv_bias, o_bias, head_norm, window_from, ffn):
    """Qwen3 / Qwen2-MoE / Qwen3-MoE / Mixtral: pre-norm layers, rope on whole heads, optional per-head q/k RMSNorm."""
    t, nh, nkv = len(ids), c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or c["hidden_size"] // nh
    inv = inverse_frequencies(hd, c["rope_theta"])
    eps = c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, w, p, "self_attn.q_proj", qkv_bias).view(t, nh, hd)
        k = linear(h, w, p, "self_attn.k_proj", qkv_bias).view(t, nkv, hd)
        v = linear(h, w, p, "self_attn.v_proj", qkv_bias).view(t, nkv, hd)
        if head_norm:
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = rope(q.transpose(0, 1), inv), rope(k.transpose(0, 1), inv), v.transpose(0, 1)
        window = c.get("sliding_window") if window_from is not None and i >= window_from else None
        y = attend(q, k, v, window).transpose(0, 1).reshape(t, nh * hd)
        x = x + linear(y, w, p, "self_attn.o_proj", o_bias)
        x = x + ffn(i, p, rms_norm(x, w[p + "post_attention_layernorm.weight"], eps))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def qwen3_logits(c, w, ids, record):
    window_from = c["max_window_layers"] if c.get("use_sliding_window") else None
    return llama_shaped_logits(c, w, ids, qkv_bias=False, o_bias=False, head_norm=True, window_from=window_from,
                               ffn=lambda i, p, h: swiglu(w, p + "mlp.", h))


def qwen_sparse(c, i):
    """Qwen2MoeDecoderLayer / Qwen3MoeDecoderLayer: which layers hold the sparse block."""
    return i not in c.get("mlp_only_layers", []) and c["num_experts"] > 0 and (i + 1) % c["decoder_sparse_step"] == 0


def qwen3_moe_logits(c, w, ids, record):
    def ffn(i, p, h):
        if not qwen_sparse(c, i):
            return swiglu(w, p + "mlp.", h)
        return experts_mix(w, p + "mlp.", h, c["num_experts"], c["num_experts_per_tok"], c["norm_topk_prob"],
                           ("gate_proj", "up_proj", "down_proj"), record)
    return llama_shaped_logits(c, w, ids, qkv_bias=False, o_bias=False, head_norm=True, window_from=None, ffn=ffn)


def qwen2_moe_logits(c, w, ids, record):
    def ffn(i, p, h):
        if not qwen_sparse(c, i):
            return swiglu(w, p + "mlp.", h)
        routed = experts_mix(w, p + "mlp.", h, c["num_experts"], c["num_experts_per_tok"], c.get("norm_topk_prob", False),
                             ("gate_proj", "up_proj", "down_proj"), record)
        shared = torch.sigmoid(h @ w[p + "mlp.shared_expert_gate.weight"].T) * swiglu(w, p + "mlp.shared_expert.", h)
        return routed + shared
    return llama_shaped_logits(c, w, ids, qkv_bias=True, o_bias=False, head_norm=False, window_from=None, ffn=ffn)


def mixtral_logits(c, w, ids, record):
    def ffn(i, p, h):
        # MixtralBlockSparseTop2MLP: w2(silu(w1 x) * w3 x); routing always renormalised over the chosen experts.
        return experts_mix(w, p + "block_sparse_moe.", h, c["num_local_experts"], c["num_experts_per_tok"], True,
                           ("w1", "w3", "w2"), record)
    return llama_shaped_logits(c, w, ids, qkv_bias=False, o_bias=False, head_norm=False, window_from=0, ffn=ffn)


def olmo2_logits(c, w, ids, record):
    t, nh, nkv = len(ids), c["num_attention_heads"], c["num_key_value_heads"]
    hd = c["hidden_size"] // nh
    inv = inverse_frequencies(hd, c["rope_theta"])
    eps = c["rms_norm_eps"]
    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        # q_norm / k_norm over the whole projection (all heads at once), then the split into heads.
        q = rms_norm(linear(x, w, p, "self_attn.q_proj", False), w[p + "self_attn.q_norm.weight"], eps)
        k = rms_norm(linear(x, w, p, "self_attn.k_proj", False), w[p + "self_attn.k_norm.weight"], eps)
        v = linear(x, w, p, "self_attn.v_proj", False)
        q, k = rope(q.view(t, nh, hd).transpose(0, 1), inv), rope(k.view(t, nkv, hd).transpose(0, 1), inv)
        y = attend(q, k, v.view(t, nkv, hd).transpose(0, 1), None).transpose(0, 1).reshape(t, nh * hd)
        x = x + rms_norm(linear(y, w, p, "self_attn.o_proj", False), w[p + "post_attention_layernorm.weight"], eps)
        x = x + rms_norm(swiglu(w, p + "mlp.", x), w[p + "post_feedforward_layernorm.weight"], eps)
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def stablelm_logits(c, w, ids, record):
    t, nh, nkv = len(ids), c["num_attention_heads"], c["num_key_value_heads"]
    hd = c["hidden_size"] // nh
    rot = int(hd * c["partial_rotary_factor"])
    inv = inverse_frequencies(rot, c["rope_theta"])
    eps, bias = c["layer_norm_eps"], c["use_qkv_bias"]

    def ln(x, name):
        return layer_norm(x, w[name + ".weight"], w[name + ".bias"], eps)

    def per_head(x, p, heads):
        # StableLmLayerNormPerHead: head h of (heads, T, hd) through its own LayerNorm (weight, no bias).
        return torch.stack([layer_norm(x[h], w[f"{p}.norms.{h}.weight"], None, eps) for h in range(heads)])

    def partial_rope(x):
        return torch.cat([rope(x[..., :rot], inv), x[..., rot:]], -1)

    x = w["model.embed_tokens.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = ln(x, p + "input_layernorm")
        q = linear(h, w, p, "self_attn.q_proj", bias).view(t, nh, hd).transpose(0, 1)
        k = linear(h, w, p, "self_attn.k_proj", bias).view(t, nkv, hd).transpose(0, 1)
        v = linear(h, w, p, "self_attn.v_proj", bias).view(t, nkv, hd).transpose(0, 1)
        if c["qk_layernorm"]:
            q, k = per_head(q, p + "self_attn.q_layernorm", nh), per_head(k, p + "self_attn.k_layernorm", nkv)
        y = attend(partial_rope(q), partial_rope(k), v, None).transpose(0, 1).reshape(t, nh * hd)
        attn = linear(y, w, p, "self_attn.o_proj", False)
        if c["use_parallel_residual"]:
            x = x + attn + swiglu(w, p + "mlp.", h)
        else:
            x = x + attn
            x = x + swiglu(w, p + "mlp.", ln(x, p + "post_attention_layernorm"))
    x = ln(x, "model.norm")
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


# ---------------------------------------------------------------------------------------------- shapes


def mlp_shapes(p, n, m):
    return {p + "gate_proj.weight": (m, n), p + "up_proj.weight": (m, n), p + "down_proj.weight": (n, m)}


def attention_shapes(p, n, nh, nkv, hd, qkv_bias):
    s = {p + "q_proj.weight": (nh * hd, n), p + "k_proj.weight": (nkv * hd, n), p + "v_proj.weight": (nkv * hd, n),
         p + "o_proj.weight": (n, nh * hd)}
    if qkv_bias:
        s.update({p + "q_proj.bias": (nh * hd,), p + "k_proj.bias": (nkv * hd,), p + "v_proj.bias": (nkv * hd,)})
    return s


def llama_shaped_shapes(c, qkv_bias, head_norm, ffn_shapes):
    n, nh, nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or n // nh
    s = {"model.embed_tokens.weight": (VOCAB, n), "model.norm.weight": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update({p + "input_layernorm.weight": (n,), p + "post_attention_layernorm.weight": (n,)})
        s.update(attention_shapes(p + "self_attn.", n, nh, nkv, hd, qkv_bias))
        if head_norm:
            s.update({p + "self_attn.q_norm.weight": (hd,), p + "self_attn.k_norm.weight": (hd,)})
        s.update(ffn_shapes(i, p))
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (VOCAB, n)
    return s


def qwen_ffn_shapes(c, shared):
    n = c["hidden_size"]

    def shapes(i, p):
        if not qwen_sparse(c, i):
            return mlp_shapes(p + "mlp.", n, c["intermediate_size"])
        s = {p + "mlp.gate.weight": (c["num_experts"], n)}
        for e in range(c["num_experts"]):
            s.update(mlp_shapes(f"{p}mlp.experts.{e}.", n, c["moe_intermediate_size"]))
        if shared:
            s.update(mlp_shapes(p + "mlp.shared_expert.", n, c["shared_expert_intermediate_size"]))
            s[p + "mlp.shared_expert_gate.weight"] = (1, n)
        return s
    return shapes


def qwen3_shapes(c):
    return llama_shaped_shapes(c, False, True, lambda i, p: mlp_shapes(p + "mlp.", c["hidden_size"], c["intermediate_size"]))


def qwen3_moe_shapes(c):
    return llama_shaped_shapes(c, False, True, qwen_ffn_shapes(c, shared=False))


def qwen2_moe_shapes(c):
    return llama_shaped_shapes(c, True, False, qwen_ffn_shapes(c, shared=True))


def mixtral_shapes(c):
    n, m = c["hidden_size"], c["intermediate_size"]

    def shapes(i, p):
        s = {p + "block_sparse_moe.gate.weight": (c["num_local_experts"], n)}
        for e in range(c["num_local_experts"]):
            q = f"{p}block_sparse_moe.experts.{e}."
            s.update({q + "w1.weight": (m, n), q + "w3.weight": (m, n), q + "w2.weight": (n, m)})
        return s
    return llama_shaped_shapes(c, False, False, shapes)


def olmo2_shapes(c):
    n, nh, nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = n // nh
    s = {"model.embed_tokens.weight": (VOCAB, n), "model.norm.weight": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update(attention_shapes(p + "self_attn.", n, nh, nkv, hd, False))
        s.update({p + "self_attn.q_norm.weight": (nh * hd,), p + "self_attn.k_norm.weight": (nkv * hd,),
                  p + "post_attention_layernorm.weight": (n,), p + "post_feedforward_layernorm.weight": (n,)})
        s.update(mlp_shapes(p + "mlp.", n, c["intermediate_size"]))
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (VOCAB, n)
    return s


def stablelm_shapes(c):
    n, nh, nkv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = n // nh
    s = {"model.embed_tokens.weight": (VOCAB, n), "model.norm.weight": (n,), "model.norm.bias": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        s.update(attention_shapes(p + "self_attn.", n, nh, nkv, hd, c["use_qkv_bias"]))
        s.update({p + "input_layernorm.weight": (n,), p + "input_layernorm.bias": (n,)})
        if not c["use_parallel_residual"]:
            s.update({p + "post_attention_layernorm.weight": (n,), p + "post_attention_layernorm.bias": (n,)})
        if c["qk_layernorm"]:
            s.update({f"{p}self_attn.q_layernorm.norms.{h}.weight": (hd,) for h in range(nh)})
            s.update({f"{p}self_attn.k_layernorm.norms.{h}.weight": (hd,) for h in range(nkv)})
        s.update(mlp_shapes(p + "mlp.", n, c["intermediate_size"]))
    if not c["tie_word_embeddings"]:
        s["lm_head.weight"] = (VOCAB, n)
    return s


def random_weights(shapes, generator):
    """Norm weights near one, biases small, matrices and embeddings larger than the usual init (std 0.02) so that
    attention, rotations, norms and routing all move the result."""
    weights = {}
    for name, shape in shapes.items():
        if "norm" in name and name.endswith(".weight"):
            weights[name] = 1.0 + 0.1 * torch.randn(shape, generator=generator)
        elif name.endswith(".bias"):
            weights[name] = 0.1 * torch.randn(shape, generator=generator)
        else:
            std = 0.5 if "embed" in name else 1.5 / math.sqrt(shape[-1])
            weights[name] = std * torch.randn(shape, generator=generator)
    return weights


# ---------------------------------------------------------------------------------------------- the fixtures


def config(model_type, **extra):
    c = {"model_type": model_type, "vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 48,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512,
         "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False}
    c.update(extra)
    return c


FIXTURES = [
    # name, dtype, shards, config, shapes, logits
    ("qwen3-bf16", "BF16", 1,
     config("qwen3", head_dim=16, rope_theta=1000000.0, tie_word_embeddings=True, use_sliding_window=False,
            sliding_window=None, max_window_layers=2),
     qwen3_shapes, qwen3_logits),
    ("qwen3-window-f16", "F16", 1,
     config("qwen3", head_dim=8, use_sliding_window=True, sliding_window=48, max_window_layers=1,
            layer_types=["full_attention", "sliding_attention"]),
     qwen3_shapes, qwen3_logits),
    ("qwen3-moe-f32", "F32", 1,
     config("qwen3_moe", head_dim=16, num_experts=8, num_experts_per_tok=2, moe_intermediate_size=24,
            norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[0], use_sliding_window=False),
     qwen3_moe_shapes, qwen3_moe_logits),
    ("qwen2-moe-bf16", "BF16", 1,
     config("qwen2_moe", num_hidden_layers=3, num_experts=6, num_experts_per_tok=3, moe_intermediate_size=16,
            shared_expert_intermediate_size=40, norm_topk_prob=False, decoder_sparse_step=1, mlp_only_layers=[1],
            rope_theta=1000000.0, tie_word_embeddings=True),
     qwen2_moe_shapes, qwen2_moe_logits),
    ("mixtral-window-sharded", "F16", 2,
     config("mixtral", num_local_experts=8, num_experts_per_tok=2, intermediate_size=24, sliding_window=40,
            rms_norm_eps=1e-5, rope_theta=1000000.0, max_position_embeddings=1024),
     mixtral_shapes, mixtral_logits),
    ("olmo2-bf16", "BF16", 1,
     config("olmo2", rms_norm_eps=1e-5, rope_theta=500000.0, attention_bias=False),
     olmo2_shapes, olmo2_logits),
    ("stablelm-f16", "F16", 1,
     {"model_type": "stablelm", "vocab_size": VOCAB, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
      "num_attention_heads": 4, "num_key_value_heads": 4, "max_position_embeddings": 512, "layer_norm_eps": 1e-5,
      "rope_theta": 10000, "partial_rotary_factor": 0.25, "use_qkv_bias": True, "qk_layernorm": False,
      "use_parallel_residual": False, "hidden_act": "silu", "tie_word_embeddings": False},
     stablelm_shapes, stablelm_logits),
    ("stablelm-parallel-f32", "F32", 1,
     {"model_type": "stablelm", "vocab_size": VOCAB, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
      "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 512, "layer_norm_eps": 1e-5,
      "rope_theta": 10000, "partial_rotary_factor": 0.5, "use_qkv_bias": False, "qk_layernorm": True,
      "use_parallel_residual": True, "hidden_act": "silu", "tie_word_embeddings": False},
     stablelm_shapes, stablelm_logits),
]


def write_weights(folder, weights, dtype, shards):
    if shards == 1:
        base.write_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)
        return
    names = sorted(weights)
    per_shard = math.ceil(len(names) / shards)
    weight_map, total = {}, 0
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {name: weights[name] for name in names[s * per_shard:(s + 1) * per_shard]}
        base.write_safetensors(os.path.join(folder, file), part, dtype)
        weight_map.update({name: file for name in part})
        total += sum(len(base.raw_bytes(t, dtype)) for t in part.values())
    with open(os.path.join(folder, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


def check_routing(name, config, records):
    """Routing spreads: each sparse layer sends each text's tokens to at least half the experts, every expert serves
    some token over the texts, and each token's k choices are distinct experts."""
    experts = config.get("num_experts") or config.get("num_local_experts")
    if not records:
        return
    total = torch.zeros(experts, dtype=torch.int64)
    for chosen in records:
        used = torch.bincount(chosen.flatten(), minlength=experts)
        total += used
        if int((used > 0).sum()) < max(2, experts // 2):
            raise SystemExit(f"{name}: a layer routes a text to few experts ({used.tolist()}); pick other weights")
        if any(len(set(row.tolist())) != chosen.shape[1] for row in chosen):
            raise SystemExit(f"{name}: a token chose one expert twice")
    if (total == 0).any():
        raise SystemExit(f"{name}: some expert is never chosen ({total.tolist()}); pick other weights")
    print(f"  {name}: tokens per expert over all sparse layers and texts: {total.tolist()}")


def check_against_llama_fixtures():
    """The shared Llama-shaped forward pass must reproduce references made earlier by tools/make-scoring-fixtures.py
    (llama-spm: the shared Llama fixture; mistral-window: grouped-query attention with a window of 48)."""
    for folder, name, window_from in (("scoring", "llama-spm", None), ("scoring-extra", "mistral-window", 0)):
        root = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", folder)
        with open(os.path.join(root, name, "config.json"), encoding="utf-8") as f:
            c = json.load(f)
        c.setdefault("num_key_value_heads", c["num_attention_heads"])
        weights = base.read_safetensors(os.path.join(root, name, "model.safetensors"))
        with open(os.path.join(root, name + ".expected.json"), encoding="utf-8") as f:
            expected = json.load(f)
        with open(os.path.join(root, name + ".ids.jsonl"), encoding="utf-8") as f:
            ids = json.loads(f.readline())["ids"]
        with torch.no_grad():
            lp = torch.log_softmax(llama_shaped_logits(
                c, weights, torch.tensor(ids), qkv_bias=False, o_bias=False, head_norm=False, window_from=window_from,
                ffn=lambda i, p, h: swiglu(weights, p + "mlp.", h)), -1)
        got = sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1))
        if abs(got - expected[0]) > 1e-5 * abs(expected[0]):
            raise SystemExit(f"{name}: this script's forward gives {got}, the earlier reference {expected[0]}")
        print(name, "reproduces the earlier reference")


def main():
    check_against_llama_fixtures()
    os.makedirs(OUT, exist_ok=True)
    with open(TEXTS, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    generator = torch.Generator().manual_seed(20251204)
    for name, dtype, shards, c, shapes, logits in FIXTURES:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        for stale in os.listdir(folder):
            os.remove(os.path.join(folder, stale))
        weights = random_weights(shapes(c), generator)
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(c, torch_dtype={"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]), f, indent=2)
        write_weights(folder, weights, dtype, shards)
        base.write_tokenizer(folder)
        upcast = {k: base.stored(v, dtype) for k, v in weights.items()}

        ids_lines, expected, record = [], [], []
        for t in texts:
            ids = list(t["text"].encode("utf-8"))[:c["max_position_embeddings"]]  # byte-level, no merges, no BOS
            ids_lines.append(json.dumps({"index": t["index"], "ids": ids}))
            with torch.no_grad():
                lp = torch.log_softmax(logits(c, upcast, torch.tensor(ids), record).float(), dim=-1)
            expected.append(sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1)))
        check_routing(name, c, record)
        with open(os.path.join(OUT, name + ".ids.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(ids_lines) + "\n")
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f)
        print(name, dtype, [round(x, 3) for x in expected])


if __name__ == "__main__":
    main()
