"""Seed-to-seed spread of the cpu study's supervised teachers: each task's round-1 configuration trained with other seeds.

Run after `make study` (it reads the study's corpus, and takes seed 0 from the study's own teacher,
outputs/cpu/metrics/{task}/r1.json, which has the same settings). Prints the test metric per seed and merges one entry
per task into bench/results/seeds-cpu.json (with the commit and the study's seed-0 score, so that the report can tell
an entry measured on another study run), which the report shows beside its bootstrap intervals.
Usage: .venv/bin/python bench/seeds.py [tasks] [seeds...]      (tasks: comma-separated or `all`; default: all 1 2)
"""
import json, subprocess, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import torch

from mirrepro.evaluate import evaluate
from mirrepro.study import load_profile, manifest, metrics_file
from mirrepro.runs import train_config
from mirrepro.tasks import TASKS
from mirrepro.train import train

RESULTS = Path('bench/results/seeds-cpu.json')


def spread(p, task, seeds, out):
    "Train `task`'s teacher at each of `seeds` (seed 0 is the study's own run); its entry for the results file."
    base = train_config(p, task, 1)
    study = json.loads(metrics_file(p, task, 'r1').read_text())
    tests, valids = {0: study['test']}, {0: study['best_valid']}
    for seed in seeds:
        t0 = time.perf_counter()
        r = train(replace(base, seed=seed), out / f'{task}-seed{seed}', manifest(p, task, 'train'), manifest(p, task, 'valid'), progress=False)
        tests[seed] = evaluate(r['model'].eval(), manifest(p, task, 'test'), task, progress=False)['mean']
        valids[seed] = r['best_valid']
        print(f"{task} teacher, seed {seed}: validation {valids[seed]:.3f}, test {tests[seed]:.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    test = [tests[s] for s in sorted(tests)]
    print(f"{task} teacher over seeds {sorted(tests)}: test {' '.join(f'{v:.3f}' for v in test)}; "
          f"range {max(test) - min(test):.4f}, std {np.std(test, ddof=1):.4f}", flush=True)
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    return dict(what=f'{task} teacher (cpu profile, round 1)', metric=TASKS[task].metric, seeds=sorted(tests), test=test,
                valid=[valids[s] for s in sorted(tests)], commit=commit,
                command=f"bench/seeds.py {task} {' '.join(map(str, seeds))} (seed 0 is the study's own run)")


def main():
    tasks = sys.argv[1] if len(sys.argv) > 1 else 'all'
    tasks = list(TASKS) if tasks == 'all' else tasks.split(',')
    seeds = [int(s) for s in sys.argv[2:]] or [1, 2]
    torch.set_num_threads(2)
    p = load_profile('params.yaml', 'cpu')
    out = Path(tempfile.mkdtemp())
    for task in tasks:
        res = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        res = res if 'tasks' in res else {'tasks': {}}          # an older file held one task: measured again here
        res['tasks'][task] = spread(p, task, seeds, out)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(res, indent=1) + '\n')   # after every task: an interrupted run keeps the tasks it finished


if __name__ == '__main__':
    main()
