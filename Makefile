# Polarity: `make setup` once per machine, then `make test`. See README.md.
SHELL := /bin/bash
export PATH := $(shell go env GOPATH)/bin:$(PATH)

# Packages cheap enough to run under the race detector within CI's budget.
RACE_PKGS := ./lib/nbui/... ./lib/dataset/... ./lib/envinfo/... ./lib/progress/...

.PHONY: setup test vet gotest race notebooks run clean test-browser

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

# Real-browser tests: each case drives a notebook's review widget in chromium
# (scripts/browser/widget-test.mjs). Skipped with a message when chromium,
# Jupyter or playwright-core are missing, unless CI is set: then they fail.
BROWSER_CASES := scripts/browser/cases/review_widget_fixture.json

test-browser: ## the review widget in a real browser (chromium + Jupyter); screenshots in build/screenshots
	@if ! command -v node >/dev/null; then \
	  case "$${CI:-}" in ""|0|false) echo "test-browser: SKIP: node not found; run make setup";; \
	  *) echo "test-browser: FAIL: node not found and CI is set; run make setup"; exit 1;; esac; \
	else for c in $(BROWSER_CASES); do node scripts/browser/widget-test.mjs $$c --headless-check || exit 1; done; fi
