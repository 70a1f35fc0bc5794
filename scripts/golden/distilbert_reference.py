#!/usr/bin/env python3
"""Golden data for lib/bert's DistilBERT and pytorch_model.bin support.

1. An independent float32 reference of Hugging Face's
   DistilBertForSequenceClassification forward pass, written from the
   DistilBERT paper and the transformers documentation (not from the Go code),
   in plain torch: random-weight checkpoints in Hugging Face format and the
   logits (and, for the first, cross-entropy gradients from torch autograd)
   the Go tests must reproduce. Each checkpoint is written twice: as
   model.safetensors and, with torch.save, as pytorch_model.bin:

       lib/bert/testdata/<name>/{config.json, model.safetensors, golden.json}
       lib/bert/testdata/<name>-bin/{config.json, pytorch_model.bin}

2. torch.save twins of the BERT reference checkpoint hub-f32 (written by
   bert_reference.py): one pytorch_model.bin, the same split into two
   shards with a pytorch_model.bin.index.json, and one in torch's legacy
   (pre-1.6, non-zip) format:

       lib/bert/testdata/hub-f32-bin/, hub-f32-sharded/, hub-f32-legacy/

3. lib/bert/torchbin/testdata: tensor views (transposed, offset, shared
   storage, float16) with their expected values, in both formats, and two malicious
   checkpoints whose pickles would run a shell command through __reduce__
   (os.system under pickle protocol 2, builtins.exec under protocol 4).

Run with Debian's torch (apt-get install -y python3-torch):
    /usr/bin/python3 scripts/golden/distilbert_reference.py
"""
import json
import math
import os
import shutil
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bert_reference import TORCH_DTYPES, layer_norm, weight_makers, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.join(ROOT, "lib", "bert", "testdata")
TORCHBIN = os.path.join(ROOT, "lib", "bert", "torchbin", "testdata")

# The marker file the malicious pickles would create if they ran.
MARKER = "/tmp/polarity-torchbin-pwned"

CHECKPOINTS = [
    # Hub names (distilbert. prefix, the masked-LM head's extra tensors),
    # learned positions, GELU, float32; the SST-2 model's label names; also
    # the gradient check.
    dict(name="distil-f32", layers=2, dim=32, heads=4, hidden=64, vocab=100, maxpos=32, act="gelu",
         sinusoidal=False, labels=["NEGATIVE", "POSITIVE"], dtype="F32", style="hub", batch=3, seq=12, grads=True),
    # No prefix (as DistilBertModel saves), sinusoidal positions, ReLU,
    # 3 labels, float16 storage.
    dict(name="distil-f16", layers=3, dim=64, heads=4, hidden=128, vocab=200, maxpos=64, act="relu",
         sinusoidal=True, labels=["neg", "neutral", "pos"], dtype="F16", style="noprefix", batch=4, seq=20),
]


def config_json(c):
    return {
        "architectures": ["DistilBertForSequenceClassification"],
        "model_type": "distilbert",
        "vocab_size": c["vocab"],
        "max_position_embeddings": c["maxpos"],
        "sinusoidal_pos_embds": c["sinusoidal"],
        "n_layers": c["layers"],
        "n_heads": c["heads"],
        "dim": c["dim"],
        "hidden_dim": c["hidden"],
        "dropout": 0.1,
        "attention_dropout": 0.1,
        "activation": c["act"],
        "initializer_range": 0.02,
        "qa_dropout": 0.1,
        "seq_classif_dropout": 0.2,
        "pad_token_id": 0,
        "id2label": {str(i): l for i, l in enumerate(c["labels"])},
        "label2id": {l: i for i, l in enumerate(c["labels"])},
    }


def sinusoidal_table(n_pos, dim):
    """The DistilBERT paper's fixed position encoding: sin in even columns,
    cos in odd ones, of pos / 10000^(2*(j//2)/dim)."""
    table = torch.zeros(n_pos, dim)
    for pos in range(n_pos):
        for j in range(dim):
            angle = pos / math.pow(10000, 2 * (j // 2) / dim)
            table[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return table


def random_weights(c, gen):
    """Canonical (transformers) names → float32 tensors."""
    d, hidden = c["dim"], c["hidden"]
    w = {}
    normal, linear, norm = weight_makers(w, gen, d)

    w["distilbert.embeddings.word_embeddings.weight"] = normal(c["vocab"], d, std=1.0)
    if c["sinusoidal"]:
        w["distilbert.embeddings.position_embeddings.weight"] = sinusoidal_table(c["maxpos"], d)
    else:
        w["distilbert.embeddings.position_embeddings.weight"] = normal(c["maxpos"], d, std=0.5)
    norm("distilbert.embeddings.LayerNorm")
    for i in range(c["layers"]):
        p = f"distilbert.transformer.layer.{i}."
        for n in ("q_lin", "k_lin", "v_lin", "out_lin"):
            linear(p + "attention." + n, d, d)
        norm(p + "sa_layer_norm")
        linear(p + "ffn.lin1", hidden, d)
        linear(p + "ffn.lin2", d, hidden)
        norm(p + "output_layer_norm")
    linear("pre_classifier", d, d)
    linear("classifier", len(c["labels"]), d)
    return w


def forward(w, c, ids, mask):
    """DistilBertForSequenceClassification.forward in eval mode (no dropout)."""
    eps = 1e-12  # DistilBERT's LayerNorms all use 1e-12
    d, heads = c["dim"], c["heads"]
    dh = d // heads
    b, l = ids.shape
    x = (w["distilbert.embeddings.word_embeddings.weight"][ids]
         + w["distilbert.embeddings.position_embeddings.weight"][torch.arange(l)][None])
    x = layer_norm(x, w["distilbert.embeddings.LayerNorm.weight"], w["distilbert.embeddings.LayerNorm.bias"], eps)
    padded = (mask == 0)[:, None, None, :]  # [b, 1, 1, l]

    def lin(name, t):
        return t @ w[name + ".weight"].T + w[name + ".bias"]

    def norm(t, name):
        return layer_norm(t, w[name + ".weight"], w[name + ".bias"], eps)

    def act(t):
        return torch.relu(t) if c["act"] == "relu" else 0.5 * t * (1 + torch.erf(t / math.sqrt(2)))

    def split(t):  # [b, l, d] → [b, heads, l, dh]
        return t.view(b, l, heads, dh).permute(0, 2, 1, 3)

    for i in range(c["layers"]):
        p = f"distilbert.transformer.layer.{i}."
        q = split(lin(p + "attention.q_lin", x)) / math.sqrt(dh)
        k = split(lin(p + "attention.k_lin", x))
        v = split(lin(p + "attention.v_lin", x))
        scores = (q @ k.transpose(-1, -2)).masked_fill(padded, torch.finfo(torch.float32).min)
        ctx = (torch.softmax(scores, dim=-1) @ v).permute(0, 2, 1, 3).reshape(b, l, d)
        sa = norm(lin(p + "attention.out_lin", ctx) + x, p + "sa_layer_norm")
        ffn = lin(p + "ffn.lin2", act(lin(p + "ffn.lin1", sa)))
        x = norm(ffn + sa, p + "output_layer_norm")
    pooled = torch.relu(lin("pre_classifier", x[:, 0]))
    return lin("classifier", pooled)


def stored_names(w, c, gen):
    """The checkpoint's tensors under the naming style of c (extras included)."""
    out = {}
    for name, t in w.items():
        if c["style"] == "noprefix" and name.startswith("distilbert."):
            name = name[len("distilbert."):]
        out[name] = t
    if c["style"] == "hub":  # DistilBertForMaskedLM's head, as in distilbert-base-uncased
        d = c["dim"]
        out["vocab_transform.weight"] = torch.randn(d, d, generator=gen)
        out["vocab_transform.bias"] = torch.randn(d, generator=gen)
        out["vocab_layer_norm.weight"] = torch.randn(d, generator=gen)
        out["vocab_layer_norm.bias"] = torch.randn(d, generator=gen)
        out["vocab_projector.bias"] = torch.randn(c["vocab"], generator=gen)
    return out


def random_batch(c, gen):
    b, l = c["batch"], c["seq"]
    lengths = [l] + [max(2, l - 3 * (i + 1)) for i in range(b - 1)]
    ids = torch.zeros(b, l, dtype=torch.int64)
    mask = torch.zeros(b, l, dtype=torch.int64)
    for i, n in enumerate(lengths):
        ids[i, :n] = torch.randint(1, c["vocab"], (n,), generator=gen)
        mask[i, :n] = 1
    return ids, mask


def fresh_dir(d):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)


def write_distilbert():
    for c in CHECKPOINTS:
        gen = torch.Generator().manual_seed(20261130 + len(c["name"]))
        w = random_weights(c, gen)
        # The reference runs on exactly the stored values (rounded to the storage dtype).
        w = {k: v.to(TORCH_DTYPES[c["dtype"]]).float() for k, v in w.items()}
        stored = stored_names(w, c, gen)
        d = os.path.join(OUT, c["name"])
        fresh_dir(d)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config_json(c), f, indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), stored, c["dtype"])
        dbin = d + "-bin"
        fresh_dir(dbin)
        shutil.copy(os.path.join(d, "config.json"), dbin)
        torch.save({k: v.to(TORCH_DTYPES[c["dtype"]]) for k, v in stored.items()},
                   os.path.join(dbin, "pytorch_model.bin"))
        ids, mask = random_batch(c, gen)
        golden = {"ids": ids.tolist(), "mask": mask.tolist(), "type_ids": torch.zeros_like(ids).tolist()}
        if c.get("grads"):
            for v in w.values():
                v.requires_grad_(True)
        logits = forward(w, c, ids, mask)
        golden["logits"] = logits.tolist()
        if c.get("grads"):
            labels = torch.arange(c["batch"]) % len(c["labels"])
            loss = torch.nn.functional.cross_entropy(logits, labels)
            loss.backward()
            golden["labels"] = labels.tolist()
            golden["loss"] = loss.item()
            golden["gradients"] = {k: v.grad.flatten().tolist() for k, v in w.items()}
        with open(os.path.join(d, "golden.json"), "w") as f:
            json.dump(golden, f)
        print(f"{c['name']}: logits {list(logits.shape)} → {d}, {dbin}")


def read_safetensors(path):
    codes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[lo:hi]), dtype=codes[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def write_bert_twins():
    src = os.path.join(OUT, "hub-f32")
    tensors = read_safetensors(os.path.join(src, "model.safetensors"))
    single = os.path.join(OUT, "hub-f32-bin")
    fresh_dir(single)
    shutil.copy(os.path.join(src, "config.json"), single)
    torch.save(tensors, os.path.join(single, "pytorch_model.bin"))
    sharded = os.path.join(OUT, "hub-f32-sharded")
    fresh_dir(sharded)
    shutil.copy(os.path.join(src, "config.json"), sharded)
    names = sorted(tensors)
    half = len(names) // 2
    weight_map = {}
    for i, part in enumerate((names[:half], names[half:])):
        shard = f"pytorch_model-{i + 1:05d}-of-00002.bin"
        torch.save({n: tensors[n] for n in part}, os.path.join(sharded, shard))
        weight_map.update({n: shard for n in part})
    total = sum(t.numel() * t.element_size() for t in tensors.values())
    with open(os.path.join(sharded, "pytorch_model.bin.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    legacy = os.path.join(OUT, "hub-f32-legacy")
    fresh_dir(legacy)
    shutil.copy(os.path.join(src, "config.json"), legacy)
    torch.save(tensors, os.path.join(legacy, "pytorch_model.bin"), _use_new_zipfile_serialization=False)
    print(f"hub-f32: torch.save twins → {single}, {sharded}, {legacy}")


class Evil:
    """Unpickling this runs a shell command (the attack a restricted loader stops)."""

    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


class EvilExec:
    def __reduce__(self):
        return (exec, (f"open({MARKER!r}, 'w').close()",))


def write_torchbin_fixtures():
    os.makedirs(TORCHBIN, exist_ok=True)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
    views = {
        "contiguous": base,
        "transposed": base.t(),                      # strides (1, 6)
        "offset": base.flatten()[5:17].view(3, 4),   # storage offset 5
        "column": base[:, 2],                        # stride 6, offset 2
        "half": (base[1:3] - 1).half(),
        "long": torch.arange(5, dtype=torch.int64) * -3,
        "scalar": torch.tensor(2.5),
    }
    torch.save(views, os.path.join(TORCHBIN, "views.bin"))
    torch.save(views, os.path.join(TORCHBIN, "views-legacy.bin"), _use_new_zipfile_serialization=False)
    expected = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in views.items()}
    with open(os.path.join(TORCHBIN, "views.json"), "w") as f:
        json.dump(expected, f, indent=1)
    torch.save({"weight": torch.ones(2), "payload": Evil()}, os.path.join(TORCHBIN, "evil-system.bin"))
    torch.save({"weight": torch.ones(2), "payload": EvilExec()}, os.path.join(TORCHBIN, "evil-exec.bin"),
               pickle_protocol=4)
    print(f"torchbin fixtures → {TORCHBIN}")


if __name__ == "__main__":
    torch.manual_seed(0)
    write_distilbert()
    write_bert_twins()
    write_torchbin_fixtures()
