# The README's two commands: `make study` and `make test`. Both set up .venv first (a no-op when current).
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup study test docs readme

setup:
	@bash scripts/setup.sh

study: setup
	dvc repro
	@echo "report: reports/notebooks/report.ipynb (Figure 2: reports/figure2.png, Table 3: reports/table3.md);" \
	      "every stage's executed notebook in reports/notebooks/; metrics: dvc metrics show"

test:
	@bash scripts/setup.sh --with-browser
	nbdev_test --n_workers 2
	python -m pytest -q tests

# The website, from the notebooks and the study's outputs (run `make study` first): site/index.html
docs: setup
	python scripts/docs.py

# README.md is generated from nbs/index.ipynb: edit the notebook, then run this
readme: setup
	python scripts/readme.py
