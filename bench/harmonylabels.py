"""Do downbeat students learn bars turned by harmony? The experiment behind `label.downbeat_bars` being off in the cpu
profile (README, the cpu study).

The study's downbeat teacher (r1) labels D3 again with its bars turned to the chord teacher's changes
(`mirrepro.pseudolabel.BarsByHarmony`, what `label.downbeat_bars: harmony` does in the label stage). Round-2 students
(the study's r2 settings, seed 0) then learn from the turned labels on each pool named, and one from the unturned store
of the study on the first pool named, as the study's r2 student there did. Each model is scored on the real-music set
(agreement with madmom) and the synthetic test songs, paired against the teacher and against the unturned student;
and, on the real recordings of its own training pool whose bars the turn moved, how far its downbeats agree with the
turned labels and with the teacher's unturned ones (a student that learned the turn agrees with the first).
`LABELED_FRACTION=0.15` sets the labeled share of each batch (the study's is 0.5; 0.15 is D3's labeled share of all
its songs, the paper's "mix them together" read literally).
Run after `make study` (about 6 min per student and 2 min of labeling on this 2-core machine).
Usage: .venv/bin/python bench/harmonylabels.py [pool ...]     (default: D2 D3)
Writes bench/results/harmonylabels-lf{labeled share}.json (every song's scores, so pairs can be recomputed).
"""
import collections, dataclasses, json, os, sys, time, warnings
from pathlib import Path
import numpy as np
from mirrepro.annotations import read_manifest
from mirrepro.audio import load_audio
from mirrepro.evaluate import evaluate
from mirrepro.model import load_checkpoint, frame_probs
from mirrepro.pseudolabel import SoftLabelStore, label_manifest
from mirrepro.report import paired_bootstrap
from mirrepro.runs import train_config
from mirrepro.study import load_profile, manifest, model_dir, realset_dir, softlabel_dir
from mirrepro.tasks import decode, downbeat_f
from mirrepro.train import train

OUT = Path('outputs/cpu/bench/harmonylabels')


def moved_real(store, pool) -> list:
    "The real recordings of `pool` whose bars the turn moved."
    return [t for t in read_manifest(pool) if t.meta.get('dataset') != 'synthetic' and store.index[t.track_id]['bars']['moved']]


def follows(model, tracks, turned, plain) -> dict:
    "Mean downbeat F of `model`'s downbeats against the turned labels' and against the unturned labels' (decoded)."
    f = collections.defaultdict(list)
    for t in tracks:
        est = decode(frame_probs(model, load_audio(t.audio)), 'downbeat')
        for name, store in (('turned', turned), ('teacher', plain)): f[name].append(downbeat_f(decode(store.get(t.track_id), 'downbeat'), est))
    return {k: float(np.mean(v)) for k, v in f.items()}


if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    pools = sys.argv[1:] or ['D2', 'D3']
    p = load_profile('params.yaml', 'cpu')
    chord, teacher = model_dir(p, 'chord', 'r1') / 'best.pt', model_dir(p, 'downbeat', 'r1') / 'best.pt'
    plain = SoftLabelStore(softlabel_dir(p, 'downbeat', 'r1'))
    t0 = time.perf_counter()
    turned = label_manifest(teacher, manifest(p, 'downbeat', 'D3'), OUT / 'turned', shard_tracks=32, bars_by_harmony=chord, progress=False)
    synthetic = {t.track_id: t.meta.get('dataset') == 'synthetic' for t in read_manifest(manifest(p, 'downbeat', 'D3'))}
    moves = collections.Counter(('synthetic' if synthetic[k] else 'real', e['bars']['moved'] if e['bars']['meter'] else 'no beats')
                                for k, e in turned.index.items())
    print(f"D3 labeled with bars by harmony in {time.perf_counter() - t0:.0f} s; songs by how far beat 1 moved: "
          + ', '.join(f'{s} {m}: {n}' for (s, m), n in sorted(moves.items(), key=str)), flush=True)
    sets = {'real': [t for t in read_manifest(realset_dir(p) / 'manifest.jsonl') if t.has('downbeat')],
            'synthetic': read_manifest(manifest(p, 'downbeat', 'test'))}
    cfg = train_config(p, 'downbeat', 2)
    if lf := os.environ.get('LABELED_FRACTION'): cfg = dataclasses.replace(cfg, labeled_fraction=float(lf))
    runs = {'teacher': teacher}
    for i, pool in enumerate(pools):
        jobs = [('turned', turned)] + ([('unturned', plain)] if i == 0 else [])
        for name, store in jobs:
            out = OUT / f'{name}-{pool}-lf{cfg.labeled_fraction}'
            t0 = time.perf_counter()
            r = train(cfg, out, manifest(p, 'downbeat', 'train'), manifest(p, 'downbeat', 'valid'), manifest(p, 'downbeat', pool), store.root, progress=False)
            print(f"{out.name}: trained in {time.perf_counter() - t0:.0f} s, validation {r['best_valid']:.3f} at epoch {r['best_epoch']}", flush=True)
            runs[out.name] = out / 'best.pt'
    res = {}
    for name, ck in runs.items():
        model, _ = load_checkpoint(ck); model.eval()
        res[name] = {s: evaluate(model, tracks, 'downbeat', progress=False)['per_track'] for s, tracks in sets.items()}
        pool = name.split('-')[1] if name != 'teacher' else pools[-1]
        res[name]['follows'] = follows(model, moved_real(turned, manifest(p, 'downbeat', pool)), turned, plain)
        print(f"{name:<22} real {np.mean(list(res[name]['real'].values())):.3f}  synthetic {np.mean(list(res[name]['synthetic'].values())):.3f}  "
              f"on the moved real recordings of {pool}: agrees with the turned bars {res[name]['follows']['turned']:.3f}, "
              f"with the teacher's {res[name]['follows']['teacher']:.3f}", flush=True)
    print('\npaired differences [95 % CI] over songs')
    for name in [n for n in runs if n != 'teacher']:
        for base in ['teacher'] + [n for n in runs if n.startswith('unturned') and not name.startswith('unturned')]:
            for s in sets:
                c = paired_bootstrap(res[base][s], res[name][s])
                print(f"  {name} - {base}, {s}: {c['diff']:+.3f} [{c['lo']:+.3f}, {c['hi']:+.3f}]")
    Path('bench/results').mkdir(exist_ok=True)
    Path(f'bench/results/harmonylabels-lf{cfg.labeled_fraction}.json').write_text(json.dumps(dict(moves={f'{s} {m}': n for (s, m), n in moves.items()}, runs=res), indent=1))
