#!/usr/bin/env bash
# make setup: installs everything Polarity's notebooks and tests need, idempotently,
# and prints what it did and how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."

GOBIN=$(go env GOPATH)/bin
export PATH="$GOBIN:$PATH"
total_start=$(date +%s)

step() { # step NAME COMMAND...: runs a step and prints its wall time
  local name=$1 start
  shift
  start=$(date +%s)
  echo "==> $name"
  "$@"
  echo "    done in $(( $(date +%s) - start )) s"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; return 1; fi
}

# Debian packages: classic Jupyter Notebook + nbconvert run the GoNB notebooks headless;
# python3-numpy regenerates golden files; python3-filelock (huggingface_hub's lock) lets the hub
# tests check that a Go download waits for a Python one.
APT_PACKAGES="jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-numpy python3-filelock"
apt_install() {
  local missing=()
  for p in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "    all present: $APT_PACKAGES"; return; fi
  echo "    installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Debian's torch (1.13, CPU) is only for `make bench-bert` and regenerating lib/bert's goldens
# (scripts/golden/bert_reference.py); ~700 MB, so it is opt-in: POLARITY_WITH_TORCH=1 make setup.
torch_install() {
  if [ "${POLARITY_WITH_TORCH:-0}" != 1 ]; then echo "    skipped (POLARITY_WITH_TORCH=1 installs it)"; return; fi
  if dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q "install ok installed"; then
    echo "    python3-torch already installed"; return
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
}

# go_tool BINARY PACKAGE@VERSION: installs a pinned Go tool unless that version is there.
go_tool() {
  local bin=$1 pkg=$2 want=${2##*@}
  if [ -x "$GOBIN/$bin" ] && go version -m "$GOBIN/$bin" 2>/dev/null | grep -q "mod.*$want"; then
    echo "    $bin $want already installed"; return
  fi
  go install "$pkg"
}

# GoNB is pinned by the tools/ module: the proxy refuses `go install gonb@v0.11.5`.
gonb_install() {
  if [ -x "$GOBIN/gonb" ] && go version -m "$GOBIN/gonb" | grep -q "mod.*gonb.*v0.11.5"; then
    echo "    gonb v0.11.5 already installed"; return
  fi
  (cd tools && go install tool)
}

# Real-browser widget tests (make test-browser): Debian chromium, driven by npm
# playwright-core, pinned exactly in scripts/browser/package.json (+ lock) and
# installed into the git-ignored scripts/browser/node_modules.
PLAYWRIGHT_VERSION=1.64.1
browser_test_deps() {
  local need=()
  dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed" || need+=(chromium)
  command -v npm >/dev/null || need+=(nodejs npm)
  if [ ${#need[@]} -gt 0 ]; then
    echo "    installing: ${need[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  local have
  have=$(node -p "require('./scripts/browser/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
  if [ "$have" = "$PLAYWRIGHT_VERSION" ]; then
    echo "    playwright-core $have already installed"
  else
    (cd scripts/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

step "Debian packages (Jupyter Notebook, nbconvert)" apt_install
step "python3-torch (optional: bench-bert, BERT goldens)" torch_install
step "GoNB v0.11.5 (tools module)" gonb_install
step "goimports v0.52.0" go_tool goimports golang.org/x/tools/cmd/goimports@v0.52.0
step "gopls v0.23.0" go_tool gopls golang.org/x/tools/gopls@v0.23.0
# The kernel spec holds the absolute path of gonb: register on every machine.
# --raw_error keeps compile errors readable in nbconvert logs.
step "register the GoNB Jupyter kernel" gonb --install --raw_error
step "Go modules" go mod download
step "browser test: Debian chromium + playwright-core 1.64.1" browser_test_deps
echo "setup finished in $(( $(date +%s) - total_start )) s"
