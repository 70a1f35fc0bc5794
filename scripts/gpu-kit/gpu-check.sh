#!/usr/bin/env bash
# gpu-check.sh [--cpu | --find]: the GPU kit's checks (`make gpu-kit` builds the kit; README.md, "GPU kit").
#
# On a GPU machine without Go: finds the CUDA PJRT plugin that is already installed (a
# jax-cuda13-pjrt or jax-cuda12-pjrt wheel's xla_cuda_plugin.so, or go-xla's
# pjrt_c_api_cuda_plugin.so), points GoMLX at it (GOMLX_BACKEND, PJRT_PLUGIN_LIBRARY_PATH,
# XLA_FLAGS=--xla_gpu_cuda_data_dir, LD_LIBRARY_PATH for the NVIDIA wheels' libraries), then runs
# gpu_check.py: polarity env, polarity bench fp32/bf16, PyTorch side by side, logits vs
# PyTorch, a fine-tuned checkpoint loaded by transformers. Report: report-<host>-<time>.json
# in this folder.
#
# --cpu runs the same steps on the pure-Go backend with Debian's torch (/usr/bin/python3).
# --find only prints the plugin it finds and the settings it would use.
# PYTHON=... picks the python that has torch/transformers; CHECK_BUDGET=seconds (default 450).
set -euo pipefail

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mode=gpu
find_only=false
case "${1:-}" in
  --cpu) mode=cpu ;;
  --find) find_only=true ;;  # print what was found and the settings, run nothing
  "") ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) echo "gpu-check.sh: unknown argument $1 (usage: gpu-check.sh [--cpu | --find])" >&2; exit 2 ;;
esac

if ! $find_only && [ ! -x "$kit/polarity" ]; then
  echo "gpu-check: no polarity binary in $kit: run \`make gpu-kit\` and then build/gpu-kit/gpu-check.sh" >&2
  exit 3
fi

# The CLI's offline default tokenizer lives in the Go module cache; the kit carries that file.
export GOMODCACHE="$kit/gomodcache"

if [ "$mode" = cpu ]; then
  python=${PYTHON:-/usr/bin/python3}
  export GOMLX_BACKEND=go
else
  python=${PYTHON:-python3}
  plugin=""
  # 1. A folder already named by PJRT_PLUGIN_LIBRARY_PATH.
  IFS=: read -r -a dirs <<< "${PJRT_PLUGIN_LIBRARY_PATH:-}"
  for d in "${dirs[@]}"; do
    for f in "$d/pjrt_c_api_cuda_plugin.so" "$d/xla_cuda_plugin.so"; do
      if [ -z "$plugin" ] && [ -f "$f" ]; then plugin=$f; fi
    done
  done
  # 2. JAX's CUDA plugin wheels, through python (jax_plugins is a namespace package: nothing is imported).
  if [ -z "$plugin" ] && command -v "$python" >/dev/null; then
    plugin=$("$python" -c '
import glob, importlib.util, os
spec = importlib.util.find_spec("jax_plugins")
hits = []
for loc in (spec.submodule_search_locations if spec else []):
    hits += glob.glob(os.path.join(loc, "xla_cuda*", "xla_cuda_plugin.so"))
print(sorted(hits, reverse=True)[0] if hits else "")  # xla_cuda13 before xla_cuda12
' 2>/dev/null || true)
  fi
  # 3. Anywhere on this file system (go-xla's installer, other pythons).
  if [ -z "$plugin" ]; then
    echo "gpu-check: searching / for a CUDA PJRT plugin (up to a minute)…" >&2
    plugin=$(timeout 60 find / \( -path /proc -o -path /sys -o -path /dev -o -path /run \) -prune -o -type f \
      \( -name xla_cuda_plugin.so -o -name pjrt_c_api_cuda_plugin.so \) -print 2>/dev/null | sort -r | head -n 1 || true)
  fi
  if [ -z "$plugin" ]; then
    cat >&2 <<EOF2
gpu-check: no CUDA PJRT plugin found on this machine. Looked in PJRT_PLUGIN_LIBRARY_PATH
(${PJRT_PLUGIN_LIBRARY_PATH:-unset}), in $python's jax_plugins (jax-cuda13-pjrt / jax-cuda12-pjrt
wheels), and for xla_cuda_plugin.so / pjrt_c_api_cuda_plugin.so under /.
Install one (pip install "jax[cuda13]"), point PJRT_PLUGIN_LIBRARY_PATH at its folder,
or run the same checks on the CPU: $0 --cpu
EOF2
    exit 3
  fi
  plugin_dir=$(dirname "$plugin")
  # The NVIDIA wheels' libraries: site-packages/nvidia next to jax_plugins, or (go-xla's
  # layout) the plugin's own folder.
  nvidia=""
  for d in "$plugin_dir/../../nvidia" "$plugin_dir/../nvidia" "$plugin_dir"; do
    if [ -d "$d" ] && [ -n "$(find "$d" -maxdepth 3 -name 'libcudart.so*' -print -quit 2>/dev/null)" ]; then
      nvidia=$(cd "$d" && pwd); break
    fi
  done
  data_dir=""
  if [ -n "$nvidia" ]; then
    libs=$(find "$nvidia" -maxdepth 3 -type d -name lib | sort | tr '\n' ':')
    export LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:-}"
    # XLA compiles kernels with ptxas and links libdevice; it wants both under one data dir.
    ptxas=$(find "$nvidia" -type f -path '*/bin/ptxas' -print -quit 2>/dev/null || true)
    libdevice=$(find "$nvidia" -type f -name libdevice.10.bc -print -quit 2>/dev/null || true)
    if [ -n "$ptxas" ] && [ -n "$libdevice" ]; then
      root=$(dirname "$(dirname "$ptxas")")
      if [ -x "$ptxas" ] && [ -f "$root/nvvm/libdevice/libdevice.10.bc" ]; then
        data_dir=$root
      else  # split over two wheels, or ptxas lost its exec bit: a data dir of our own
        data_dir=$(mktemp -d "${TMPDIR:-/tmp}/polarity-cuda-data-XXXXXX")
        mkdir -p "$data_dir/bin"
        cp "$ptxas" "$data_dir/bin/ptxas" && chmod 0755 "$data_dir/bin/ptxas"
        ln -s "$(dirname "$(dirname "$libdevice")")" "$data_dir/nvvm"
      fi
    fi
  fi
  case "${XLA_FLAGS:-}" in
    *--xla_gpu_cuda_data_dir*) ;;
    *) if [ -n "$data_dir" ]; then export XLA_FLAGS="--xla_gpu_cuda_data_dir=$data_dir ${XLA_FLAGS:-}"; fi ;;
  esac
  export GOMLX_BACKEND="xla:$plugin" PJRT_PLUGIN_LIBRARY_PATH="$plugin_dir"
  # go-xla's own check looks for ../nvidia beside the plugin and would otherwise point XLA_FLAGS
  # at its author's home folder; the folders were found above.
  export GOPJRT_CUDA_CHECKS=0
  # The wheels' versions: go-xla v0.1.4 (GoMLX v0.26.0) was built for PJRT C API 0.83, i.e. JAX
  # 0.8.1's plugin (docker/Dockerfile pins it); a much older or newer plugin may fail to load.
  versions=$("$python" -c '
import importlib.metadata as md
names = sorted({(d.metadata["Name"] or "") + " " + d.version for d in md.distributions()})
print(", ".join(n for n in names if n.lower().startswith(("jax", "nvidia-cuda-runtime", "nvidia-cudnn", "torch ", "transformers "))))
' 2>/dev/null || true)
  notes="gpu-check: CUDA PJRT plugin $plugin
gpu-check: python packages: ${versions:-unknown} (go-xla v0.1.4 expects JAX 0.8.1's plugin, PJRT C API 0.83)
gpu-check: NVIDIA libraries ${nvidia:-not found beside it, using the system libraries}; XLA_FLAGS=${XLA_FLAGS:-}"
  if [ -z "$data_dir" ] && [[ "${XLA_FLAGS:-}" != *--xla_gpu_cuda_data_dir* ]]; then
    notes="$notes
gpu-check: warning: no ptxas + libdevice.10.bc found beside the plugin: XLA may fail to compile kernels"
  fi
  export GPU_CHECK_NOTES="$notes"  # gpu_check.py prints them and keeps them in the report
  if $find_only; then
    printf '%s\n' "$notes" "GOMLX_BACKEND=$GOMLX_BACKEND" "PJRT_PLUGIN_LIBRARY_PATH=$PJRT_PLUGIN_LIBRARY_PATH" \
      "XLA_FLAGS=${XLA_FLAGS:-}" "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    exit 0
  fi
fi

if ! command -v "$python" >/dev/null; then
  echo "gpu-check: no $python: the checks need python3 (standard library; torch for the PyTorch steps). Set PYTHON=..." >&2
  exit 3
fi
exec "$python" "$kit/gpu_check.py" --kit "$kit" --mode "$mode" --python "$python" --budget "${CHECK_BUDGET:-450}"
