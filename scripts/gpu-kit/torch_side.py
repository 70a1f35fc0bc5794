#!/usr/bin/env python3
"""The PyTorch side of the GPU kit's checks (gpu_check.py runs it; each command
prints one JSON object on stdout):

  bench --shape base --batch 32 --max-len 128 --precision fp32|bf16 --device cuda|cpu --steps N
      train steps (AdamW, clipping 1.0) and inference batches of BertForSequenceClassification:
      transformers' (from_config) when importable, else the plain-torch model of
      scripts/bench/bert_torch.py (what `make bench-bert` compares with).
  random-checkpoint DIR --shape base --tokenizer FILE
      a random-weight Hugging Face checkpoint written by scripts/golden/bert_reference.py's
      code (its own safetensors writer), plus tokenizer.json.
  logits DIR --ids FILE --device cuda|cpu [--require-transformers]
      the checkpoint's float32 logits for each line of FILE (`polarity tokenize --jsonl`
      output): transformers' from_pretrained when importable (with its loading report), else
      the plain-torch reference forward pass of bert_reference.py on the weights read here.
"""
import argparse
import json
import os
import shutil
import statistics
import struct
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_reference  # noqa: E402  (the kit ships it next to this file)

try:
    import transformers
except ImportError:  # Debian's torch has no transformers: plain torch instead
    transformers = None

# shape → layers, hidden, heads, intermediate (lib/bert's Tiny, BaseUncased, Large)
SHAPES = {"tiny": (2, 128, 2, 512), "base": (12, 768, 12, 3072), "large": (24, 1024, 16, 4096)}


def shape_config(shape):
    layers, hidden, heads, inter = SHAPES[shape]
    return dict(layers=layers, hidden=hidden, heads=heads, inter=inter, vocab=30522, maxpos=512,
                labels=["negative", "positive"])


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def timed(fn, steps, device):
    """Seconds of the first call (warm-up, cuDNN/cuBLAS set-up), then the median of steps calls."""
    t0 = time.perf_counter()
    fn()
    sync(device)
    first = time.perf_counter() - t0
    fn()  # a second warm-up, as polarity bench does
    sync(device)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t0)
    return first, statistics.median(times)


def bench(args):
    c = shape_config(args.shape)
    torch.manual_seed(0)
    if transformers is not None:
        cfg = transformers.BertConfig(**bert_reference.config_json(c))
        model = transformers.BertForSequenceClassification(cfg)
        impl = f"transformers {transformers.__version__} BertForSequenceClassification.from_config"
        attn = getattr(model.config, "_attn_implementation", None)
        if attn:
            impl += f" (attention: {attn})"

        def logits_of(ids, mask, types):
            return model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
    else:
        import bert_torch  # scripts/bench/bert_torch.py, shipped in the kit
        model = bert_torch.Bert(*SHAPES[args.shape])
        impl = "plain torch (scripts/bench/bert_torch.py; transformers not importable)"
        logits_of = model
    model.to(args.device)
    ids = torch.randint(1000, 30000, (args.batch, args.max_len), device=args.device)
    mask = torch.ones(args.batch, args.max_len, dtype=torch.int64, device=args.device)
    types = torch.zeros(args.batch, args.max_len, dtype=torch.int64, device=args.device)
    labels = torch.arange(args.batch, device=args.device) % 2
    autocast = torch.autocast(args.device, dtype=torch.bfloat16, enabled=args.precision == "bf16")
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)

    def train_step():
        opt.zero_grad(set_to_none=True)
        with autocast:
            loss = torch.nn.functional.cross_entropy(logits_of(ids, mask, types).float(), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    def infer():
        with torch.no_grad(), autocast:
            logits_of(ids, mask, types)

    model.train()
    train_first, train_s = timed(train_step, args.steps, args.device)
    model.eval()
    infer_first, infer_s = timed(infer, args.steps, args.device)
    out = {"impl": impl, "torch": torch.__version__, "device": args.device, "precision": args.precision,
           "threads": torch.get_num_threads(), "batch": args.batch, "max_len": args.max_len,
           "train": {"first_seconds": train_first, "ms_per_step": train_s * 1000, "samples_per_second": args.batch / train_s},
           "inference": {"first_seconds": infer_first, "ms_per_step": infer_s * 1000, "samples_per_second": args.batch / infer_s}}
    if args.device == "cuda":
        out["device_name"] = torch.cuda.get_device_name(0)
        out["max_memory_allocated_bytes"] = torch.cuda.max_memory_allocated()
    print(json.dumps(out))


def random_checkpoint(args):
    c = shape_config(args.shape)
    gen = torch.Generator().manual_seed(20261130)
    w = bert_reference.random_weights(c, gen)
    os.makedirs(args.dir, exist_ok=True)
    with open(os.path.join(args.dir, "config.json"), "w") as f:
        json.dump(bert_reference.config_json(c), f, indent=2)
    bert_reference.write_safetensors(os.path.join(args.dir, "model.safetensors"), w, "F32")
    shutil.copyfile(args.tokenizer, os.path.join(args.dir, "tokenizer.json"))
    print(json.dumps({"dir": args.dir, "shape": args.shape, "params": sum(t.numel() for t in w.values())}))


def read_safetensors(path):
    """name → float32 tensor (F32, BF16 and F16 stored tensors)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        raw = bytearray(data[lo:hi])
        dtype = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}.get(info["dtype"])
        if dtype is None:
            continue  # e.g. int64 position_ids
        out[name] = torch.frombuffer(raw, dtype=dtype).reshape(info["shape"]).float()
    return out


def logits(args):
    rows = [json.loads(line) for line in open(args.ids) if line.strip()]
    result = {"device": args.device}
    if transformers is not None:
        model, info = transformers.BertForSequenceClassification.from_pretrained(args.dir, output_loading_info=True)
        model.to(args.device).eval()
        result["impl"] = f"transformers {transformers.__version__} from_pretrained"
        result["loading_info"] = {k: sorted(map(str, v)) for k, v in info.items()}

        def run(ids):
            t = torch.tensor([ids], device=args.device)
            with torch.no_grad():
                return model(input_ids=t, attention_mask=torch.ones_like(t), token_type_ids=torch.zeros_like(t)).logits[0]
    elif args.require_transformers:
        print(json.dumps({"skipped": "transformers is not importable"}))
        return
    else:
        with open(os.path.join(args.dir, "config.json")) as f:
            hf = json.load(f)
        c = dict(hidden=hf["hidden_size"], heads=hf["num_attention_heads"], layers=hf["num_hidden_layers"])
        w = {k: v.to(args.device) for k, v in read_safetensors(os.path.join(args.dir, "model.safetensors")).items()}
        result["impl"] = "plain torch reference forward (scripts/golden/bert_reference.py; transformers not importable)"

        def run(ids):
            t = torch.tensor([ids], device=args.device)
            with torch.no_grad():
                return bert_reference.forward(w, c, t, torch.ones_like(t), torch.zeros_like(t))[0]
    result["logits"] = [run(r["ids"]).float().cpu().tolist() for r in rows]
    print(json.dumps(result))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--shape", choices=sorted(SHAPES), default="base")
    b.add_argument("--batch", type=int, default=32)
    b.add_argument("--max-len", type=int, default=128)
    b.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    b.add_argument("--device", default="cuda")
    b.add_argument("--steps", type=int, default=20)
    r = sub.add_parser("random-checkpoint")
    r.add_argument("dir")
    r.add_argument("--shape", choices=sorted(SHAPES), default="base")
    r.add_argument("--tokenizer", required=True)
    lg = sub.add_parser("logits")
    lg.add_argument("dir")
    lg.add_argument("--ids", required=True)
    lg.add_argument("--device", default="cuda")
    lg.add_argument("--require-transformers", action="store_true")
    args = ap.parse_args()
    {"bench": bench, "random-checkpoint": random_checkpoint, "logits": logits}[args.cmd](args)


if __name__ == "__main__":
    main()
