#!/usr/bin/env python3
"""The GPU kit's checks; gpu-check.sh runs this after finding the CUDA PJRT plugin and setting
GOMLX_BACKEND, PJRT_PLUGIN_LIBRARY_PATH and XLA_FLAGS (or, with --cpu, the pure-Go backend).

  (1) polarity env
  (2) polarity bench, fp32 and bf16 (bert-base shape, batch 32 × 128 tokens on a GPU)
  (3) the same model in PyTorch (transformers when importable), side by side, with the ratio
  (4) logits of one random checkpoint: polarity predict vs PyTorch (max |Δ|)
  (5) a checkpoint fine-tuned for a few steps by polarity train, loaded by transformers' from_pretrained

Everything printed is also written, with the numbers, to KIT/report-<host>-<time>.json (after
every step, so a run cut short still leaves its report). Needs only Python's standard library;
the PyTorch steps run torch_side.py with --python.
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

# Review-like texts for the logits checks (short, so the pure-Go backend is quick too).
TEXTS = [
    "Great product, works exactly as described and arrived early.",
    "Terrible quality. It broke after two days and support never answered.",
    "Not bad for the price, although the manual is confusing.",
    "I love this album; every song is a gem and the sound is superb.",
    "Waste of money. Do not buy.",
]

# What each mode runs: the bench shape, batch, length and timed steps.
MODES = {
    "gpu": dict(shape="base", batch=32, max_len=128, steps=20, logits_shape="base", device="cuda"),
    # bert-base at batch 32 takes minutes per step on the pure-Go backend: the tiny shape instead.
    "cpu": dict(shape="tiny", batch=16, max_len=128, steps=3, logits_shape="base", device="cpu"),
}


class Check:
    def __init__(self, kit, mode, python, budget):
        self.kit, self.mode, self.python, self.budget = kit, mode, python, budget
        self.polarity = os.path.join(kit, "polarity")
        self.m = MODES[mode]
        self.start = time.monotonic()
        self.work = tempfile.mkdtemp(prefix="polarity-gpu-check-")
        host = socket.gethostname()
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.path = os.path.join(kit, f"report-{host}-{stamp}.json")
        env_keys = ["GOMLX_BACKEND", "PJRT_PLUGIN_LIBRARY_PATH", "XLA_FLAGS", "LD_LIBRARY_PATH", "GOMODCACHE"]
        self.report = {"host": host, "started_utc": stamp, "mode": mode, "kit": kit, "python": python,
                       "budget_seconds": budget, "settings": self.m,
                       "environment": {k: os.environ.get(k) for k in env_keys}, "steps": {}, "output": ""}
        self.lines = []
        self.failed = []

    def say(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def save(self):
        self.report["output"] = "\n".join(self.lines)
        self.report["elapsed_seconds"] = round(time.monotonic() - self.start, 1)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.report, f, indent=2)
        os.replace(tmp, self.path)

    def remaining(self):
        return self.budget - (time.monotonic() - self.start)

    def run(self, argv, stdin=None, timeout=None):
        """Runs argv; echoes its stderr (progress) indented; returns stdout. Fails on a non-zero exit."""
        limit = self.remaining() if timeout is None else min(timeout, self.remaining())
        if limit < 5:
            raise RuntimeError(f"out of time: {self.budget:.0f} s budget spent before `{' '.join(argv[:3])}`")
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, tail = [], []

        def collect():
            out.append(p.stdout.read())

        def echo():
            for line in p.stderr:
                line = line.rstrip("\n")
                print("    | " + line, file=sys.stderr, flush=True)
                self.lines.append("    | " + line)
                tail.append(line)
                del tail[:-30]

        readers = [threading.Thread(target=f, daemon=True) for f in (collect, echo)]
        for t in readers:
            t.start()
        if stdin is not None:
            p.stdin.write(stdin)
            p.stdin.close()
        try:
            p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            raise RuntimeError(f"`{' '.join(argv[:3])}` ran past {limit:.0f} s and was stopped")
        finally:
            for t in readers:
                t.join(timeout=10)
        if p.returncode != 0:
            raise RuntimeError(f"`{' '.join(argv[:4])}` exited {p.returncode}: " + " / ".join(tail[-5:]))
        return "".join(out)

    def step(self, key, title, fn):
        self.say(f"\n({key}) {title}")
        t0 = time.monotonic()
        try:
            rec = fn() or {}
            rec.setdefault("status", "ok")
        except Exception as e:  # one failed step must not hide the others
            rec = {"status": "failed", "error": str(e)}
            self.failed.append(key)
            self.say(f"    FAILED: {e}")
        rec["seconds"] = round(time.monotonic() - t0, 1)
        self.report["steps"][key] = rec
        self.save()

    def torch_ok(self):
        if not hasattr(self, "_torch"):
            probe = "import torch, json; t = None\ntry:\n import transformers; t = transformers.__version__\nexcept ImportError: pass\n" \
                    "print(json.dumps({'torch': torch.__version__, 'transformers': t, 'cuda': torch.cuda.is_available()}))"
            try:
                self._torch = json.loads(subprocess.run([self.python, "-c", probe], capture_output=True, text=True,
                                                        timeout=120).stdout)
            except (ValueError, OSError, subprocess.TimeoutExpired):
                self._torch = None
            self.report["torch"] = self._torch
        return self._torch

    def torch_device(self):
        """cuda in GPU mode when torch sees it; else the CPU (said in the step's record)."""
        info = self.torch_ok() or {}
        return "cuda" if self.m["device"] == "cuda" and info.get("cuda") else "cpu"

    def torch_side(self, *args):
        return json.loads(self.run([self.python, os.path.join(self.kit, "torch_side.py"), *args]).strip().splitlines()[-1])

    # (1)
    def env(self):
        out = self.run([self.polarity, "env"], timeout=60)
        for line in out.splitlines():
            self.say("    " + line)
        rec = {"output": out}
        if self.mode == "gpu" and shutil.which("nvidia-smi"):
            smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                                 capture_output=True, text=True).stdout.strip()
            self.say("    nvidia-smi: " + smi)
            rec["nvidia_smi"] = smi
        return rec

    # (2)
    def bench(self):
        m, rec = self.m, {}
        for p in ("fp32", "bf16"):
            try:
                out = self.run([self.polarity, "bench", "--model", m["shape"], "--batch", str(m["batch"]),
                                "--max-len", str(m["max_len"]), "--precision", p, "--steps", str(m["steps"]), "--json"])
                r = json.loads(out)
            except Exception as e:
                rec[p] = {"status": "failed", "error": str(e)}
                self.failed.append(f"2-{p}")
                self.say(f"    {p}: FAILED: {e}")
                continue
            rec[p] = r
            mfu = lambda ph: "-" if ph["mfu"] is None else f"{100 * ph['mfu']:.1f}%"  # noqa: E731
            tr, inf = r["train"], r["inference"]
            self.say(f"    {p}: {r['backend']} on {r['device']}, {r['compute_dtype']} compute, compile {r['compile_seconds']:.1f} s")
            self.say(f"      train     {tr['ms_per_step']:9.1f} ms/step {tr['samples_per_second']:9.1f} samples/s "
                     f"{tr['tflops']:8.3f} TFLOP/s  MFU {mfu(tr)}")
            self.say(f"      inference {inf['ms_per_step']:9.1f} ms/step {inf['samples_per_second']:9.1f} samples/s "
                     f"{inf['tflops']:8.3f} TFLOP/s  MFU {mfu(inf)}")
            gpu = r.get("gpu_memory")
            self.say(f"      peak RSS {r['peak_rss_bytes'] / 2**20:.0f} MiB" +
                     (f"; GPU memory in use {gpu['memory_used_bytes'] / 2**30:.1f} of {gpu['memory_total_bytes'] / 2**30:.1f} GiB" if gpu else ""))
        return rec

    # (3)
    def torch_bench(self):
        info = self.torch_ok()
        if not info:
            self.say(f"    skipped: torch is not importable by {self.python}")
            return {"status": "skipped", "reason": "torch not importable"}
        if self.m["device"] == "cuda" and not info["cuda"]:
            self.say("    skipped: torch sees no CUDA device")
            return {"status": "skipped", "reason": "torch.cuda.is_available() is False"}
        m, rec = self.m, {}
        ours = self.report["steps"].get("2", {})
        self.say(f"    {'':5} {'':10} {'polarity':>10} {'torch':>10} {'ratio':>7}   (samples/s; ratio = polarity / torch)")
        for p in ("fp32", "bf16"):
            r = self.torch_side("bench", "--shape", m["shape"], "--batch", str(m["batch"]), "--max-len", str(m["max_len"]),
                                "--precision", p, "--device", m["device"], "--steps", str(m["steps"]))
            rec[p] = r
            if p == "fp32":
                self.say(f"    torch side: {r['impl']}, torch {r['torch']}, {r['threads']} threads")
            for phase in ("train", "inference"):
                theirs = r[phase]["samples_per_second"]
                mine = (ours.get(p) or {}).get(phase, {}).get("samples_per_second")
                ratio = f"{mine / theirs:6.2f}×" if mine else "     -"
                rec[p][phase]["ratio_polarity_over_torch"] = mine / theirs if mine else None
                self.say(f"    {p:5} {phase:10} {mine or 0:10.1f} {theirs:10.1f} {ratio}")
        return rec

    def predict_logits(self, model_dir):
        """polarity tokenize + predict on TEXTS: the ids file path and polarity's logits."""
        ids = self.run([self.polarity, "tokenize", "--tokenizer", model_dir, "--jsonl"],
                       stdin="".join(json.dumps(t) + "\n" for t in TEXTS))
        ids_path = os.path.join(model_dir, "ids.jsonl")
        with open(ids_path, "w") as f:
            f.write(ids)
        out = self.run([self.polarity, "predict", "--model", model_dir, "--json", *TEXTS])
        return ids_path, [json.loads(line)["logits"] for line in out.splitlines() if line.strip()]

    def compare(self, ours, theirs):
        delta = max(abs(a - b) for x, y in zip(ours, theirs) for a, b in zip(x, y))
        scale = max(abs(v) for row in theirs for v in row)
        ok = len(ours) == len(theirs) == len(TEXTS) and delta <= 1e-3 * max(1.0, scale)
        return {"max_abs_delta": delta, "max_abs_logit": scale, "agree": ok,
                "polarity_logits": ours, "torch_logits": theirs}

    # (4)
    def logits(self):
        if not self.torch_ok():
            self.say(f"    skipped: torch is not importable by {self.python} (it writes the random checkpoint)")
            return {"status": "skipped", "reason": "torch not importable"}
        d = os.path.join(self.work, "random")
        found = glob.glob(os.path.join(os.environ.get("GOMODCACHE", ""), "github.com", "daulet", "tokenizers@*",
                                       "test", "data", "bert-base-uncased.json"))
        if not found:
            raise RuntimeError("no bert-base-uncased.json under $GOMODCACHE: run the kit through gpu-check.sh")
        tok = found[0]
        made = self.torch_side("random-checkpoint", d, "--shape", self.m["logits_shape"], "--tokenizer", tok)
        ids_path, ours = self.predict_logits(d)
        theirs = self.torch_side("logits", d, "--ids", ids_path, "--device", self.torch_device())
        rec = self.compare(ours, theirs["logits"])
        rec.update(checkpoint=made, torch_impl=theirs["impl"], device=theirs["device"])
        self.say(f"    {self.m['logits_shape']} shape, random weights ({made['params']:,} params), {len(TEXTS)} texts; "
                 f"torch side: {theirs['impl']} on {theirs['device']}")
        self.say(f"    max |Δ logits| = {rec['max_abs_delta']:.3g} (largest |logit| {rec['max_abs_logit']:.3g}): "
                 + ("agree" if rec["agree"] else "DISAGREE"))
        if not rec["agree"]:
            rec["status"] = "failed"
            self.failed.append("4")
        return rec

    # (5)
    def finetune(self):
        d = os.path.join(self.work, "finetuned")
        out = self.run([self.polarity, "train", "--model", "tiny", "--data", "sample", "--samples", "240", "--epochs", "1",
                        "--batch", "16", "--max-len", "64", "--out", d])
        for line in out.strip().splitlines():
            self.say("    " + line)
        rec = {"train_output": out, "files": sorted(os.listdir(d))}
        info = self.torch_ok()
        if not info:
            self.say(f"    from_pretrained skipped: torch is not importable by {self.python}")
            rec.update(status="skipped", reason="torch not importable")
            return rec
        ids_path, ours = self.predict_logits(d)
        theirs = self.torch_side("logits", d, "--ids", ids_path, "--device", self.torch_device())
        rec.update(self.compare(ours, theirs["logits"]))
        rec["torch_impl"] = theirs["impl"]
        if info.get("transformers"):
            li = theirs.get("loading_info", {})
            clean = not any(li.get(k) for k in ("missing_keys", "unexpected_keys", "mismatched_keys"))
            rec["loading_info"], rec["from_pretrained"] = li, "ok" if clean else "incomplete"
            self.say(f"    transformers from_pretrained: {'loaded every weight' if clean else 'INCOMPLETE: ' + json.dumps(li)}")
            rec["agree"] = rec["agree"] and clean
        else:
            rec["from_pretrained"] = "skipped: transformers not importable"
            self.say("    from_pretrained skipped: transformers is not importable; checked the saved checkpoint "
                     "with the plain-torch reference forward pass instead")
        self.say(f"    max |Δ logits| polarity predict vs {theirs['impl'].split(' (')[0]}: {rec['max_abs_delta']:.3g} "
                 f"(largest |logit| {rec['max_abs_logit']:.3g}): " + ("agree" if rec["agree"] else "DISAGREE"))
        if not rec["agree"]:
            rec["status"] = "failed"
            self.failed.append("5")
        return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kit", required=True)
    ap.add_argument("--mode", choices=sorted(MODES), default="gpu")
    ap.add_argument("--python", default=sys.executable, help="the python with torch (and transformers)")
    ap.add_argument("--budget", type=float, default=450, help="seconds for all steps together")
    args = ap.parse_args()
    c = Check(os.path.abspath(args.kit), args.mode, args.python, args.budget)
    m = c.m
    c.say(f"polarity GPU kit check, {args.mode} mode, on {c.report['host']}; budget {args.budget:.0f} s; report {c.path}")
    for note in os.environ.get("GPU_CHECK_NOTES", "").splitlines():
        c.say(note)  # what gpu-check.sh found (plugin, libraries, flags)
    if args.mode == "cpu":
        c.say("CPU mode: pure-Go backend; bench on the tiny shape (bert-base at batch 32 takes minutes per step there)")
    try:
        c.step("1", "polarity env", c.env)
        c.step("2", f"polarity bench: {m['shape']} shape, random weights, batch {m['batch']} × {m['max_len']} tokens, fp32 and bf16", c.bench)
        c.step("3", "the same model in PyTorch, same batch (bf16: torch.autocast)", c.torch_bench)
        c.step("4", "logits of a random checkpoint: polarity predict vs PyTorch", c.logits)
        c.step("5", "fine-tune a few steps (polarity train), load the checkpoint with transformers' from_pretrained", c.finetune)
    finally:
        shutil.rmtree(c.work, ignore_errors=True)
    status = "FAILED steps: " + ", ".join(c.failed) if c.failed else "all steps passed or were skipped with a reason"
    c.say(f"\n{status}; {time.monotonic() - c.start:.0f} s; report: {c.path}")
    c.report["failed"] = c.failed
    c.save()
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
