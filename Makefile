# The README's two commands: `make study` and `make test`. Both set up .venv first (a no-op when current).
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup study test

setup:
	@bash scripts/setup.sh

study: setup
	dvc repro
	@echo "report: reports/notebooks/report.ipynb (Figure 2: reports/figure2.png, Table 3: reports/table3.md);" \
	      "every stage's executed notebook in reports/notebooks/; metrics: dvc metrics show"

test: setup
	nbdev_test --n_workers 2
	python -m pytest -q tests
