# The README's two commands: `make study` and `make test`. Both set up .venv first (a no-op when current).
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: setup study test test-fast test-slow test-paper docs readme lock

setup:
	@bash scripts/setup.sh

# JOBS: stages at a time, each with cores/JOBS threads (scripts/study.py); 1 is plain `dvc repro`. Two, because on a
# 2-core CPU a second stage gains more than a second thread: the whole cpu study took 73 min with 2, 104 with 1 (README)
JOBS ?= 2
study: setup
	python scripts/study.py --jobs $(JOBS)
	@r=outputs/$$(sed -n 's/^profile: *\([a-z]*\).*/\1/p' params.yaml)/reports; \
	echo "report: $$r/notebooks/report.ipynb (Figure 2: $$r/figure2.png, Table 3: $$r/table3.md);" \
	     "every stage's executed notebook in $$r/notebooks/; metrics: dvc metrics show"

# The library notebooks execute once, inside pytest (tests/conftest.py's `library`), as nbdev_test would run them; the
# website's test builds the site from those executed copies. `nbdev_test --path nbs/NN_x.ipynb` runs one notebook while
# you edit it. Two pytest-xdist workers, one thread each: the smoke study and its tests on one, the paper graph on the
# replicas and its tests on the other, then both share the rest.
test:
	@bash scripts/setup.sh --with-browser
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python -m pytest -q -n 2 --dist loadgroup --durations=30 tests

# The edit-test loop: make test without the tests marked slow (the two studies, the library notebooks, kill-and-resume,
# torchrun and the benchmarks' CPU runs)
test-fast: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python -m pytest -q -n 2 -m 'not slow' --durations=10 tests

# The slow test left out of `make test`: short teachers must beat trivial baselines (tests/test_learning.py)
test-slow: setup
	MIRREPRO_SLOW=1 python -m pytest -q --durations=10 tests/test_learning.py

# The paper profile's own graph, end to end to Table 3, on miniature replicas of its datasets (tests/test_paper_graph.py)
test-paper: setup
	python -m pytest -q tests/test_paper_graph.py

# The website, from the notebooks and the study's outputs (run `make study` first): site/index.html
docs: setup
	python scripts/docs.py

# README.md is generated from nbs/index.ipynb: edit the notebook, then run this
readme: setup
	python scripts/readme.py

# The lock (requirements.txt: every package pinned, with hashes) from requirements.in; run after editing requirements.in
lock: setup
	uv pip compile requirements.in --override uv-overrides.txt --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements.txt
