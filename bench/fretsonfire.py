"""Real recordings with beat grids made by people: the Fret's on Fire songs, their grids checked against the audio, and
the cpu study's downbeat models scored on them.

Debian's fretsonfire-songs-muldjord and fretsonfire-songs-sectoid hold 8 rock and metal recordings (stems song.ogg and
guitar.ogg), each with the chart a person wrote for the game (notes.mid), whose tempo map is the grid the charter
played to: beats, and bars from its time signatures (4/4 where it names none); a song.ini `delay` (ms) would shift it.
Neither package is in the study's pools or its real-music set. Three steps:
1. build: fetch and unpack the packages, mix each song's stems to mono at 16 kHz, write the grid's beats and bar
   positions, in outputs/bench/fretsonfire/ (git ignores outputs/);
2. check the grids against the audio, as issue 22 asks before trusting them: madmom's beats and downbeats on each
   recording against its grid: beat F, the median offset between the two, and where madmom's downbeats fall in the
   grid's bars. A grid is trusted for beats when its beat F >= 0.9, and for the bar phase when, besides, at least
   80 % of madmom's downbeats fall on its beat 1 (madmom is a second listener here, not the truth);
3. score every checkpoint given (default: the cpu study's downbeat runs) on the trusted grids: beat F (70 ms), and
   downbeat F on the grids trusted for the bar phase, with 95 % bootstrap intervals over songs; and that downbeat F
   again with each model's bars turned to where the study's chord teacher hears chords change (bench/barphase.py),
   a check of that rule against people's grids rather than madmom.
Prints a table per step and writes bench/results/fretsonfire.json.
Usage: .venv/bin/python bench/fretsonfire.py [checkpoint ...]
"""
import configparser, glob, json, sys, time, warnings
from pathlib import Path
import numpy as np
from mirrepro.audio import SR, audio_info, load_audio, write_audio
from mirrepro.annotations import Track, write_beats
from mirrepro.realmusic import fetch, unpack, licence
from mirrepro.references import madmom_estimate
from mirrepro.evaluate import evaluate, beat_agreement
from mirrepro.model import load_checkpoint
from mirrepro.report import bootstrap_mean
from mirrepro.study import load_profile, model_dir
sys.path.insert(0, str(Path(__file__).parent))
from barphase import bar_positions, chord_changes_of
from mirrepro.pseudolabel import nearest, phase_by_harmony

PACKAGES = ('fretsonfire-songs-muldjord', 'fretsonfire-songs-sectoid')
OUT, CACHE = Path('outputs/bench/fretsonfire'), Path('data/debian')


def chart_grid(notes_mid, delay_ms: float = 0.0):
    "Beat times and bar positions of a chart's tempo map (pretty_midi's beats and downbeats), shifted by the song's delay."
    import pretty_midi
    m = pretty_midi.PrettyMIDI(str(notes_mid))
    beats, downbeats = m.get_beats(), m.get_downbeats()
    last = np.searchsorted(downbeats, beats, side='right') - 1          # the bar each beat is in (-1: before the first)
    first = np.searchsorted(beats, downbeats, side='left')              # each bar's first beat
    pos = np.where(last >= 0, np.arange(len(beats)) - first[np.maximum(last, 0)] + 1, 0)
    keep = pos > 0
    return beats[keep] + delay_ms / 1000, pos[keep]


def build():
    tracks = []
    for package in PACKAGES:
        control, root = unpack(fetch(package, CACHE), CACHE / 'unpacked')
        for song in sorted({Path(p).parent for p in glob.glob(str(root / 'usr/share/games/fretsonfire/data/songs/*/*/notes.mid'))}):
            ini = configparser.ConfigParser(); ini.read(song / 'song.ini')
            delay = float(ini.get('song', 'delay', fallback='0') or 0)
            tid = f"{package.rsplit('-', 1)[1]}__{song.name.replace(' ', '_').lower()}"
            audio_path, beats_path = OUT / 'audio' / f'{tid}.flac', OUT / 'annotations' / f'{tid}.beats'
            if not audio_path.exists():
                stems = [load_audio(s, SR) for s in sorted(song.glob('*.ogg'))]
                mix = np.zeros(max(map(len, stems)), np.float32)
                for s in stems: mix[:len(s)] += s / len(stems)
                write_audio(audio_path, mix, SR)
            times, pos = chart_grid(song / 'notes.mid', delay)
            duration = audio_info(audio_path)[0]          # from the header: no second decode
            write_beats(beats_path, times[times < duration], pos[times < duration])
            tracks.append(Track(tid, audio_path, duration, 'test', {'downbeat': beats_path},
                                dict(package=package, version=control['version'], licence=licence(root, package), delay_ms=delay,
                                     tempo=float(60 / np.median(np.diff(times))))))
    return tracks


def check(tracks):
    from mirrepro.annotations import read_beats
    print(f"{'song':<36} {'BPM':>5} {'beat F':>7} {'offset s':>9} {'madmom downbeats on grid beat 1/2/3/4':>38}  trusted")
    rows = {}
    for t in tracks:
        ref = read_beats(t.annotations['downbeat'])
        est = madmom_estimate(load_audio(t.audio, SR), 'downbeat', SR)
        a = beat_agreement(ref, est)
        near = nearest(ref[0], est[0])                     # the grid beat nearest each of madmom's beats
        offset = float(np.median(est[0] - ref[0][near]))
        hits = bar_positions(ref, est)                     # the grid's bar position of each of madmom's downbeats
        share = [hits.count(k) / max(len(hits), 1) for k in (1, 2, 3, 4)]
        beats_ok = a['beat_f'] >= 0.9
        rows[t.track_id] = dict(beat_f=a['beat_f'], offset=offset, on_position=share, beats=beats_ok, phase=beats_ok and share[0] >= 0.8, **t.meta)
        print(f"{t.track_id:<36} {t.meta['tempo']:>5.0f} {a['beat_f']:>7.3f} {offset:>+9.3f} {' / '.join(f'{s:.2f}' for s in share):>38}  "
              f"{'beats and bars' if rows[t.track_id]['phase'] else 'beats' if beats_ok else 'no'}", flush=True)
    return rows


def score(tracks, rows, checkpoints):
    from mirrepro.annotations import read_beats
    beats = [t for t in tracks if rows[t.track_id]['beats']]
    changes = chord_changes_of([t for t in beats if rows[t.track_id]['phase']], model_dir(load_profile('params.yaml', 'cpu'), 'chord', 'r1') / 'best.pt')
    print(f"\n{len(beats)} grids trusted for beats, {sum(rows[t.track_id]['phase'] for t in beats)} for the bar phase")
    print(f"{'checkpoint':<44} {'beat F':>22} {'downbeat F (bars trusted)':>27} {'best-phase downbeat F':>22} {'bars by harmony':>22}")
    out = {}
    for ck in checkpoints:
        model, _ = load_checkpoint(ck)
        r = evaluate(model.eval(), beats, 'downbeat', progress=False, keep_outputs=True)
        ag = {t.track_id: beat_agreement(read_beats(t.annotations['downbeat']), r['outputs'][t.track_id][1]) for t in beats}
        cell = lambda v: '{:.3f} [{:.3f}, {:.3f}]'.format(*bootstrap_mean(v)) if len(v) > 1 else (f'{v[0]:.3f}' if v else '—')
        bf = [a['beat_f'] for a in ag.values()]
        df = [ag[t.track_id]['downbeat_f'] for t in beats if rows[t.track_id]['phase']]
        af = [ag[t.track_id]['any_phase_f'] for t in beats if rows[t.track_id]['phase']]
        hf = {t.track_id: beat_agreement(read_beats(t.annotations['downbeat']),
                                         phase_by_harmony(r['outputs'][t.track_id][1], changes[t.track_id]))['downbeat_f']
              for t in beats if rows[t.track_id]['phase']}
        print(f"{ck:<44} {cell(bf):>22} {cell(df):>27} {cell(af):>22} {cell(list(hf.values())):>22}", flush=True)
        out[ck] = {tid: dict(a, downbeat_f_by_harmony=hf.get(tid)) for tid, a in ag.items()}
    return out


if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    checkpoints = sys.argv[1:] or sorted(glob.glob('outputs/cpu/models/downbeat/r*/best.pt'))
    t0 = time.perf_counter()
    tracks = build()
    print(f"{len(tracks)} recordings, {sum(t.duration for t in tracks) / 60:.0f} min ({time.perf_counter() - t0:.0f} s)\n")
    rows = check(tracks)
    scores = score(tracks, rows, checkpoints)
    Path('bench/results/fretsonfire.json').write_text(json.dumps(dict(check=rows, scores=scores), indent=1, default=float))
