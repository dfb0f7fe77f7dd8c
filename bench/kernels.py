"""What a study stage pays to start its notebook: a cold Jupyter kernel against one forked warm (scripts/warm_kernel.py).

Each of the study's 64 stages runs `scripts/run_notebook.py` on its notebook, in a fresh kernel. This script runs, as a
stage would (a new `run_notebook.py` process each time), a notebook holding only the parameters and import cells of the study's
training notebook (nbs/study/train.ipynb), alternately with an ordinary kernel and with a warm one, and prints the seconds of
each, at the thread count of `make study`'s lanes (one each on two cores). The warm server's own start (it imports the
libraries once, then serves every stage) is printed apart.

    .venv/bin/python bench/kernels.py [ROUNDS]        (default 4)
"""
import json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_notebook(folder: Path) -> Path:
    "The first two code cells of nbs/study/train.ipynb: its parameters (a chord teacher) and its imports (and settings)."
    nb = json.loads((ROOT / 'nbs' / 'study' / 'train.ipynb').read_text())
    nb['cells'] = [dict(c, outputs=[], execution_count=None) for c in nb['cells'] if c['cell_type'] == 'code'][:2]
    path = folder / 'imports.ipynb'
    path.write_text(json.dumps(nb))
    return path


def seconds(notebook: Path, warm: bool) -> float:
    "Wall seconds of one `run_notebook.py` process on `notebook`."
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', MIRREPRO_WARM_KERNELS='1' if warm else '0')
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / 'scripts' / 'run_notebook.py'), str(notebook), str(notebook.with_name('out.ipynb'))],
                       cwd=ROOT, env=env, capture_output=True, text=True)
    if r.returncode: sys.exit(f"kernels: {notebook} failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    rounds = int(argv[0]) if argv else 4
    with tempfile.TemporaryDirectory() as d:
        nb = import_notebook(Path(d))
        first = seconds(nb, warm=True)                  # starts the warm server (or finds one already serving)
        cold, warm = [], []
        for _ in range(rounds):
            cold.append(seconds(nb, warm=False)); warm.append(seconds(nb, warm=True))
    print(f"the study training notebook's imports, one notebook process each, {rounds} rounds, one thread:")
    print(f"  cold kernel  median {statistics.median(cold):5.1f} s  ({', '.join(f'{s:.1f}' for s in cold)})")
    print(f"  warm kernel  median {statistics.median(warm):5.1f} s  ({', '.join(f'{s:.1f}' for s in warm)})")
    print(f"  saved per stage {statistics.median(cold) - statistics.median(warm):.1f} s; the first warm call (server start, once) {first:.1f} s")


if __name__ == '__main__':
    main()
