"""Is supertux-data the odd one out? The downbeat teachers and madmom, package by package.

bench/barcues.py found that the study's downbeat teachers put beat 1 on madmom's beat 1 for 59 % of the recordings of
four validation packages (whose beats they find) but for 37 % of supertux-data's, the package of the real-music test
set. This bench asks what sets supertux-data apart. For every real recording that bench/barcues.py scored (its two
validation sets and the real-music test set), by package:
  - the study's three downbeat teachers (seeds 0, 1, 2 of bench/results/barcues.json): downbeat F against madmom, mean
    per recording over the seeds, with a 95 % bootstrap interval over the recordings; beat 1 right a/b as in barcues;
  - how sure madmom is of its bar: `bar_margin`, its downbeat activation at its own beat 1 over the highest at another
    bar position; and how well madmom agrees with itself when the first 2 s are cut off (downbeat F on the rest): where
    madmom's decoding is unstable, no model can agree with it much;
  - what the music offers: the percussive share of its energy (HPSS), how often madmom's own chord changes fall
    mostly on madmom's own beat 1 (`chords_on_one`), and tempo and meter by madmom's labels.
Nothing here is chosen or tuned: every number was already read (bench/barcues.py) or describes the recordings.
Run after bench/barcues.py, in the same study folder. Usage: .venv/bin/python bench/packages.py
Writes bench/results/packages.json; the per-recording figures are kept in outputs/cpu/bench/packages/rows.json,
where a rerun resumes.
"""
import collections, json, subprocess, sys, warnings
from pathlib import Path
import numpy as np
from scipy.ndimage import maximum_filter1d
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).parent))
from barcues import real_valid, MORE_VALID
from barphase import beats_found
from mirrepro.annotations import read_manifest
from mirrepro.audio import load_audio, resample
from mirrepro.core import SR, atomic_write_text
from mirrepro.evaluate import beat_agreement
from mirrepro.pseudolabel import chord_changes, nearest
from mirrepro.references import MADMOM, madmom_estimate, _madmom   # madmom's processors, loaded once (and onnxruntime quiet)
from mirrepro.report import bootstrap_mean
from mirrepro.study import load_profile, output_dir, realset_dir

RESULTS = Path(__file__).parent / 'results'
SEEDS = (0, 1, 2)
CUT = 2.0          # s cut off the start for madmom's agreement with itself


def bar_margin(ref, act: np.ndarray, fps: float = 100.0) -> tuple[dict, float]:
    """madmom's downbeat activation (`act[:, 1]` of its RNNDownBeatProcessor, `fps` frames a second), the highest within
    ±2 frames of each beat of `ref` (times, bar positions), averaged per bar position; and the mean at beat 1 over the
    highest mean at any other position (> 1: beat 1 stands out; near 1 or below: madmom could as well have put it elsewhere)."""
    t, pos = np.asarray(ref[0], float), np.asarray(ref[1]).astype(int)
    f = np.clip(np.round(t * fps).astype(int), 0, len(act) - 1)
    peak = maximum_filter1d(np.asarray(act)[:, 1], size=5, mode='nearest')[f]
    means = {int(k): float(peak[pos == k].mean()) for k in np.unique(pos)}
    others = [v for k, v in means.items() if k != 1]
    return means, (means.get(1, 0.0) / max(others) if others and max(others) > 0 else float('nan'))


def chords_on_one(ref, changes, window: float = 0.07):
    """Whether chord `changes` point to the bar of `ref` (times, bar positions): more of the changes within `window` s of
    a beat fall on its beat 1 than on any other bar position. None when no change falls on a beat."""
    t, pos = np.asarray(ref[0], float), np.asarray(ref[1]).astype(int)
    c = np.asarray(changes, float)
    if not len(t) or not len(c): return None
    i = nearest(t, c)
    on = pos[i][np.abs(t[i] - c) < window]
    if not len(on): return None
    n = collections.Counter(on.tolist())
    return bool(n[1] > max((v for k, v in n.items() if k != 1), default=0))


def percussive_share(audio: np.ndarray) -> float:
    "The share of the spectrogram's energy that librosa's median-filtering HPSS gives to the percussive part."
    import librosa
    S = np.abs(librosa.stft(np.asarray(audio, np.float32), n_fft=1024, hop_length=256)) ** 2
    H, P = librosa.decompose.hpss(S)
    return float(P.sum() / max(H.sum() + P.sum(), 1e-20))


def describe(track) -> dict:
    "The per-recording figures (madmom's labels are the track's downbeat annotation)."
    from madmom.audio.signal import Signal
    x, m = load_audio(track.audio), _madmom()
    ref = track.annotation('downbeat')
    t, pos = np.asarray(ref[0], float), np.asarray(ref[1]).astype(int)
    sig = Signal(resample(x, SR, 44100), sample_rate=44100, num_channels=1)     # one resampling for both of madmom's systems
    means, margin = bar_margin(ref, m['rnn'](sig))
    bt, bp = madmom_estimate(x[int(CUT * SR):], 'downbeat')
    keep = t >= CUT + 1.0                   # a second more, so that beats near the cut are not counted as missed
    self_f = beat_agreement((t[keep], pos[keep]), (bt + CUT, bp))['downbeat_f']
    changes = chord_changes(MADMOM['chord'](m, sig))
    return dict(margin=margin, by_position=means, self_f=self_f, percussive=percussive_share(x),
                chords_on_one=chords_on_one(ref, changes),
                bpm=float(60 / np.median(np.diff(t))) if len(t) > 1 else None, meter=int(pos.max()) if len(pos) else None)


def package(track_id: str) -> str: return track_id.split('/')[0]


def main():
    warnings.filterwarnings('ignore')
    p = load_profile('params.yaml', 'cpu')
    bc = output_dir(p) / 'bench' / 'barcues'
    sets = {'real valid': real_valid(p, bc), 'real valid 2': real_valid(p, bc, MORE_VALID, 'realvalid2'),
            'real test': [t for t in read_manifest(realset_dir(p) / 'manifest.jsonl') if t.has('downbeat')]}
    teachers = json.loads((RESULTS / 'barcues.json').read_text())
    work = output_dir(p) / 'bench' / 'packages'; work.mkdir(parents=True, exist_ok=True)
    kept = work / 'rows.json'
    rows = json.loads(kept.read_text()) if kept.exists() else {}
    todo = [(n, t) for n, ts in sets.items() for t in ts if t.track_id not in rows]
    for n, t in tqdm(todo, desc='madmom, per recording', mininterval=10, disable=not todo):
        rows[t.track_id] = dict(set=n, **describe(t))
        atomic_write_text(kept, json.dumps(rows, default=float) + '\n')
    for n, ts in sets.items():                   # the teachers' scores, from bench/barcues.py
        for t in ts:
            per = [teachers[f'study/seed{s}'][n]['per_track'][t.track_id] for s in SEEDS]
            found = [beats_found(r) for r in per]
            rows[t.track_id] |= dict(teacher_f=float(np.mean([r['downbeat_f'] for r in per])),
                                     found=sum(found), right=sum(f and r['phase'] == 1 for f, r in zip(found, per)))
    groups = collections.defaultdict(list)
    ordered = {t.track_id: rows[t.track_id] for ts in sets.values() for t in ts}   # the sets' order, not the cache's: the bootstraps depend on it
    for k, r in ordered.items():
        groups[package(k)].append(r)
        if r['set'] != 'real test': groups['four validation packages'].append(r)
    order = sorted(g for g in groups if ' ' not in g) + ['four validation packages']
    out = {}
    print(f"\n{'package':<26} {'rec':>3} {'teacher downbeat F [95 % CI]':>29} {'beat 1':>9} {'madmom margin':>14}"
          f" {'margin<1.5':>10} {'madmom self':>11} {'percussive':>10} {'chords on 1':>11} {'BPM':>4} {'4/4':>5}")
    for g in order:
        R = groups[g]
        m, lo, hi = bootstrap_mean([r['teacher_f'] for r in R])
        right, found = sum(r['right'] for r in R), sum(r['found'] for r in R)
        ck = [r['chords_on_one'] for r in R if r['chords_on_one'] is not None]
        out[g] = dict(recordings=len(R), teacher_f=[m, lo, hi], right=right, found=found,
                      margin_median=float(np.nanmedian([r['margin'] for r in R])),
                      margin_below_1_5=int(sum(r['margin'] < 1.5 for r in R)),
                      self_f=float(np.mean([r['self_f'] for r in R])),
                      percussive_median=float(np.median([r['percussive'] for r in R])),
                      chords_on_one=[int(sum(ck)), len(ck)],
                      bpm_median=float(np.median([r['bpm'] for r in R if r['bpm']])),
                      four_four=int(sum(r['meter'] == 4 for r in R)))
        o = out[g]
        print(f"{g:<26} {len(R):>3} {m:>12.3f} [{lo:.3f}, {hi:.3f}] {f'{right}/{found}':>9} {o['margin_median']:>14.2f}"
              f" {o['margin_below_1_5']:>10} {o['self_f']:>11.3f} {o['percussive_median']:>10.2f}"
              f" {f'{sum(ck)}/{len(ck)}':>11} {o['bpm_median']:>4.0f} {o['four_four']:>5}")
    print("(teacher: the study's downbeat teachers at seeds 0-2, F averaged per recording; beat 1: recordings whose beats a teacher"
          "\n found, summed over the seeds, with its downbeats on madmom's beat 1; madmom margin: median of bar_margin; madmom self:"
          f"\n downbeat F of madmom on the excerpt less its first {CUT:g} s against its own labels; chords on 1: recordings where"
          "\n more of madmom's chord changes fall on its beat 1 than on any other bar position, of those with a change on a beat)")
    a, b = ([r['teacher_f'] for r in ordered.values() if (r['set'] == 'real test') == test] for test in (True, False))
    rng = np.random.default_rng(0)
    diffs = [rng.choice(a, len(a)).mean() - rng.choice(b, len(b)).mean() for _ in range(10_000)]
    out['test_minus_valid'] = [float(np.mean(a) - np.mean(b)), *map(float, np.quantile(diffs, [0.025, 0.975]))]
    print("supertux-data - four validation packages, teacher downbeat F: {:+.3f} [{:+.3f}, {:+.3f}] (bootstrap over the recordings"
          " of each side)".format(*out['test_minus_valid']))
    print("\nbeat 1 right by how sure madmom is of its bar (summed over the seeds):")
    for name, test in (('four validation packages', lambda r: r['set'] != 'real test'), ('supertux-data', lambda r: r['set'] == 'real test')):
        cells = []
        for lo, hi in ((0, 1.5), (1.5, 3.0), (3.0, np.inf)):
            R = [r for r in ordered.values() if test(r) and lo <= r['margin'] < hi]
            cells.append(f"margin {lo:g}-{hi:g}: {len(R):>2} recordings, {sum(r['right'] for r in R):>2}/{sum(r['found'] for r in R):<2}")
            out.setdefault('by_margin', {}).setdefault(name, []).append(dict(margin=[lo, hi], recordings=len(R),
                                                                              right=sum(r['right'] for r in R), found=sum(r['found'] for r in R)))
        print(f"  {name:<25} " + '   '.join(cells))
    out['_run'] = dict(commit=subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip(),
                       command='bench/packages.py', seeds=list(SEEDS), cut_s=CUT)
    atomic_write_text(RESULTS / 'packages.json', json.dumps(out, indent=1, default=float) + '\n')


if __name__ == '__main__':
    main()
