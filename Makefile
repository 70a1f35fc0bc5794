# Polarity: `make setup` once per machine, then `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

# Packages cheap enough to run under the race detector within CI's budget.
RACE_PKGS := ./lib/nbui/... ./lib/dataset ./lib/envinfo/... ./lib/progress/... ./lib/nprand/... ./lib/hub/...

.PHONY: setup test vet gotest race notebooks run clean

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

.PHONY: bench-data
bench-data: ## stream a generated 3.6M-row parquet: rows/s and peak RSS (< 1 GiB)
	scripts/bench-data.sh

.PHONY: bench-eda
bench-eda: ## EDA n-gram counting: real 6,459 + generated 1M reviews, reviews/s and peak RSS (vs sklearn)
	scripts/bench-eda.sh
