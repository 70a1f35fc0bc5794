#!/bin/sh
# pjrt-cuda-layout.sh SITE_PACKAGES DEST
#
# Lays out the CUDA PJRT plugin of an installed `jax-cuda13-pjrt` and the NVIDIA libraries of
# `jax-cuda13-plugin[with-cuda]` (both in SITE_PACKAGES) the way go-xla's installer does:
#   DEST/pjrt_c_api_cuda_plugin.so   the plugin, under the name go-xla searches for
#   DEST/<the wheels' nvidia/ tree>  next to it, where the plugin's RUNPATH looks
#   DEST/bin/ptxas, DEST/nvvm        links that make DEST itself XLA's CUDA data dir
#                                    (XLA_FLAGS=--xla_gpu_cuda_data_dir=DEST)
# and fails, naming what is missing, when the wheels lack a piece the GPU backend needs.
# Used by docker/Dockerfile; tested by docker/pjrt_layout_test.go.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 SITE_PACKAGES DEST" >&2
  exit 2
fi
site=$1
dest=$2

fail() {
  echo "pjrt-cuda-layout: $*" >&2
  exit 1
}

plugin="$site/jax_plugins/xla_cuda13/xla_cuda_plugin.so"
[ -f "$plugin" ] || fail "no $plugin: is jax-cuda13-pjrt installed in $site?"
[ -d "$site/nvidia" ] || fail "no $site/nvidia: is jax-cuda13-plugin[with-cuda] installed in $site?"

mkdir -p "$dest/bin"
cp -a "$site/nvidia/." "$dest/"
cp "$plugin" "$dest/pjrt_c_api_cuda_plugin.so"

# The libraries the plugin cannot run without.
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9 libnccl.so.2; do
  [ -n "$(find "$dest" -name "$lib" -print | head -n 1)" ] || fail "the NVIDIA wheels brought no $lib"
done

# XLA compiles its kernels with ptxas and links libdevice: find them wherever the wheels put
# them (cu13/bin, cu13/nvvm for CUDA 13) and link them where the data dir flag expects them.
ptxas=$(find "$dest" -type f -path '*/bin/ptxas' -print | head -n 1)
libdevice=$(find "$dest" -type f -name libdevice.10.bc -print | head -n 1)
[ -n "$ptxas" ] || fail "the NVIDIA wheels brought no ptxas (nvidia-cuda-nvcc)"
[ -n "$libdevice" ] || fail "the NVIDIA wheels brought no libdevice.10.bc"
chmod 0755 "$ptxas"
[ -e "$dest/bin/ptxas" ] || ln -s "$ptxas" "$dest/bin/ptxas"
[ -e "$dest/nvvm" ] || ln -s "$(dirname "$(dirname "$libdevice")")" "$dest/nvvm"
[ -x "$dest/bin/ptxas" ] || fail "$dest/bin/ptxas is not executable"
[ -f "$dest/nvvm/libdevice/libdevice.10.bc" ] || fail "no $dest/nvvm/libdevice/libdevice.10.bc"

echo "pjrt-cuda-layout: CUDA PJRT plugin and NVIDIA libraries in $dest"
