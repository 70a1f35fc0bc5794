#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless, in order, into OUT_DIR
# (default build/notebooks), and fails on the first notebook with an error.
#   scripts/run-notebooks.sh [OUT_DIR] [NOTEBOOK...]
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$(go env GOPATH)/bin:$PATH"
# Widgets must not wait for a browser (see lib/nbui.Interactive).
export POLARITY_HEADLESS=1
out=${1:-build/notebooks}
shift || true
notebooks=("$@")
[ ${#notebooks[@]} -gt 0 ] || notebooks=(notebooks/*.ipynb)
cell_timeout=${CELL_TIMEOUT:-1200}
mkdir -p "$out"

for nb in "${notebooks[@]}"; do
  start=$(date +%s)
  echo "==> executing $nb"
  /usr/bin/jupyter nbconvert --to notebook --execute "$nb" --output-dir "$out" \
    --ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout="$cell_timeout"
  # A failing `!cmd` or `%%bash` cell does not fail nbconvert: check every output too.
  /usr/bin/python3 scripts/check_notebook.py "$out/$(basename "$nb")"
  echo "    ok in $(( $(date +%s) - start )) s"
done
echo "executed notebooks are in $out/"
