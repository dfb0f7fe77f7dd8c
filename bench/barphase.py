"""Where the cpu study's downbeat models put the bar: on the synthetic test songs (exact bar positions) and on the
real-music set (madmom's bar positions).

A model can find every beat and miss the bar: with every downbeat on the reference's beat 3 it scores 0 downbeat F.
For each run and set this prints downbeat F as scored and at the best bar phase; then, over the recordings whose beats
the model finds (beat F >= 0.8 and a beat period within 10 % of the reference's), how many have the reference's meter,
and on which reference bar position each one's estimated downbeats mostly fall. A model whose bar cue carries over to
a set lands on 1; one that picks the phase at random, but keeps it, spreads its recordings over 1-4 (in 4/4).

A second table asks whether harmony can choose the phase instead: keep each run's beats and meter, and turn its bars
so that beat 1 falls where most chord changes fall, the chord changes being those that the study's chord teacher (r1)
hears in the same audio. The rule has no parameter (the 70 ms window of the metric; on a tie the model's own phase),
and nothing in it was chosen on these songs.
Run after `make study`. Usage: .venv/bin/python bench/barphase.py [run ...]   (default: every downbeat run)
Prints both tables and writes bench/results/barphase.json.
"""
import collections, json, sys, warnings
from pathlib import Path
import numpy as np
from mirrepro.annotations import read_manifest
from mirrepro.evaluate import evaluate, beat_agreement
from mirrepro.audio import load_audio
from mirrepro.model import load_checkpoint
from mirrepro.report import paired_bootstrap
from mirrepro.study import load_profile, manifest, model_dir, realset_dir
from mirrepro.pseudolabel import nearest, phase_by_harmony, BarsByHarmony   # the study's own turn of a downbeat teacher's labels


def bar_positions(ref, est, window: float = 0.07) -> list[int]:
    "The reference bar position of each estimated downbeat that lies within `window` s of a reference beat."
    rt, rp = np.asarray(ref[0], float), np.asarray(ref[1])
    ed = np.asarray(est[0], float)[np.asarray(est[1]) == 1]
    if not len(rt) or not len(ed): return []
    i = nearest(rt, ed)
    return rp[i][np.abs(rt[i] - ed) < window].astype(int).tolist()


def chord_changes_of(tracks, checkpoint) -> dict:
    "{track id: the chord changes that the chord model `checkpoint` hears in it}."
    hear = BarsByHarmony(checkpoint).changes
    return {t.track_id: hear(load_audio(t.audio)) for t in tracks}


def beats_found(row) -> bool:
    "Whether a model found a recording's beats (`beat_agreement`'s row): beat F >= 0.8 and a beat period within 10 %."
    return row['beat_f'] >= 0.8 and 0.9 < row['period_ratio'] < 1.1


def summary(tracks, outputs) -> dict:
    "Downbeat F as scored and at the best phase; for the recordings with their beats found, meter and phase."
    rows = {}
    for t in tracks:
        ref, est = t.annotation('downbeat'), outputs[t.track_id][1]
        a = beat_agreement(ref, est)
        on = collections.Counter(bar_positions(ref, est))
        rows[t.track_id] = dict(a, ref_meter=int(max(ref[1])) if len(ref[1]) else 0,
                                meter=int(max(est[1])) if len(est[1]) else 0,
                                phase=on.most_common(1)[0][0] if on else None,
                                consistency=on.most_common(1)[0][1] / sum(on.values()) if on else None)
    found = {k: r for k, r in rows.items() if beats_found(r)}
    phases = collections.Counter(r['phase'] for r in found.values() if r['phase'] is not None)
    return dict(n=len(rows), downbeat_f=float(np.mean([r['downbeat_f'] for r in rows.values()])),
                any_phase_f=float(np.mean([r['any_phase_f'] for r in rows.values()])),
                beats_found=len(found), same_meter=sum(r['meter'] == r['ref_meter'] for r in found.values()),
                phase=dict(sorted(phases.items())),
                consistency=float(np.median([r['consistency'] for r in found.values() if r['consistency'] is not None] or [np.nan])),
                per_track=rows)


if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    p = load_profile('params.yaml', 'cpu')
    runs = sys.argv[1:] or sorted(d.name for d in model_dir(p, 'downbeat', 'r1').parent.iterdir() if (d / 'best.pt').exists())
    sets = {'synthetic': read_manifest(manifest(p, 'downbeat', 'test')),
            'real': [t for t in read_manifest(realset_dir(p) / 'manifest.jsonl') if t.has('downbeat')]}
    print(f"{'run':<7} {'set':<10} {'downbeat F':>10} {'best phase':>10} {'beats found':>11} {'same meter':>10} "
          f"{'recordings by bar position of their downbeats (1 = right)':>58} {'median share on it':>18}")
    changes = {name: chord_changes_of(tracks, model_dir(p, 'chord', 'r1') / 'best.pt') for name, tracks in sets.items()}
    out, turned = {}, {}
    for run in runs:
        model, _ = load_checkpoint(model_dir(p, 'downbeat', run) / 'best.pt')
        for name, tracks in sets.items():
            r = evaluate(model.eval(), tracks, 'downbeat', progress=False, keep_outputs=True)
            s = out.setdefault(run, {})[name] = summary(tracks, r['outputs'])
            ph = '  '.join(f'{k}: {v}' for k, v in s['phase'].items())
            print(f"{run:<7} {name:<10} {s['downbeat_f']:>10.3f} {s['any_phase_f']:>10.3f} {s['beats_found']:>5} of {s['n']:<3} "
                  f"{s['same_meter']:>10} {ph:>58} {s['consistency']:>18.2f}", flush=True)
            h = {tid: (None, phase_by_harmony(o[1], changes[name][tid])) for tid, o in r['outputs'].items()}
            turned.setdefault(run, {})[name] = summary(tracks, h)
    print(f"\nThe same beats, bars turned to the chord teacher's changes\n{'run':<7} {'set':<10} {'downbeat F':>10} "
          f"{'as the model put it':>19} {'difference [95 % CI], paired':>30} {'recordings by bar position of their downbeats (1 = right)':>58}")
    for run in runs:
        for name in sets:
            s, h = out[run][name], turned[run][name]
            ph = '  '.join(f'{k}: {v}' for k, v in h['phase'].items())
            c = paired_bootstrap(*({k: r['downbeat_f'] for k, r in x['per_track'].items()} for x in (s, h)))
            ci = f"{c['diff']:+.3f} [{c['lo']:+.3f}, {c['hi']:+.3f}]"
            print(f"{run:<7} {name:<10} {h['downbeat_f']:>10.3f} {s['downbeat_f']:>19.3f} {ci:>30} {ph:>58}")
            out[run][name + ' by harmony'] = h
    Path('bench/results').mkdir(exist_ok=True)
    Path('bench/results/barphase.json').write_text(json.dumps(out, indent=1, default=float))
