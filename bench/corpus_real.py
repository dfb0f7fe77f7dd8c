"""A task's teacher trained on songs rendered one way or another, scored on the synthetic test songs and on real music.

For one task: its labeled songs (the cpu profile's ids and seeds: train, valid, test) rendered `plain` (TimGM6mb
alone, no mix bus: the corpus before issue 22's banks) or `profile` (the cpu profile's `corpus.banks` and
`corpus.production`), into outputs/bench/corpus-{task}-{rendering}/; then its round-1 teacher (the cpu profile's
settings) at each seed, scored on that rendering's test songs and on the study's real-music set (agreement with madmom,
outputs/cpu/realset, made by `dvc repro realset`). Prints one line per seed and writes the per-recording scores to
bench/results/corpus-real-{task}-{rendering}.json, so that two renderings can be compared on the same recordings.
The real-music set is a test set: run this to measure a rendering chosen beforehand, not to choose one.
Usage: .venv/bin/python bench/corpus_real.py task plain|profile [seeds, e.g. 0,1,2]
"""
import json, sys, time
from dataclasses import replace
from pathlib import Path
import numpy as np
from mirrepro.synth import CorpusConfig, build_corpus
from mirrepro.study import load_profile
from mirrepro.runs import train_config
from mirrepro.train import train
from mirrepro.evaluate import evaluate, beat_agreement
from mirrepro.annotations import read_manifest, read_beats
from mirrepro.realmusic import soundfonts


def main(task, rendering, seeds):
    p = load_profile('params.yaml', 'cpu')
    cfg = p['data']['corpus']
    banks = [r['file'] for r in soundfonts(cfg['banks'], p['data']['pools']['cache'])] if rendering == 'profile' else []
    production = rendering == 'profile' and cfg['production']
    root = Path(f'outputs/bench/corpus-{task}-{rendering}')      # songs and runs (git ignores outputs/)
    t0 = time.perf_counter()
    m = build_corpus(root, CorpusConfig(**{**cfg, 'banks': banks, 'production': production}), progress=False,
                     groups=[f'{task}_{split}' for split in ('train', 'valid', 'test')])
    print(f"{task}, {rendering}: songs in {time.perf_counter() - t0:.0f} s", flush=True)
    real = read_manifest('outputs/cpu/realset/manifest.jsonl')
    out_file = Path(f'bench/results/corpus-real-{task}-{rendering}.json')
    out = json.loads(out_file.read_text()) if out_file.exists() else {}
    for seed in seeds:
        t0 = time.perf_counter()
        r = train(replace(train_config(p, task, 1), seed=seed), root / f'run-seed{seed}', m[f'{task}_train'], m[f'{task}_valid'], progress=False)
        model = r['model'].eval()
        test = evaluate(model, m[f'{task}_test'], task, progress=False)['mean']
        rl = evaluate(model, real, task, progress=False, keep_outputs=task == 'downbeat')
        line = f"{task} teacher, {rendering}, seed {seed}: validation {r['best_valid']:.3f}, test {test:.3f}, real {rl['mean']:.3f}"
        if task == 'downbeat':
            ag = [beat_agreement(read_beats(t.annotations['downbeat']), rl['outputs'][t.track_id][1]) for t in real]
            line += f" (beat F {np.mean([a['beat_f'] for a in ag]):.3f}, downbeat F at the best bar phase {np.mean([a['any_phase_f'] for a in ag]):.3f})"
        print(line + f" ({time.perf_counter() - t0:.0f} s)", flush=True)
        out[str(seed)] = dict(valid=r['best_valid'], test=test, real=rl['mean'], real_per_track=rl['per_track'])
        out_file.write_text(json.dumps(out, indent=1))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else '0').split(',')])
