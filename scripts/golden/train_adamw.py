#!/usr/bin/python3
"""Golden values for lib/train's AdamW, schedule and clipping, from PyTorch.

Three parameters (a weight matrix, a bias, a LayerNorm weight) take four
steps of torch.optim.AdamW (decay only on the matrix, as transformers'
no_decay = ["bias", "LayerNorm.weight"] does) under
get_linear_schedule_with_warmup's lambda, with clip_grad_norm_(1.0). The loss
is sum(c * p²)/2 + sum(d * p), so gradients change from step to step.

Run: /usr/bin/python3 scripts/golden/train_adamw.py > lib/train/testdata/adamw.json
(needs Debian python3-torch).
"""
import json

import torch

torch.manual_seed(0)
params = {
    "weight": torch.randn(2, 3, dtype=torch.float64),
    "bias": torch.randn(3, dtype=torch.float64),
    "LayerNorm.weight": 1 + 0.1 * torch.randn(3, dtype=torch.float64),
}
coef = {k: torch.rand_like(v) * 3 for k, v in params.items()}
lin = {k: torch.randn_like(v) * 2 for k, v in params.items()}
init = {k: v.clone() for k, v in params.items()}
tensors = {k: v.clone().requires_grad_(True) for k, v in params.items()}

peak, warmup, total, wd, clip = 0.05, 1, 4, 0.1, 1.0


def lr_lambda(step):  # transformers.get_linear_schedule_with_warmup
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


opt = torch.optim.AdamW(
    [
        {"params": [tensors["weight"]], "weight_decay": wd},
        {"params": [tensors["bias"], tensors["LayerNorm.weight"]], "weight_decay": 0.0},
    ],
    lr=peak, betas=(0.9, 0.999), eps=1e-8,
)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
lrs, norms = [], []
# Step 0 has lr 0 (warmup starts at 0); run one more step than warmup+decay needs.
for step in range(total):
    opt.zero_grad()
    loss = sum((0.5 * coef[k] * tensors[k] ** 2 + lin[k] * tensors[k]).sum() for k in tensors)
    loss.backward()
    norms.append(float(torch.nn.utils.clip_grad_norm_(list(tensors.values()), clip)))
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()

out = {
    "peak_lr": peak, "warmup_steps": warmup, "total_steps": total, "weight_decay": wd, "max_grad_norm": clip,
    "lrs": lrs, "grad_norms": norms,
    "params": {k: {"shape": list(v.shape), "init": init[k].flatten().tolist(), "coef": coef[k].flatten().tolist(),
                   "lin": lin[k].flatten().tolist(), "final": tensors[k].detach().flatten().tolist()}
               for k, v in params.items()},
}
print(json.dumps(out, indent=1))
