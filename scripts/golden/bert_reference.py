#!/usr/bin/env python3
"""Golden data for lib/bert: an independent float32 reference of Hugging Face's
BertForSequenceClassification forward pass, written from the BERT paper and the
transformers documentation (not from the Go code), in plain torch.

It writes random-weight checkpoints in Hugging Face format (config.json +
model.safetensors; the safetensors writer is below, the format is 8-byte
little-endian header length + JSON header + raw little-endian data) and the
logits (and, for the smallest one, loss gradients from torch autograd) that the
Go tests must reproduce, plus the logits of the same forward pass in bfloat16
mixed precision, the policy of lib/bert's ParamComputeDType (float32 weights
cast to bfloat16 where used; matrix products, GELU and residual sums in
bfloat16; embedding sums, LayerNorm and softmax in float32, logits returned as
float32), with two roundings to bfloat16: to nearest even (torch, XLA) and
toward zero (GoMLX v0.26.0's pure-Go backend, whose bfloat16.FromFloat32 drops
the low 16 bits):

    lib/bert/testdata/<name>/{config.json, model.safetensors, golden.json}

Run with Debian's torch (apt-get install -y python3-torch):
    /usr/bin/python3 scripts/golden/bert_reference.py
"""
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "lib", "bert", "testdata")

# name, config overrides, storage dtype, naming style, batch shape
CHECKPOINTS = [
    # Hub-style names (bert. prefix, legacy LayerNorm.gamma/beta, extra
    # pre-training heads and position_ids), float32; also the gradient check.
    dict(name="hub-f32", layers=2, hidden=32, heads=4, inter=64, vocab=100, maxpos=32,
         labels=["negative", "positive"], dtype="F32", style="hub", batch=3, seq=12, grads=True),
    # No "bert." prefix (as BertModel checkpoints are saved), bfloat16 storage, 3 labels.
    dict(name="noprefix-bf16", layers=3, hidden=64, heads=4, inter=128, vocab=200, maxpos=64,
         labels=["neg", "neutral", "pos"], dtype="BF16", style="noprefix", batch=4, seq=20),
    # The tiny preset's shape (L2 H128 A2 I512) with a small vocabulary, float16 storage.
    dict(name="tiny-f16", layers=2, hidden=128, heads=2, inter=512, vocab=512, maxpos=128,
         labels=["negative", "positive"], dtype="F16", style="modern", batch=2, seq=40),
]

TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def config_json(c):
    return {
        "architectures": ["BertForSequenceClassification"],
        "model_type": "bert",
        "vocab_size": c["vocab"],
        "hidden_size": c["hidden"],
        "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"],
        "intermediate_size": c["inter"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": c["maxpos"],
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "id2label": {str(i): l for i, l in enumerate(c["labels"])},
        "label2id": {l: i for i, l in enumerate(c["labels"])},
    }


def weight_makers(w, gen, h):
    """Random-weight helpers filling w: normal(*shape, std), linear(prefix,
    out, in) and layer_norm(prefix) for width h. Scales are larger than BERT's
    0.02 init so every layer matters for the logits."""

    def normal(*shape, std=0.2):
        return torch.randn(*shape, generator=gen) * std

    def linear(prefix, out, inp):
        w[prefix + ".weight"] = normal(out, inp, std=1 / math.sqrt(inp))
        w[prefix + ".bias"] = normal(out, std=0.1)

    def layer_norm(prefix):
        w[prefix + ".weight"] = 1 + normal(h, std=0.1)
        w[prefix + ".bias"] = normal(h, std=0.1)

    return normal, linear, layer_norm


def random_weights(c, gen):
    """Canonical (transformers) names → float32 tensors."""
    h, inter = c["hidden"], c["inter"]
    w = {}
    normal, linear, layer_norm = weight_makers(w, gen, h)

    w["bert.embeddings.word_embeddings.weight"] = normal(c["vocab"], h, std=1.0)
    w["bert.embeddings.position_embeddings.weight"] = normal(c["maxpos"], h, std=0.5)
    w["bert.embeddings.token_type_embeddings.weight"] = normal(2, h, std=0.5)
    layer_norm("bert.embeddings.LayerNorm")
    for i in range(c["layers"]):
        p = f"bert.encoder.layer.{i}."
        for n in ("query", "key", "value"):
            linear(p + "attention.self." + n, h, h)
        linear(p + "attention.output.dense", h, h)
        layer_norm(p + "attention.output.LayerNorm")
        linear(p + "intermediate.dense", inter, h)
        linear(p + "output.dense", h, inter)
        layer_norm(p + "output.LayerNorm")
    linear("bert.pooler.dense", h, h)
    linear("classifier", len(c["labels"]), h)
    return w


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased, as nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def identity(t):
    return t


def bf16_nearest(t):
    """Rounds float32 values to bfloat16, to nearest even (as torch and XLA)."""
    return t.to(torch.bfloat16).float()


def bf16_truncate(t):
    """Rounds float32 values to bfloat16 toward zero (drops the low 16 bits)."""
    return (t.float().contiguous().view(torch.int32) & -65536).view(torch.float32)


def forward(w, c, ids, mask, types, r=identity):
    """BertForSequenceClassification.forward in eval mode (no dropout). Every
    value the mixed-precision policy keeps in bfloat16 goes through r (identity:
    plain float32); each op computes in float32 and rounds its result, as
    bfloat16 kernels do (matrix products accumulate in float32)."""
    eps = 1e-12
    h, heads = c["hidden"], c["heads"]
    d = h // heads
    b, l = ids.shape
    x = (w["bert.embeddings.word_embeddings.weight"][ids]
         + w["bert.embeddings.position_embeddings.weight"][torch.arange(l)][None]
         + w["bert.embeddings.token_type_embeddings.weight"][types])
    x = r(layer_norm(x, w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"], eps))
    # Extended attention mask: 0 where attended, the most negative float where padded.
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min

    def lin(name, t):
        return r(r(t @ r(w[name + ".weight"]).T) + r(w[name + ".bias"]))

    def norm(t, name):  # LayerNorm in float32 of a rounded residual sum
        return r(layer_norm(r(t), w[name + ".weight"], w[name + ".bias"], eps))

    def const(v):  # a scalar constant in the compute dtype
        return r(torch.tensor(v, dtype=torch.float32))

    def gelu(t):  # exact gelu, x·Φ(x), every intermediate rounded
        return r(r(t * 0.5) * r(1.0 + r(torch.erf(r(t * const(1 / math.sqrt(2.0)))))))

    def split(t):  # [b, l, h] → [b, heads, l, d]
        return t.view(b, l, heads, d).permute(0, 2, 1, 3)

    for i in range(c["layers"]):
        p = f"bert.encoder.layer.{i}."
        q = r(split(lin(p + "attention.self.query", x)) * const(1 / math.sqrt(d)))
        k = split(lin(p + "attention.self.key", x))
        v = split(lin(p + "attention.self.value", x))
        scores = r(q @ k.transpose(-1, -2)) + ext
        probs = r(torch.softmax(scores, dim=-1))
        ctx = r(probs @ v).permute(0, 2, 1, 3).reshape(b, l, h)
        x = norm(lin(p + "attention.output.dense", ctx) + x, p + "attention.output.LayerNorm")
        inter = gelu(lin(p + "intermediate.dense", x))
        x = norm(lin(p + "output.dense", inter) + x, p + "output.LayerNorm")
    pooled = r(torch.tanh(lin("bert.pooler.dense", x[:, 0])))
    return lin("classifier", pooled)


def stored_names(w, c, gen):
    """The checkpoint's tensors under the naming style of c (extras included)."""
    out = {}
    for name, t in w.items():
        if c["style"] == "noprefix" and name.startswith("bert."):
            name = name[len("bert."):]
        if c["style"] == "hub":
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        out[name] = t
    if c["style"] == "hub":
        h = c["hidden"]
        out["bert.embeddings.position_ids"] = torch.arange(c["maxpos"])[None]
        out["cls.predictions.bias"] = torch.randn(c["vocab"], generator=gen)
        out["cls.predictions.transform.dense.weight"] = torch.randn(h, h, generator=gen)
        out["cls.seq_relationship.weight"] = torch.randn(2, h, generator=gen)
    return out


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype == torch.int64:
            code, raw = "I64", t.contiguous().numpy().tobytes()
        else:
            t = t.to(TORCH_DTYPES[dtype]).contiguous()
            code = dtype
            raw = (t.view(torch.int16) if dtype != "F32" else t).numpy().tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt", "generator": "scripts/golden/bert_reference.py"}
    hjson = json.dumps(header, separators=(",", ":")).encode()
    hjson += b" " * (-len(hjson) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for raw in blobs:
            f.write(raw)


def random_batch(c, gen):
    b, l = c["batch"], c["seq"]
    lengths = [l] + [max(2, l - 3 * (i + 1)) for i in range(b - 1)]
    ids = torch.zeros(b, l, dtype=torch.int64)
    mask = torch.zeros(b, l, dtype=torch.int64)
    types = torch.zeros(b, l, dtype=torch.int64)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.randint(1, c["vocab"], (n,), generator=gen)
        mask[i, :n] = 1
        types[i, n // 2:n] = 1  # a second segment in each example
    return ids, mask, types


def main():
    for c in CHECKPOINTS:
        gen = torch.Generator().manual_seed(20261126 + len(c["name"]))
        w = random_weights(c, gen)
        # The reference runs on exactly the stored values (rounded to the storage dtype).
        w = {k: v.to(TORCH_DTYPES[c["dtype"]]).float() for k, v in w.items()}
        d = os.path.join(OUT, c["name"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config_json(c), f, indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), stored_names(w, c, gen), c["dtype"])
        ids, mask, types = random_batch(c, gen)
        golden = {"ids": ids.tolist(), "mask": mask.tolist(), "type_ids": types.tolist()}
        if c.get("grads"):
            for v in w.values():
                v.requires_grad_(True)
        logits = forward(w, c, ids, mask, types)
        golden["logits"] = logits.tolist()
        with torch.no_grad():
            golden["logits_bf16_nearest"] = forward(w, c, ids, mask, types, bf16_nearest).tolist()
            golden["logits_bf16_truncate"] = forward(w, c, ids, mask, types, bf16_truncate).tolist()
        if c.get("grads"):
            labels = torch.arange(c["batch"]) % len(c["labels"])
            loss = torch.nn.functional.cross_entropy(logits, labels)
            loss.backward()
            golden["labels"] = labels.tolist()
            golden["loss"] = loss.item()
            golden["gradients"] = {k: v.grad.flatten().tolist() for k, v in w.items()}
        with open(os.path.join(d, "golden.json"), "w") as f:
            json.dump(golden, f)
        print(f"{c['name']}: logits {list(logits.shape)} → {d}")


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
