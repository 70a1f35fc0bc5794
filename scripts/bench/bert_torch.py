#!/usr/bin/env python3
"""The torch side of `make bench-bert`: the same BertForSequenceClassification
(plain torch.nn modules, eval mode for forward passes, AdamW for the train step)
on the same shapes as the Go benchmark. Prints one JSON line:
{"scenario", "threads", "ms" (median wall time per iteration), "cpu_ms" (CPU time per
iteration, all threads), "rss_mib" (peak)}.

    /usr/bin/python3 scripts/bench/bert_torch.py --scenario tiny-train --threads 1
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
from torch import nn

SIZES = {  # layers, hidden, heads, intermediate
    "tiny": (2, 128, 2, 512),
    "base": (12, 768, 12, 3072),
}
# scenario → (model size, batch, length, train?)
SCENARIOS = {
    "tiny-train": ("tiny", 16, 128, True),
    "tiny-forward": ("tiny", 16, 128, False),
    "base-forward": ("base", 8, 128, False),
    "base-latency": ("base", 1, None, False),  # one review, its own token length
}


class Layer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, bias):
        b, l, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, l, self.heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1))
        ctx = (probs @ v).transpose(1, 2).reshape(b, l, h)
        x = self.ln1(x + self.drop(self.attn_out(ctx)))
        return self.ln2(x + self.drop(self.out(nn.functional.gelu(self.inter(x)))))


class Bert(nn.Module):
    def __init__(self, layers, h, heads, inter, vocab=30522, labels=2):
        super().__init__()
        self.word, self.pos, self.types = nn.Embedding(vocab, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList([Layer(h, heads, inter) for _ in range(layers)])
        self.pooler, self.classifier, self.drop = nn.Linear(h, h), nn.Linear(h, labels), nn.Dropout(0.1)

    def forward(self, ids, mask, types):
        l = ids.shape[1]
        x = self.drop(self.ln(self.word(ids) + self.pos(torch.arange(l))[None] + self.types(types)))
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, bias)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--length", type=int, default=0, help="token length for base-latency")
    ap.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                    help="bfloat16: torch.autocast mixed precision")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    size, batch, length, train = SCENARIOS[args.scenario]
    length = length or args.length or 64
    model = Bert(*SIZES[size])
    ids = torch.randint(1000, 30000, (batch, length))
    mask = torch.ones(batch, length, dtype=torch.int64)
    mask[batch // 2:, length * 3 // 4:] = 0  # some padding, as in the Go run
    types = torch.zeros(batch, length, dtype=torch.int64)
    labels = torch.arange(batch) % 2
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bfloat16")
    if train:
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)

        def step():
            opt.zero_grad()
            with autocast:
                loss = nn.functional.cross_entropy(model(ids, mask, types), labels)
            loss.backward()
            opt.step()
    else:
        model.eval()

        def step():
            with torch.no_grad(), autocast:
                model(ids, mask, types)
    step()  # warm-up
    times = []
    cpu0 = time.process_time()
    for _ in range(args.iters):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    cpu_ms = (time.process_time() - cpu0) * 1000 / args.iters
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"scenario": args.scenario, "threads": args.threads, "ms": statistics.median(times), "cpu_ms": cpu_ms, "rss_mib": rss}))


if __name__ == "__main__":
    main()
