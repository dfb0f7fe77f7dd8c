"""Two stages side by side on one thread each, or one stage at a time on both cores: which finishes the study's training
sooner on this CPU (what `make study JOBS=2` bets on, scripts/study.py).

For each task and round: the training steps of `bench/threads.py` (the study's corpus and soft labels, Table 2's
augmentations, no DataLoader worker), timed (a) in one process with as many threads as there are cores, alone, and
(b) in as many processes as there are cores, one thread each, started together and timed over the same steps.
Throughput is steps per second summed over the processes; the gain is (b)'s throughput over (a)'s. The processes
of (b) run the same task and round: the study pairs different ones, so this is the gain for two stages of equal cost.
Run after `make study`, on an otherwise idle machine.
Usage: .venv/bin/python bench/lanes.py [task:round ...]     (default: every task at rounds 1, 2 and 3)
"""
import json, os, subprocess, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(task: str, rnd: int, threads: int, copies: int, steps: int) -> list[float]:
    "Seconds per step of each of `copies` processes started together, each with `threads` threads."
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), PYTHONPATH=str(HERE.parent))
    procs = [subprocess.Popen([sys.executable, __file__, '--one', task, str(rnd), str(steps)], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(copies)]
    out = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs): sys.exit(f'lanes: a timing process of {task}:{rnd} failed')
    return [json.loads(o.strip().splitlines()[-1])['seconds'] for o in out]


def main():
    from mirrepro.core import cores
    n = cores()
    runs = [a.split(':') for a in sys.argv[1:]] or [(t, r) for t in ('downbeat', 'chord', 'key', 'structure') for r in (1, 2, 3)]
    print(f"{n} cores. {'task':<10} {'round':>5} {f'1 x {n} threads':>15} {f'{n} x 1 thread':>22} {'throughput gain':>16}")
    rows = []
    for task, rnd in runs:
        (a,) = timed(task, int(rnd), n, 1, 24)
        b = timed(task, int(rnd), 1, n, 24)
        gain = sum(1 / x for x in b) / (1 / a)
        rows.append(dict(task=task, round=int(rnd), alone=a, side_by_side=b, gain=gain))
        print(f"{'':9} {task:<10} {rnd:>5} {a:>13.3f} s {' / '.join(f'{x:.3f}' for x in b):>20} s {gain:>15.2f}x", flush=True)
    (HERE / 'results').mkdir(exist_ok=True)
    (HERE / 'results' / 'lanes.json').write_text(json.dumps(dict(cores=n, runs=rows), indent=1))


if __name__ == '__main__':
    if sys.argv[1:2] == ['--one']:
        sys.path.insert(0, str(HERE))
        from threads import seconds_per_step
        from mirrepro.study import load_profile
        task, rnd, steps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(dict(seconds=seconds_per_step(load_profile('params.yaml', 'cpu'), task, rnd, 0, steps=steps))))
    else:
        main()
