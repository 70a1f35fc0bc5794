# Polarity: `make setup` once per machine, then `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

# Packages cheap enough to run under the race detector within CI's budget.
RACE_PKGS := ./lib/cpukernels ./lib/nbui/... ./lib/dataset ./lib/progress/... ./lib/nprand/... ./lib/hub/... ./lib/tokenize/... ./lib/bert/safetensors/... ./lib/evaluate/...

.PHONY: setup test vet gotest race notebooks run clean bench-dotgrad test-browser

setup: ## install Jupyter, GoNB, Go tools, modules; register the kernel
	scripts/setup.sh

test: vet gotest race notebooks test-browser ## everything CI runs

vet:
	go vet ./...

gotest:
	go test -count=1 ./...

race:
	go test -count=1 -race $(RACE_PKGS)

notebooks: ## execute every notebook headless into build/notebooks
	scripts/run-notebooks.sh build/notebooks

run: ## the pipeline on the embedded sample; executed notebooks land in build/notebooks
	scripts/run-notebooks.sh build/notebooks
	@echo "Open the executed notebooks: jupyter notebook build/notebooks/"

clean:
	rm -rf build

golden-train: ## regenerate lib/train and lib/evaluate goldens (needs Debian python3-torch, python3-sklearn)
	/usr/bin/python3 scripts/golden/train_adamw.py > lib/train/testdata/adamw.json
	/usr/bin/python3 scripts/golden/evaluate_report.py > lib/evaluate/testdata/classification_report.json

.PHONY: bench-data
bench-data: ## stream a generated 3.6M-row parquet: rows/s and peak RSS (< 1 GiB)
	scripts/bench-data.sh

.PHONY: bench-eda
bench-eda: ## EDA n-gram counting: real 6,459 + generated 1M reviews, reviews/s and peak RSS (vs sklearn)
	scripts/bench-eda.sh
# --- tokenize ---------------------------------------------------------------
# npm tokenizers@0.23.2 (Hugging Face's Node binding) is the reference for lib/tokenize's
# goldens and the peer in its benchmark. Tests do not need it; these targets install it
# into scripts/golden/node_modules (git-ignored) from the committed lock file.
GOLDEN_NPM := scripts/golden/node_modules/tokenizers/package.json
BERT_TOKENIZER = $(shell go env GOMODCACHE)/github.com/daulet/tokenizers@v1.24.0/test/data/bert-base-uncased.json
SHARED_REVIEWS := $(firstword $(wildcard ../shared/data/amazon_polarity_test_head.ft.txt ../../shared/data/amazon_polarity_test_head.ft.txt))

.PHONY: bench-tokenize golden-tokenize check-golden-tokenize

$(GOLDEN_NPM): scripts/golden/package.json scripts/golden/package-lock.json
	cd scripts/golden && npm ci --no-audit --no-fund
	touch $@

bench-tokenize: $(GOLDEN_NPM) ## pure-Go tokenizer vs npm tokenizers in one run: reviews/s, ratio, allocs
	go mod download github.com/daulet/tokenizers
	go run ./scripts/bench/tokenize -data "$(SHARED_REVIEWS)"
	go test -run '^$$' -bench Encode -benchmem ./lib/tokenize

golden-tokenize: $(GOLDEN_NPM) ## regenerate lib/tokenize's Unicode table and goldens from npm tokenizers
	go mod download github.com/daulet/tokenizers
	node scripts/golden/unicode_table.js "$(BERT_TOKENIZER)" > lib/tokenize/unicode_table.go.tmp
	gofmt lib/tokenize/unicode_table.go.tmp > lib/tokenize/unicode_table.go && rm lib/tokenize/unicode_table.go.tmp
	node scripts/golden/tokenize.js "$(BERT_TOKENIZER)" > lib/tokenize/testdata/golden.json.tmp
	mv lib/tokenize/testdata/golden.json.tmp lib/tokenize/testdata/golden.json

check-golden-tokenize: golden-tokenize ## CI with npm: regenerated goldens must equal the committed ones
	git diff --exit-code -- lib/tokenize/unicode_table.go lib/tokenize/testdata/golden.json

# dockerfilelint, pinned, installed under build/ on first use (needs npm). Its config is
# docker/.dockerfilelintrc; docker/dockerfile_test.go (part of `make test`) does the checks
# that need ARG expansion.
DOCKERFILELINT_VERSION := 1.8.0
DOCKERFILELINT_DIR := build/tools/dockerfilelint
.PHONY: lint-docker
lint-docker: ## lint docker/Dockerfile with dockerfilelint
	@if ! grep -qs '"version": "$(DOCKERFILELINT_VERSION)"' $(DOCKERFILELINT_DIR)/node_modules/dockerfilelint/package.json; then \
	  npm install --no-audit --no-fund --silent --prefix $(DOCKERFILELINT_DIR) dockerfilelint@$(DOCKERFILELINT_VERSION); fi
	$(DOCKERFILELINT_DIR)/node_modules/.bin/dockerfilelint docker/Dockerfile

# Tiny-BERT-shaped training step (L2 H128 A2 I512, batch 16×128) on the pure-Go
# backend with lib/dotgrad's DotGeneral gradients and with GoMLX's own; each in
# its own process so that peak RSS is per variant. Prints the speed-up.
DOTGRAD_BACKEND ?= go:parallelism=8,ops_sequential
bench-dotgrad: ## DotGeneral gradient benchmark: lib/dotgrad vs GoMLX's own
	@mkdir -p build
	go test -c -o build/dotgrad.test ./lib/dotgrad
	@cd lib/dotgrad && for variant in dotgrad:3x gomlx:1x; do \
	  GOMLX_BACKEND=$(DOTGRAD_BACKEND) ../../build/dotgrad.test -test.run '^$$' \
	    -test.bench "TrainStep/$${variant%%:*}$$" -test.benchtime $${variant##*:} | grep '^Benchmark'; \
	done | tee $(CURDIR)/build/bench-dotgrad.txt
	@awk '/dotgrad-/ {f=$$3; fc=$$5} /gomlx-/ {g=$$3; gc=$$5} \
	  END {printf "speed-up: %.1fx wall, %.1fx CPU (shared machine: wall times vary with load)\n", g/f, gc/fc}' build/bench-dotgrad.txt

.PHONY: bench-gemm
bench-gemm: ## lib/cpukernels: GFLOP/s of each kernel and of GoMLX's own DotGeneral, 512³ and BERT shapes, 1 and 2 cores
	go test -run '^$$' -bench 'Gemm|DotGeneral' -benchtime 3x ./lib/cpukernels

.PHONY: bench-bert
bench-bert: ## lib/bert vs torch (same model, shapes, threads): times, ratios, peak RSS; needs python3-torch
	@/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "bench-bert needs Debian's torch: POLARITY_WITH_TORCH=1 make setup"; exit 1; }
	mkdir -p build/bench-bert
	go run ./scripts/bench/bert -cpuprofile-dir build/bench-bert $(BENCH_BERT_FLAGS)
	@echo "CPU profiles: go tool pprof -top build/bench-bert/<scenario>.pprof"
# Real-browser tests: each case drives a notebook's review widget in chromium
# (scripts/browser/widget-test.mjs). Skipped with a message when chromium,
# Jupyter or playwright-core are missing, unless CI is set: then they fail.
BROWSER_CASES := scripts/browser/cases/review_widget_fixture.json scripts/browser/cases/evaluate_predict.json

test-browser: ## the review widget in a real browser (chromium + Jupyter); screenshots in build/screenshots
	@if ! command -v node >/dev/null; then \
	  case "$${CI:-}" in ""|0|false) echo "test-browser: SKIP: node not found; run make setup";; \
	  *) echo "test-browser: FAIL: node not found and CI is set; run make setup"; exit 1;; esac; \
	else for c in $(BROWSER_CASES); do node scripts/browser/widget-test.mjs $$c --headless-check || exit 1; done; fi

# Attribution sanity check (issue 8): trains the offline preset (tiny BERT on
# 3,000 synthetic sample reviews, minutes on 2 cores), then checks that
# sentiment words get a larger |attribution| (integrated gradients) than stop-words. Pass
# ATTRIBUTION_MODEL=DIR to check an already trained model instead.
ATTRIBUTION_MODEL ?= 1
.PHONY: test-attribution
test-attribution: ## lib/predict attribution sanity on a model trained on the synthetic sample
	POLARITY_ATTRIBUTION_SANITY=$(ATTRIBUTION_MODEL) go test -count=1 -v -timeout 30m -run TestAttributionSanity ./lib/predict

# GPU kit: everything a GPU machine without Go needs to check the XLA/CUDA path (README.md,
# "GPU kit"). The CLI is built with cgo, so it carries GoMLX's XLA backend (lib/compute/xla.go);
# the machine brings the CUDA PJRT plugin (JAX's wheel), python3, torch and transformers.
GPU_KIT := build/gpu-kit
GPU_KIT_MAX_MIB := 60
.PHONY: gpu-kit
gpu-kit: ## build/gpu-kit: XLA-enabled polarity + gpu-check.sh (run build/gpu-kit/gpu-check.sh [--cpu])
	mkdir -p $(GPU_KIT)
	CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o $(GPU_KIT)/polarity ./cmd/polarity
	go mod download github.com/daulet/tokenizers
	install -D -m 0644 "$(BERT_TOKENIZER)" "$(GPU_KIT)/gomodcache/$(patsubst $(shell go env GOMODCACHE)/%,%,$(BERT_TOKENIZER))"
	install -m 0755 scripts/gpu-kit/gpu-check.sh $(GPU_KIT)/
	install -m 0644 scripts/gpu-kit/gpu_check.py scripts/gpu-kit/torch_side.py scripts/golden/bert_reference.py scripts/bench/bert_torch.py $(GPU_KIT)/
	@size=$$(du -sm --exclude='report-*' $(GPU_KIT) | cut -f1); echo "$(GPU_KIT): $$size MiB (limit $(GPU_KIT_MAX_MIB))"; \
	  [ $$size -le $(GPU_KIT_MAX_MIB) ] || { echo "gpu-kit: over $(GPU_KIT_MAX_MIB) MiB" >&2; exit 1; }
