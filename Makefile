# Polarity: `make setup` once per machine, then `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

# Packages cheap enough to run under the race detector within CI's budget.
RACE_PKGS := ./lib/nbui/... ./lib/dataset/... ./lib/envinfo/... ./lib/progress/... ./lib/evaluate/...

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

golden-train: ## regenerate lib/train and lib/evaluate goldens (needs Debian python3-torch, python3-sklearn)
	/usr/bin/python3 scripts/golden/train_adamw.py > lib/train/testdata/adamw.json
	/usr/bin/python3 scripts/golden/evaluate_report.py > lib/evaluate/testdata/classification_report.json
