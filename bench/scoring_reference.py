#!/usr/bin/python3
"""The PyTorch side of `loglikemap bench scoring`: the same GPT-2-small shape, the same random token ids' sizes,
the same scoring convention (sum over t >= 1 of log p(token_t | tokens_<t), float32 log-softmax), timed the same way
(one warm-up batch, then 8 texts of 256 tokens, batch 1 and batch 8, float32 and bfloat16).

The model is HF's GPT2LMHeadModel written out in plain PyTorch (transformers is not installed here): Conv1D
projections computed as addmm(bias, x, W) with W stored (in, out), as modeling_gpt2.py does, and the eager attention
of transformers for PyTorch 1.13 (which has no scaled_dot_product_attention).

Run with Debian's PyTorch and OpenBLAS (Debian's python3-torch uses whatever libblas.so.3 points at; the reference
BLAS is about 10x slower):
    apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 bench/scoring_reference.py [--threads 2] [--texts 8] [--tokens 256] [--batch 8] [--precision float32]
"""
import argparse
import math
import time

import torch
import torch.nn.functional as F

VOCAB, POSITIONS, WIDTH, LAYERS, HEADS = 50257, 1024, 768, 12, 12


class Conv1D(torch.nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(n_in, n_out) * 0.02)
        self.bias = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, x):
        shape = x.shape[:-1] + (self.weight.shape[1],)
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(shape)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(WIDTH)
        self.c_attn = Conv1D(WIDTH, 3 * WIDTH)
        self.attn_proj = Conv1D(WIDTH, WIDTH)
        self.ln_2 = torch.nn.LayerNorm(WIDTH)
        self.c_fc = Conv1D(WIDTH, 4 * WIDTH)
        self.mlp_proj = Conv1D(4 * WIDTH, WIDTH)

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (y.view(b, t, HEADS, c // HEADS).transpose(1, 2) for y in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(c // HEADS)
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, torch.finfo(scores.dtype).min)
        y = scores.softmax(-1) @ v
        return self.attn_proj(y.transpose(1, 2).reshape(b, t, c))

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = torch.nn.Embedding(VOCAB, WIDTH)
        self.wpe = torch.nn.Embedding(POSITIONS, WIDTH)
        self.h = torch.nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = torch.nn.LayerNorm(WIDTH)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T  # tied head


def log_likelihoods(model, batch):
    """Sum over t >= 1 of log p(ids[t] | ids[<t]), log-softmax in float32 (docs/method.md §1.2)."""
    logits = model(batch)[:, :-1].float()
    return logits.log_softmax(-1).gather(2, batch[:, 1:].unsqueeze(2)).squeeze(2).double().sum(1)


def measure(model, texts, batch_size):
    with torch.inference_mode():
        log_likelihoods(model, texts[:batch_size])  # warm-up
        start = time.perf_counter()
        for i in range(0, len(texts), batch_size):
            log_likelihoods(model, texts[i:i + batch_size])
        return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--texts", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--precision", choices=("all", "float32", "bfloat16"), default="all",
                        help="bfloat16 takes minutes on CPUs without AVX512_BF16")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    model = Gpt2().eval()
    parameters = sum(p.numel() for p in model.parameters())
    texts = torch.randint(0, VOCAB, (args.texts, args.tokens), generator=torch.Generator().manual_seed(1234))
    tokens = texts.numel()
    print(f"PyTorch {torch.__version__}, GPT-2-small shape ({parameters:,} parameters), random weights, "
          f"{args.texts} texts x {args.tokens} tokens, {args.threads} threads")
    print("precision  batch  tokens   seconds  tokens/s  GFLOP/s")
    for name, dtype in (("Float32", torch.float32), ("BFloat16", torch.bfloat16)):
        if args.precision not in ("all", name.lower()):
            continue
        model.to(dtype)
        for batch_size in (1, args.batch):
            seconds = measure(model, texts, batch_size)
            print(f"{name:<9}  {batch_size:5}  {tokens:6}  {seconds:8.2f}  {tokens / seconds:8.0f}  "
                  f"{2 * parameters * tokens / seconds / 1e9:7.1f}")


if __name__ == "__main__":
    main()
