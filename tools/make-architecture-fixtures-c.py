#!/usr/bin/python3
"""Writes LogLikeMap.Tests/TestData/architectures/<fixture>: tiny random checkpoints of falcon, opt, bloom, gpt_bigcode
and gptj, with the reference log-likelihood of each text.

The references are plain PyTorch forward passes written here from the Hugging Face definitions (modeling_falcon.py,
modeling_opt.py, modeling_bloom.py, modeling_gpt_bigcode.py, modeling_gptj.py), with explicit softmax attention and no
transformers import, independent of the C# code (nothing the C# code writes is read). As for the other fixtures: sum
over t >= 1 of log p(ids[t] | ids[:t]) in nats, in float32 from the stored weights upcast to float32, summed in double
precision. The shared forward passes of tools/make-scoring-fixtures.py are checked against the shared fixtures before
anything is written, and its writers (safetensors, byte-level tokenizer) are reused.

What each fixture exercises:
- falcon-multi-query-bf16: falcon-7b's layout: multi_query (one key/value head, fused width hidden + 2 x head_dim),
  parallel attention and MLP under one input_layernorm, no biases, rotary with rope_theta 500000, untied head.
- falcon-new-decoder-sharded: falcon-40b's layout: new_decoder_architecture with num_kv_heads 2 of 4 heads (q heads
  grouped with their key and value in query_key_value), ln_attn and ln_mlp, F16 in two shards with an index.
- falcon-alibi: falcon-rw's layout: ALiBi (slopes, positions and their product in bfloat16 as HF has them, added
  before the 1/sqrt(head_dim) scale), per-head interleaved q/k/v, sequential attention then MLP, biases, 12 heads
  (slopes that bfloat16 rounds), F32, texts of 1,024 tokens.
- opt-pre-norm: do_layer_norm_before true with a final layer norm, learned positions offset by 2, ReLU, tied head, F16,
  keys under model.decoder.
- opt-post-norm-projected: opt-350m's layout: do_layer_norm_before false (no final norm), word_embed_proj_dim 16 under
  hidden 32 (project_in / project_out), BF16, keys under decoder. (as facebook's checkpoints store them).
- bloom-alibi-bf16: 12 heads (ALiBi slopes of a non-power of two), word_embeddings_layernorm, BF16.
- bloom-post-ln-residual: apply_residual_connection_post_layernorm true, 5 heads, F16, sizes under HF's common names
  (hidden_size, num_hidden_layers, num_attention_heads) where bloom-alibi-bf16 uses n_embed, n_layer, n_head.
- gpt-bigcode-multi-query: StarCoder's multi-query attention (c_attn width hidden + 2 x head_dim), n_inner, F16.
- gpt-bigcode-multi-head: multi_query false (per-head interleaved q/k/v), scale_attention_softmax_in_fp32 false, F32.
- gptj-partial-rotary: rotary_dim 4 of head_dim 8 (rotate_every_two), parallel attention and MLP under ln_1, no
  attention biases, lm_head with a bias, F32.
- gptj-full-rotary-bf16: rotary_dim equal to head_dim, BF16.

Token ids: every folder carries the byte-level tokenizer of the other fixtures (ids are UTF-8 bytes, no merges). OPT's
tokenizer prepends </s> (id 2), so the OPT fixtures' ids start with 2 and then the bytes; the others add nothing.

Run with Debian's python3-torch: /usr/bin/python3 tools/make-architecture-fixtures-c.py
"""
import importlib.util
import json
import math
import os

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "architectures")
TEXTS = os.path.join(ROOT, "LogLikeMap.Tests", "TestData", "scoring-extra", "texts.jsonl")
VOCAB = 260
OPT_BOS = 2  # OPT's tokenizer adds </s> (id 2) in front of every text

_spec = importlib.util.spec_from_file_location("scoring_fixtures", os.path.join(os.path.dirname(__file__), "make-scoring-fixtures.py"))
shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shared)
layer_norm, gelu_exact, gelu_tanh = shared.layer_norm, shared.gelu_exact, shared.gelu_tanh

# ---------------------------------------------------------------------------------------------- shared maths


def attend(q, k, v, scale, bias=None):
    """softmax(q k^T * scale + bias, causal) v for q (heads, T, d) and k, v (heads or 1, T, d), explicitly."""
    t = q.shape[-2]
    scores = (q @ k.transpose(-1, -2)) * scale
    if bias is not None:
        scores = scores + bias
    future = torch.arange(t).unsqueeze(0) > torch.arange(t).unsqueeze(1)  # key j after query i
    scores = scores.masked_fill(future, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def alibi_slopes(heads):
    """ALiBi's head slopes (Press et al. 2022, as HF's build_alibi_tensor): for the largest power of two n <= heads,
    2^(-8i/n) for i = 1..n; the remaining heads take the odd-numbered slopes of the 2n sequence, 2^(-4i/n) for odd i."""
    n = 2 ** int(math.floor(math.log2(heads)))
    slopes = [2.0 ** (-8.0 * i / n) for i in range(1, n + 1)]
    extra = [2.0 ** (-4.0 * i / n) for i in range(1, 2 * (heads - n), 2)]
    return torch.tensor(slopes + extra[: heads - n], dtype=torch.float32)


def rotate_half_rotary(x, theta, scaling=None):
    """Rotary positions on x (heads, T, d) with rotate_half (llama / falcon / neox)."""
    return shared.rotary(x, shared.inverse_frequencies(x.shape[-1], theta, scaling))


def rotate_pairs_rotary(x, theta=10000.0):
    """GPT-J's rotary on x (heads, T, d): each adjacent pair (x_2i, x_2i+1), read as the complex number x_2i + i x_2i+1,
    is multiplied by exp(i t theta^(-2i/d)) (rotate_every_two with sin/cos repeated per pair)."""
    t, d = x.shape[-2], x.shape[-1]
    inv = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    angles = torch.outer(torch.arange(t).float(), inv)  # (T, d/2)
    turn = torch.polar(torch.ones_like(angles), angles)
    pairs = torch.view_as_complex(x.reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(pairs * turn).reshape(x.shape)


def linear(x, w, name, bias=True):
    y = x @ w[name + ".weight"].T
    return y + w[name + ".bias"] if bias and name + ".bias" in w else y


def ln(x, w, name, eps):
    return layer_norm(x, w[name + ".weight"], w[name + ".bias"], eps)


def heads(x, n):
    """(T, n*d) to (n, T, d)."""
    return x.view(x.shape[0], n, -1).transpose(0, 1)


def merge(y):
    """(n, T, d) to (T, n*d)."""
    return y.transpose(0, 1).reshape(y.shape[1], -1)


# ---------------------------------------------------------------------------------------------- forward passes


def falcon_logits(c, w, ids):
    t, n, nh = len(ids), c["hidden_size"], c["num_attention_heads"]
    hd, eps = n // nh, c["layer_norm_epsilon"]
    new = c.get("new_decoder_architecture", False)
    two_norms = new and c.get("num_ln_in_parallel_attn", 2) == 2
    act = gelu_exact if c.get("activation", "gelu") == "gelu" else gelu_tanh
    x = w["transformer.word_embeddings.weight"][ids]
    for i in range(c["num_hidden_layers"]):
        p = f"transformer.h.{i}."
        if two_norms:
            attn_in, mlp_in = ln(x, w, p + "ln_attn", eps), ln(x, w, p + "ln_mlp", eps)
        else:
            attn_in = mlp_in = ln(x, w, p + "input_layernorm", eps)
        fused = linear(attn_in, w, p + "self_attention.query_key_value")
        if new:  # per key/value group: its query heads, then its key, then its value
            kv = c["num_kv_heads"]
            g = fused.view(t, kv, nh // kv + 2, hd)
            q = g[:, :, :-2].reshape(t, nh, hd).transpose(0, 1)
            k = g[:, :, -2].transpose(0, 1).repeat_interleave(nh // kv, dim=0)
            v = g[:, :, -1].transpose(0, 1).repeat_interleave(nh // kv, dim=0)
        elif c.get("multi_query", True):  # all query heads, then one key, then one value
            g = fused.view(t, nh + 2, hd).transpose(0, 1)
            q, k, v = g[:nh], g[nh:nh + 1], g[nh + 1:]
        else:  # per head: its query, key and value
            g = fused.view(t, nh, 3, hd).permute(2, 1, 0, 3)
            q, k, v = g[0], g[1], g[2]
        if c.get("alibi", False):
            # build_alibi_tensor: bfloat16 slopes times the int64 key positions, which PyTorch's type promotion also
            # turns into bfloat16 (positions over 256 round), the product rounded to bfloat16; the mask adds it
            # divided by sqrt(head_dim), i.e. (q.k + alibi) / sqrt(head_dim).
            slopes = alibi_slopes(nh).bfloat16()
            alibi = (slopes[:, None] * torch.arange(t)[None, :]).float()  # bf16 x int64 -> bf16
            y = attend(q, k, v, 1.0 / math.sqrt(hd), alibi[:, None, :] / math.sqrt(hd))
        else:
            theta = c.get("rope_theta", 10000.0)
            y = attend(rotate_half_rotary(q, theta), rotate_half_rotary(k, theta), v, 1.0 / math.sqrt(hd))
        attention = linear(merge(y), w, p + "self_attention.dense")
        mlp = lambda z: linear(act(linear(z, w, p + "mlp.dense_h_to_4h")), w, p + "mlp.dense_4h_to_h")  # noqa: E731
        if new or c.get("parallel_attn", True):
            x = x + attention + mlp(mlp_in)
        else:
            x = x + attention
            x = x + mlp(ln(x, w, p + "post_attention_layernorm", eps))
    x = ln(x, w, "transformer.ln_f", eps)
    head = w["transformer.word_embeddings.weight"] if c.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return x @ head.T


def opt_logits(c, w, ids, prefix):
    t, n, nh = len(ids), c["hidden_size"], c["num_attention_heads"]
    hd, pre = n // nh, c.get("do_layer_norm_before", True)
    d = prefix + "decoder."
    x = w[d + "embed_tokens.weight"][ids]
    if c.get("word_embed_proj_dim", n) != n:
        x = x @ w[d + "project_in.weight"].T
    # OPTLearnedPositionalEmbedding: position = cumsum(attention_mask) - 1 (0, 1, ... without padding), row + 2.
    positions = torch.cumsum(torch.ones(t, dtype=torch.int64), 0) - 1
    x = x + w[d + "embed_positions.weight"][positions + 2]
    for i in range(c["num_hidden_layers"]):
        p = d + f"layers.{i}."
        h = ln(x, w, p + "self_attn_layer_norm", 1e-5) if pre else x
        q = heads(linear(h, w, p + "self_attn.q_proj"), nh) * hd ** -0.5
        k, v = heads(linear(h, w, p + "self_attn.k_proj"), nh), heads(linear(h, w, p + "self_attn.v_proj"), nh)
        x = x + linear(merge(attend(q, k, v, 1.0)), w, p + "self_attn.out_proj")
        if not pre:
            x = ln(x, w, p + "self_attn_layer_norm", 1e-5)
        h = ln(x, w, p + "final_layer_norm", 1e-5) if pre else x
        x = x + linear(torch.relu(linear(h, w, p + "fc1")), w, p + "fc2")
        if not pre:
            x = ln(x, w, p + "final_layer_norm", 1e-5)
    if pre:
        x = ln(x, w, d + "final_layer_norm", 1e-5)
    if c.get("word_embed_proj_dim", n) != n:
        x = x @ w[d + "project_out.weight"].T
    return x @ w[d + "embed_tokens.weight"].T


def bloom_gelu(x):
    """modeling_bloom.bloom_gelu_forward, with its rounded constant for sqrt(2/pi)."""
    return x * 0.5 * (1.0 + torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x)))


def bloom_logits(c, w, ids):
    t, n, nh = len(ids), c["hidden_size"], c["n_head"]
    hd, eps = n // nh, c["layer_norm_epsilon"]
    post = c.get("apply_residual_connection_post_layernorm", False)
    x = ln(w["transformer.word_embeddings.weight"][ids], w, "transformer.word_embeddings_layernorm", eps)
    alibi = (alibi_slopes(nh)[:, None] * torch.arange(t)[None, :])[:, None, :]  # (heads, 1, T): slope x key position
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        h = ln(x, w, p + "input_layernorm", eps)
        fused = linear(h, w, p + "self_attention.query_key_value").view(t, nh, 3, hd).permute(2, 1, 0, 3)
        y = attend(fused[0], fused[1], fused[2], 1.0 / math.sqrt(hd), alibi)
        attended = (h if post else x) + linear(merge(y), w, p + "self_attention.dense")
        h = ln(attended, w, p + "post_attention_layernorm", eps)
        x = (h if post else attended) + linear(bloom_gelu(linear(h, w, p + "mlp.dense_h_to_4h")), w, p + "mlp.dense_4h_to_h")
    x = ln(x, w, "transformer.ln_f", eps)
    return x @ w["transformer.word_embeddings.weight"].T


def bigcode_logits(c, w, ids):
    t, n, nh = len(ids), c["n_embd"], c["n_head"]
    hd, eps = n // nh, c["layer_norm_epsilon"]
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        fused = linear(ln(x, w, p + "ln_1", eps), w, p + "attn.c_attn")
        if c.get("multi_query", True):  # all query heads, then one key and one value
            q, k, v = heads(fused[:, :n], nh), fused[None, :, n:n + hd], fused[None, :, n + hd:]
        else:  # per head: query, key, value
            g = fused.view(t, nh, 3, hd).permute(2, 1, 0, 3)
            q, k, v = g[0], g[1], g[2]
        # In float32 the softmax is not upcast, so scale_attention_softmax_in_fp32's 1/(layer+1) never applies.
        scale = 1.0 / math.sqrt(hd) if c.get("scale_attn_weights", True) else 1.0
        x = x + linear(merge(attend(q, k, v, scale)), w, p + "attn.c_proj")
        h = linear(ln(x, w, p + "ln_2", eps), w, p + "mlp.c_fc")
        x = x + linear(gelu_tanh(h), w, p + "mlp.c_proj")
    x = ln(x, w, "transformer.ln_f", eps)
    return x @ w["transformer.wte.weight"].T


def gptj_logits(c, w, ids):
    n, nh, rd = c["n_embd"], c["n_head"], c["rotary_dim"]
    eps = c["layer_norm_epsilon"]
    x = w["transformer.wte.weight"][ids]
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        h = ln(x, w, p + "ln_1", eps)
        q, k, v = (heads(linear(h, w, p + f"attn.{name}", bias=False), nh) for name in ("q_proj", "k_proj", "v_proj"))
        q = torch.cat([rotate_pairs_rotary(q[..., :rd]), q[..., rd:]], dim=-1)
        k = torch.cat([rotate_pairs_rotary(k[..., :rd]), k[..., rd:]], dim=-1)
        attention = linear(merge(attend(q, k, v, 1.0 / math.sqrt(n // nh))), w, p + "attn.out_proj", bias=False)
        mlp = linear(gelu_tanh(linear(h, w, p + "mlp.fc_in")), w, p + "mlp.fc_out")
        x = x + attention + mlp
    x = ln(x, w, "transformer.ln_f", eps)
    return x @ w["lm_head.weight"].T + w["lm_head.bias"]


# ---------------------------------------------------------------------------------------------- shapes


def falcon_shapes(c):
    n, nh = c["hidden_size"], c["num_attention_heads"]
    hd, ffn, bias = n // nh, c.get("ffn_hidden_size", 4 * n), c.get("bias", False)
    new = c.get("new_decoder_architecture", False)
    if new:
        fused = (nh + 2 * c["num_kv_heads"]) * hd
    else:
        fused = n + 2 * hd if c.get("multi_query", True) else 3 * n
    s = {"transformer.word_embeddings.weight": (VOCAB, n), "transformer.ln_f.weight": (n,), "transformer.ln_f.bias": (n,)}
    for i in range(c["num_hidden_layers"]):
        p = f"transformer.h.{i}."
        norms = ["ln_attn", "ln_mlp"] if new and c.get("num_ln_in_parallel_attn", 2) == 2 else ["input_layernorm"]
        if not new and not c.get("parallel_attn", True):
            norms.append("post_attention_layernorm")
        for norm in norms:
            s[p + norm + ".weight"], s[p + norm + ".bias"] = (n,), (n,)
        for name, shape in (("self_attention.query_key_value", (fused, n)), ("self_attention.dense", (n, n)),
                            ("mlp.dense_h_to_4h", (ffn, n)), ("mlp.dense_4h_to_h", (n, ffn))):
            s[p + name + ".weight"] = shape
            if bias:
                s[p + name + ".bias"] = (shape[0],)
    if not c.get("tie_word_embeddings", True):
        s["lm_head.weight"] = (VOCAB, n)
    return s


def opt_shapes(c, prefix):
    n, m, e = c["hidden_size"], c["ffn_dim"], c.get("word_embed_proj_dim", c["hidden_size"])
    d = prefix + "decoder."
    s = {d + "embed_tokens.weight": (VOCAB, e), d + "embed_positions.weight": (c["max_position_embeddings"] + 2, n)}
    if e != n:
        s[d + "project_in.weight"], s[d + "project_out.weight"] = (n, e), (e, n)
    if c.get("do_layer_norm_before", True):
        s[d + "final_layer_norm.weight"], s[d + "final_layer_norm.bias"] = (n,), (n,)
    for i in range(c["num_hidden_layers"]):
        p = d + f"layers.{i}."
        for name, shape in (("self_attn.q_proj", (n, n)), ("self_attn.k_proj", (n, n)), ("self_attn.v_proj", (n, n)),
                            ("self_attn.out_proj", (n, n)), ("fc1", (m, n)), ("fc2", (n, m))):
            s[p + name + ".weight"], s[p + name + ".bias"] = shape, (shape[0],)
        for norm in ("self_attn_layer_norm", "final_layer_norm"):
            s[p + norm + ".weight"], s[p + norm + ".bias"] = (n,), (n,)
    return s


def bloom_shapes(c):
    n = c["hidden_size"]
    s = {"transformer.word_embeddings.weight": (VOCAB, n)}
    for norm in ("transformer.word_embeddings_layernorm", "transformer.ln_f"):
        s[norm + ".weight"], s[norm + ".bias"] = (n,), (n,)
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        for norm in ("input_layernorm", "post_attention_layernorm"):
            s[p + norm + ".weight"], s[p + norm + ".bias"] = (n,), (n,)
        for name, shape in (("self_attention.query_key_value", (3 * n, n)), ("self_attention.dense", (n, n)),
                            ("mlp.dense_h_to_4h", (4 * n, n)), ("mlp.dense_4h_to_h", (n, 4 * n))):
            s[p + name + ".weight"], s[p + name + ".bias"] = shape, (shape[0],)
    return s


def bigcode_shapes(c):
    n, hd = c["n_embd"], c["n_embd"] // c["n_head"]
    inner = c.get("n_inner") or 4 * n
    fused = n + 2 * hd if c.get("multi_query", True) else 3 * n
    s = {"transformer.wte.weight": (VOCAB, n), "transformer.wpe.weight": (c["n_positions"], n)}
    for norm in ("transformer.ln_f",):
        s[norm + ".weight"], s[norm + ".bias"] = (n,), (n,)
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        for norm in ("ln_1", "ln_2"):
            s[p + norm + ".weight"], s[p + norm + ".bias"] = (n,), (n,)
        for name, shape in (("attn.c_attn", (fused, n)), ("attn.c_proj", (n, n)), ("mlp.c_fc", (inner, n)),
                            ("mlp.c_proj", (n, inner))):
            s[p + name + ".weight"], s[p + name + ".bias"] = shape, (shape[0],)
    return s


def gptj_shapes(c):
    n = c["n_embd"]
    inner = c.get("n_inner") or 4 * n
    s = {"transformer.wte.weight": (VOCAB, n), "transformer.ln_f.weight": (n,), "transformer.ln_f.bias": (n,),
         "lm_head.weight": (VOCAB, n), "lm_head.bias": (VOCAB,)}
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        s[p + "ln_1.weight"], s[p + "ln_1.bias"] = (n,), (n,)
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            s[p + f"attn.{name}.weight"] = (n, n)
        s[p + "mlp.fc_in.weight"], s[p + "mlp.fc_in.bias"] = (inner, n), (inner,)
        s[p + "mlp.fc_out.weight"], s[p + "mlp.fc_out.bias"] = (n, inner), (n,)
    return s


# ---------------------------------------------------------------------------------------------- the checkpoints

NORM_NAMES = ("layernorm", "layer_norm", "ln_1", "ln_2", "ln_f", "ln_attn", "ln_mlp")


def random_weights(shapes, generator):
    """Larger than the usual init (std 0.02) so that attention, positions and norms all move the result."""
    weights = {}
    for name, shape in shapes.items():
        if name.endswith(".weight") and any(norm in name for norm in NORM_NAMES):
            weights[name] = 1.0 + 0.1 * torch.randn(shape, generator=generator)
        elif name.endswith(".bias"):
            weights[name] = 0.1 * torch.randn(shape, generator=generator)
        elif "embed" in name or "wte" in name or "wpe" in name:
            weights[name] = 0.5 * torch.randn(shape, generator=generator)
        else:
            weights[name] = 1.5 / math.sqrt(shape[-1]) * torch.randn(shape, generator=generator)
    return weights


def falcon_config(**extra):
    c = {"model_type": "falcon", "vocab_size": VOCAB, "hidden_size": 32, "num_hidden_layers": 2,
         "num_attention_heads": 4, "layer_norm_epsilon": 1e-5, "max_position_embeddings": 2048}
    c.update(extra)
    return c


def opt_config(**extra):
    c = {"model_type": "opt", "vocab_size": VOCAB, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
         "ffn_dim": 48, "max_position_embeddings": 1100, "activation_function": "relu", "do_layer_norm_before": True,
         "word_embed_proj_dim": 32, "enable_bias": True, "pad_token_id": 1, "bos_token_id": 2, "eos_token_id": 2}
    c.update(extra)
    return c


def bloom_config(**extra):
    # BLOOM's config.json names its sizes n_embed (the 176B model) or hidden_size, n_layer, n_head.
    c = {"model_type": "bloom", "vocab_size": VOCAB, "n_embed": 48, "n_layer": 2, "n_head": 6,
         "layer_norm_epsilon": 1e-5, "apply_residual_connection_post_layernorm": False}
    c.update(extra)
    return c


# name, dtype, shards, config, shapes, logits, prepends OPT's BOS
CHECKPOINTS = [
    ("falcon-multi-query-bf16", "BF16", 1,
     falcon_config(multi_query=True, parallel_attn=True, bias=False, rope_theta=500000.0, tie_word_embeddings=False),
     falcon_shapes, falcon_logits, False),
    ("falcon-new-decoder-sharded", "F16", 2,
     falcon_config(new_decoder_architecture=True, num_kv_heads=2, bias=False, ffn_hidden_size=64),
     falcon_shapes, falcon_logits, False),
    ("falcon-alibi", "F32", 1,
     falcon_config(hidden_size=48, num_attention_heads=12, alibi=True, multi_query=False, parallel_attn=False, bias=True),
     falcon_shapes, falcon_logits, False),
    ("opt-pre-norm", "F16", 1,
     opt_config(),
     lambda c: opt_shapes(c, "model."), lambda c, w, ids: opt_logits(c, w, ids, "model."), True),
    ("opt-post-norm-projected", "BF16", 1,
     opt_config(do_layer_norm_before=False, word_embed_proj_dim=16),
     lambda c: opt_shapes(c, ""), lambda c, w, ids: opt_logits(c, w, ids, ""), True),
    ("bloom-alibi-bf16", "BF16", 1,
     bloom_config(n_head=12),
     bloom_shapes, bloom_logits, False),
    ("bloom-post-ln-residual", "F16", 1,
     {"model_type": "bloom", "vocab_size": VOCAB, "hidden_size": 40, "num_hidden_layers": 2, "num_attention_heads": 5,
      "layer_norm_epsilon": 1e-5, "apply_residual_connection_post_layernorm": True},
     bloom_shapes, bloom_logits, False),
    ("gpt-bigcode-multi-query", "F16", 1,
     {"model_type": "gpt_bigcode", "vocab_size": VOCAB, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_inner": 80,
      "n_positions": 1024, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_pytorch_tanh", "multi_query": True,
      "attention_softmax_in_fp32": True, "scale_attention_softmax_in_fp32": True},
     bigcode_shapes, bigcode_logits, False),
    ("gpt-bigcode-multi-head", "F32", 1,
     {"model_type": "gpt_bigcode", "vocab_size": VOCAB, "n_embd": 32, "n_layer": 2, "n_head": 4, "n_positions": 512,
      "layer_norm_epsilon": 1e-5, "activation_function": "gelu_pytorch_tanh", "multi_query": False,
      "scale_attention_softmax_in_fp32": False},
     bigcode_shapes, bigcode_logits, False),
    ("gptj-partial-rotary", "F32", 1,
     {"model_type": "gptj", "vocab_size": VOCAB, "n_embd": 32, "n_layer": 2, "n_head": 4, "rotary_dim": 4,
      "n_positions": 2048, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "tie_word_embeddings": False},
     gptj_shapes, gptj_logits, False),
    ("gptj-full-rotary-bf16", "BF16", 1,
     {"model_type": "gptj", "vocab_size": VOCAB, "n_embd": 32, "n_layer": 2, "n_head": 4, "rotary_dim": 8,
      "n_inner": 64, "n_positions": 2048, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
      "tie_word_embeddings": False},
     gptj_shapes, gptj_logits, False),
]


def normalised(c):
    """The config with HF's synonyms resolved, for the forward passes (the written config.json keeps the family's keys)."""
    c = dict(c)
    for synonym, name in (("n_embed", "hidden_size"), ("num_hidden_layers", "n_layer"), ("num_attention_heads", "n_head")):
        if c["model_type"] == "bloom" and synonym in c:
            c[name] = c.pop(synonym)
    return c


def max_positions(c):
    """docs/method.md §1.2: max_position_embeddings, else n_positions, else max_sequence_length, else 2048."""
    for key in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        if key in c:
            return c[key]
    return 2048


def write_checkpoint(folder, weights, dtype, shards):
    if shards == 1:
        shared.write_safetensors(os.path.join(folder, "model.safetensors"), weights, dtype)
        return
    names = sorted(weights)
    size = sum(weights[k].numel() for k in names) * (4 if dtype == "F32" else 2)
    weight_map = {}
    for s in range(shards):
        file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {k: weights[k] for k in names[s::shards]}
        shared.write_safetensors(os.path.join(folder, file), part, dtype)
        weight_map.update({k: file for k in part})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": size}, "weight_map": dict(sorted(weight_map.items()))}, f, indent=2)


def main():
    shared.check_against_shared_fixtures()
    with open(TEXTS, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    generator = torch.Generator().manual_seed(20260611)
    for name, dtype, shards, config, shapes, logits, opt_bos in CHECKPOINTS:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        for old in os.listdir(folder):
            os.remove(os.path.join(folder, old))
        maths = normalised(config)
        weights = random_weights(shapes(maths), generator)
        with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
            json.dump(dict(config, torch_dtype={"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[dtype]), f, indent=2)
        write_checkpoint(folder, weights, dtype, shards)
        shared.write_tokenizer(folder)
        upcast = {k: shared.stored(v, dtype) for k, v in weights.items()}

        ids_lines, expected = [], []
        for t in texts:
            ids = ([OPT_BOS] if opt_bos else []) + list(t["text"].encode("utf-8"))
            ids = ids[:max_positions(config)]
            ids_lines.append(json.dumps({"index": t["index"], "ids": ids}))
            with torch.no_grad():
                lp = torch.log_softmax(logits(maths, upcast, torch.tensor(ids)).float(), dim=-1)
            expected.append(sum(float(lp[i, ids[i + 1]]) for i in range(len(ids) - 1)))
        with open(os.path.join(OUT, name + ".ids.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n".join(ids_lines) + "\n")
        with open(os.path.join(OUT, name + ".expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected, f)
        print(name, dtype, [round(x, 3) for x in expected])


if __name__ == "__main__":
    main()
