"""Seed-to-seed spread of one study configuration: the cpu profile's chord teacher trained with other seeds.

Run after `make study` (it reads the study's corpus, and takes seed 0 from the study's own teacher,
outputs/cpu/metrics/chord/r1.json, which has the same settings). Prints the test metric per seed and writes
bench/results/seeds-cpu.json, which the report shows beside its bootstrap intervals.
Usage: .venv/bin/python bench/seeds.py [task] [seeds...]      (default: chord 1 2)
"""
import json, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import torch

from mirrepro.evaluate import evaluate
from mirrepro.study import load_profile, manifest, metrics_file
from mirrepro.runs import train_config
from mirrepro.train import train


def main():
    task = sys.argv[1] if len(sys.argv) > 1 else 'chord'
    seeds = [int(s) for s in sys.argv[2:]] or [1, 2]
    torch.set_num_threads(2)
    p = load_profile('params.yaml', 'cpu')
    base = train_config(p, task, 1)
    study = json.loads(metrics_file(p, task, 'r1').read_text())
    tests, valids = {0: study['test']}, {0: study['best_valid']}
    out = Path(tempfile.mkdtemp())
    for seed in seeds:
        t0 = time.perf_counter()
        r = train(replace(base, seed=seed), out / f'seed{seed}', manifest(p, task, 'train'), manifest(p, task, 'valid'), progress=False)
        tests[seed] = evaluate(r['model'].eval(), manifest(p, task, 'test'), task, progress=False)['mean']
        valids[seed] = r['best_valid']
        print(f"{task} teacher, seed {seed}: validation {valids[seed]:.3f}, test {tests[seed]:.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    test = [tests[s] for s in sorted(tests)]
    print(f"{task} teacher over seeds {sorted(tests)}: test {' '.join(f'{v:.3f}' for v in test)}; "
          f"range {max(test) - min(test):.4f}, std {np.std(test, ddof=1):.4f}")
    res = dict(what=f'{task} teacher (cpu profile, round 1)', seeds=sorted(tests), test=test, valid=[valids[s] for s in sorted(tests)],
               command=f"bench/seeds.py {task} {' '.join(map(str, seeds))} (seed 0 is the study's own run)")
    Path('bench/results').mkdir(exist_ok=True)
    Path(f'bench/results/seeds-cpu.json').write_text(json.dumps(res, indent=1) + '\n')


if __name__ == '__main__':
    main()
