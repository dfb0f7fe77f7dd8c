"""Would inference in bf16 pay for the models that train in bf16? Each checkpoint of a study's task scored on its
validation songs with its forward passes in fp32 and under bf16 autocast, side by side, with the seconds each took.

The study's downbeat and chord models train in bf16 (params.yaml, cpu_bf16), but every inference pass on a CPU runs in
fp32 (`frame_probs_many`'s default): validation in training, the test songs, the labeling of the pools, the real-music
set. This script measures what bf16 there would change and save. It reads the validation songs only (never the test
songs), at one thread as in each of `make study`'s two lanes, and times `evaluate` as the study calls it (reading the
audio, the forward passes and the task's decoding).

The rule, fixed before the runs on all of a study's checkpoints: a task that trains in bf16 runs its inference in bf16
if, on each of its seven checkpoints (r1, r2-D1..D3, r3-D1..D3), the validation score moves by at most 0.005, and their
mean change lies within +-0.002.

Usage (in a study folder, after `make study`):
    .venv/bin/python bench/inference.py [TASKS] [THREADS]        (default: downbeat,chord 1)
"""
import sys, time
import numpy as np
import torch

import mirrepro.evaluate
from mirrepro.annotations import read_manifest
from mirrepro.evaluate import evaluate
from mirrepro.model import frame_probs, load_checkpoint
from mirrepro.train import native_bf16
from mirrepro.study import load_profile, manifest, model_dir

RUNS = ['r1', 'r2-D1', 'r2-D2', 'r2-D3', 'r3-D1', 'r3-D2', 'r3-D3']


def scored(model, tracks, task: str, precision: str) -> tuple[float, float]:
    "Mean validation score and seconds of `model` on `tracks` with its inference in `precision`."
    mirrepro.evaluate.frame_probs = lambda m, audio: frame_probs(m, audio, autocast=precision == 'bf16')   # what evaluate calls
    t0 = time.perf_counter()
    mean = evaluate(model, tracks, task, progress=False)['mean']
    return mean, time.perf_counter() - t0


def by_rule(changes: list[float]) -> str:
    "The rule above: 'bf16' if no checkpoint's validation score moved by more than 0.005 and their mean change is within 0.002."
    return 'bf16' if max(abs(c) for c in changes) <= 0.005 and abs(float(np.mean(changes))) <= 0.002 else 'fp32'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    tasks = (argv[0] if argv else 'downbeat,chord').split(',')
    threads = int(argv[1]) if len(argv) > 1 else 1
    if not native_bf16(): sys.exit("inference: this CPU has no bf16 arithmetic; bf16 would be emulated, slower than fp32")
    torch.set_num_threads(threads)
    p = load_profile('params.yaml', 'cpu')
    print(f"validation songs, {threads} thread(s); score fp32 / bf16 (change), seconds fp32 / bf16 (ratio)")
    for task in tasks:
        tracks = [t for t in read_manifest(manifest(p, task, 'valid')) if t.has(task)]
        changes, ratios = [], []
        for run in RUNS:
            model, _ = load_checkpoint(model_dir(p, task, run) / "best.pt")
            if run == RUNS[0]: scored(model, tracks[:1], task, 'bf16'); scored(model, tracks[:1], task, 'fp32')   # warm-up
            (a, sa), (b, sb) = scored(model, tracks, task, 'fp32'), scored(model, tracks, task, 'bf16')
            changes.append(b - a); ratios.append(sb / sa)
            print(f"{task:9} {run:6} ({len(tracks)} songs)  {a:.4f} / {b:.4f} ({b - a:+.4f})   {sa:6.1f} / {sb:6.1f} s ({sb / sa:.2f})", flush=True)
        print(f"{task}: largest change {max(changes, key=abs):+.4f}, mean {np.mean(changes):+.4f}; time ratio mean {np.mean(ratios):.2f}"
              f" -> {by_rule(changes)} inference by the rule")


if __name__ == '__main__':
    main()
