#!/usr/bin/env bash
# polarity-notebook: the image's entrypoint.
#
# With arguments it runs them (`docker run … polarity:cuda polarity env`). Without, it starts
# JupyterLab on port 8888 of the container, always with token authentication: $JUPYTER_TOKEN
# when set (16 characters at least), otherwise a random one printed below. Publish the port on
# the host's loopback only (`-p 127.0.0.1:8888:8888`, as docker/compose.yaml does).
set -euo pipefail

# The CUDA image sets XLA_FLAGS=--xla_gpu_cuda_data_dir=$POLARITY_CUDA_DATA_DIR. A user who sets
# XLA_FLAGS for other flags drops it, and go-xla v0.1.4 then appends its author's CUDA path:
# put the image's back unless the user named one.
if [ -n "${POLARITY_CUDA_DATA_DIR:-}" ]; then
  case "${XLA_FLAGS:-}" in
    *--xla_gpu_cuda_data_dir*) ;;
    *) export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_gpu_cuda_data_dir=$POLARITY_CUDA_DATA_DIR" ;;
  esac
fi

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

min_token_chars=16
token=${JUPYTER_TOKEN:-}
if [ -z "$token" ]; then
  token=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  echo "polarity: JUPYTER_TOKEN is not set; generated a random token." >&2
elif [ "${#token}" -lt "$min_token_chars" ]; then
  echo "polarity: JUPYTER_TOKEN has ${#token} characters; use at least $min_token_chars" \
    "(e.g. JUPYTER_TOKEN=\$(openssl rand -hex 24)), or unset it to get a random one." >&2
  exit 2
fi
export JUPYTER_TOKEN=$token

host_port=${POLARITY_HOST_PORT:-8888}
echo "polarity: open http://127.0.0.1:${host_port}/lab/tree/notebooks?token=${token}" >&2
exec jupyter lab --no-browser --ip=0.0.0.0 --port=8888 --ServerApp.root_dir="$HOME/polarity"
