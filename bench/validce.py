"""How sure each checkpoint is of the right class on its task's validation songs: a finer validation measure where the
task's metric saturates (bench/seeds.py: key teachers at 1.000 on the 40 validation songs, in fp32 and in bf16).

For each checkpoint, over the validation songs of the profile's corpus: the mean cross-entropy of its frame posteriors
against the songs' labels (labeled frames only; lower is surer of the right class), and the mean probability it gives the
right class. Classification tasks only (chord, key), whose outputs are one softmax over classes. It reads validation
songs only, never the test songs, so it may choose between runs.
Usage (in a study folder, after `make study` and bench/seeds.py, which prints where its run folders are):
    .venv/bin/python bench/validce.py TASK NAME=CHECKPOINT [NAME=CHECKPOINT ...]
"""
import sys
import numpy as np
import torch

from mirrepro.annotations import read_manifest
from mirrepro.audio import load_audio
from mirrepro.inference import Predictor
from mirrepro.study import load_profile, manifest
from mirrepro.tasks import TASKS
from mirrepro.train import labeled_targets


def surety(probs: np.ndarray, annotation, task: str) -> tuple[float, float] | None:
    "Cross-entropy and mean probability of the right class over one song's labeled frames (`probs`: frames × classes); None if none is labeled."
    targets, mask = labeled_targets(annotation, task, len(probs))
    mask = mask > 0
    if not mask.any(): return None
    right = (probs[mask] * targets[mask]).sum(1)
    return float(-np.log(np.clip(right, 1e-9, 1)).mean()), float(right.mean())


def main():
    if len(sys.argv) < 3 or not all('=' in a for a in sys.argv[2:]): sys.exit(__doc__)
    task, runs = sys.argv[1], dict(a.split('=', 1) for a in sys.argv[2:])
    spec = TASKS[task]
    if spec.boundary or spec.form.events:
        sys.exit(f"{task}: its outputs are not one softmax over classes (boundaries or beats); validce reads chord or key")
    torch.set_num_threads(2)
    tracks = [t for t in read_manifest(manifest(load_profile('params.yaml', 'cpu'), task, 'valid')) if t.has(task)]
    audio = {t.track_id: load_audio(t.audio) for t in tracks}
    for name, checkpoint in runs.items():
        model = Predictor(checkpoint)
        if model.task != task: sys.exit(f"{checkpoint}: a {model.task} model, not a {task} model")
        s = [x for t in tracks if (x := surety(model(audio[t.track_id]).probs, t.annotation(task), task))]
        print(f"{name}: {len(s)} validation songs, cross-entropy {np.mean([c for c, _ in s]):.3f}, "
              f"p(right class) {np.mean([p for _, p in s]):.3f}", flush=True)


if __name__ == '__main__':
    main()
