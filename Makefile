# Polarity: `make setup` once per machine, then `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

# Packages cheap enough to run under the race detector within CI's budget.
RACE_PKGS := ./lib/nbui/... ./lib/dataset ./lib/envinfo/... ./lib/progress/... ./lib/nprand/... ./lib/hub/... ./lib/bert/safetensors/...

.PHONY: setup test vet gotest race notebooks run clean bench-bert

setup: ## install Jupyter, GoNB, Go tools, modules; register the kernel
	scripts/setup.sh

test: vet gotest race notebooks ## everything CI runs

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

bench-bert: ## lib/bert vs torch (same model, shapes, threads): times, ratios, peak RSS; needs python3-torch
	@/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "bench-bert needs Debian's torch: POLARITY_WITH_TORCH=1 make setup"; exit 1; }
	mkdir -p build/bench-bert
	go run ./scripts/bench/bert -cpuprofile-dir build/bench-bert $(BENCH_BERT_FLAGS)
	@echo "CPU profiles: go tool pprof -top build/bench-bert/<scenario>.pprof"

.PHONY: bench-data
bench-data: ## stream a generated 3.6M-row parquet: rows/s and peak RSS (< 1 GiB)
	scripts/bench-data.sh
