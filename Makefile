# The README's two commands: `make study` and `make test`. Both set up .venv first (a no-op when current).
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup study test

setup:
	@bash scripts/setup.sh

study: setup
	dvc repro
	@echo "corpus: data/corpus (manifests in data/corpus/manifests)"

test: setup
	nbdev_test --n_workers 2
	python -m pytest -q tests
