"""The models learn: a short supervised teacher on synthetic songs must beat a trivial baseline on validation
songs it never trained on. This is what would have caught the first cpu study, whose teachers stayed at chance."""
import os
from pathlib import Path

import numpy as np
import pytest

from mirrepro.annotations import read_manifest
from mirrepro.tasks import downbeat_f, key_weighted
from mirrepro.study import load_profile
from mirrepro.runs import train_config
from mirrepro.synth import CorpusConfig, build_corpus
from mirrepro.train import TrainConfig, train

# Opt-in (`make test-slow`, or MIRREPRO_SLOW=1): two teachers of 300-400 steps at the cpu profile's size took 14 minutes on a
# 2-core machine alone, and about as long again beside the smoke study, which did not fit CI's 90 minutes with the rest.
pytestmark = pytest.mark.skipif(os.environ.get('MIRREPRO_SLOW') != '1', reason="two short teachers: run with `make test-slow`")


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp('learn')
    return build_corpus(root / 'corpus', CorpusConfig(seed=7, train=24, valid=6, test=0, pool_a=0, pool_b=0, workers=2), progress=False)


def constant_key(train_tracks, valid_tracks):
    "The trivial key baseline: the training set's most common key, for every validation song (what a collapsed model says)."
    keys = [t.annotation('key') for t in train_tracks]
    guess = max(set(keys), key=keys.count)
    return float(np.mean([key_weighted(t.annotation('key'), guess) for t in valid_tracks]))


def metronome(train_tracks, valid_tracks):
    "The trivial downbeat baseline: beats at the training songs' median tempo from 0 s, a downbeat every 4 beats."
    tempo = float(np.median([t.meta['tempo'] for t in train_tracks]))
    scores = []
    for t in valid_tracks:
        times = np.arange(0, t.duration, 60 / tempo)
        scores.append(downbeat_f(t.annotation('downbeat'), (times, np.arange(len(times)) % 4 + 1)))
    return float(np.mean(scores))


@pytest.mark.parametrize('task, steps, baseline, margin', [('key', 400, constant_key, 0.3), ('downbeat', 300, metronome, 0.3)])
def test_a_short_teacher_beats_the_trivial_baseline(corpus, tmp_path, task, steps, baseline, margin):
    lr = train_config(load_profile(Path(__file__).parents[1] / 'params.yaml', 'cpu'), task, 1).lr   # the cpu profile's teacher lr
    cfg = TrainConfig(task=task, round=1, size='cpu', batch_size=8, lr=lr, schedule='onecycle', steps_per_epoch=steps // 4,
                      max_epochs=4, patience=4, workers=0, seed=0)
    r = train(cfg, tmp_path / task, corpus[f'{task}_train'], corpus[f'{task}_valid'], progress=False)
    base = baseline(read_manifest(corpus[f'{task}_train']), read_manifest(corpus[f'{task}_valid']))
    print(f"{task}: best validation {r['best_valid']:.3f} after {r['steps']} steps; trivial baseline {base:.3f}")
    assert r['best_valid'] >= base + margin, (r['best_valid'], base)
