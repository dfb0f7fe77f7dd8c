"""madmom's agreement with the synthetic labels, per way of rendering the same songs, side by side.

The same compositions rendered three ways: TimGM6mb alone (the corpus before issue 22's banks), several banks and
drum kits (`corpus.banks`), and those plus production (`corpus.production`: reverb, compression, saturation). For
each, madmom's pretrained downbeat tracker, chord CRF and key CNN against the exact labels (downbeat F, chord majmin,
key weighted), mean and range over the songs of the labeled (training) and test styles. The labels are the same in
all three; a rendering whose agreement drops would teach labels the audio no longer shows.
Usage: python bench/corpus_madmom.py [songs per style] [cache folder for the SoundFont packages]
"""
import os, sys, time, warnings
os.environ.setdefault('OMP_NUM_THREADS', '1')
warnings.filterwarnings('ignore')
import numpy as np
from mirrepro.synth import compose, render
from mirrepro.realmusic import soundfonts, SOUNDFONTS
from mirrepro.references import madmom_estimate
from mirrepro.evaluate import score

n = int(sys.argv[1]) if len(sys.argv) > 1 else 6
cache = sys.argv[2] if len(sys.argv) > 2 else 'data/debian'
SR44 = 44100
banks = tuple(r['file'] for r in soundfonts(list(SOUNDFONTS), cache))
ways = {'TimGM6mb': dict(), 'banks': dict(banks=banks), 'banks+production': dict(banks=banks, production=True)}
print(f"{'style':<8} {'rendering':<17} {'songs':>5} {'downbeat F':>16} {'chord majmin':>16} {'key weighted':>16} {'s/song':>7}")
for style in ('labeled', 'test'):
    songs = [compose(seed, style) for seed in range(2000, 2000 + n)]
    for way, kw in ways.items():
        rows, t0 = [], time.perf_counter()
        for song in songs:
            audio = render(song, SR44, **kw)
            ref = {'downbeat': (song.beats, song.positions), 'chord': song.chords, 'key': song.key}
            rows.append({t: score(t, ref[t], madmom_estimate(audio, t, sr=SR44)) for t in ref})
        cols = [f"{np.mean(v):.3f} [{np.min(v):.2f},{np.max(v):.2f}]" for v in ([r[t] for r in rows] for t in ('downbeat', 'chord', 'key'))]
        print(f"{style:<8} {way:<17} {n:>5} {cols[0]:>16} {cols[1]:>16} {cols[2]:>16} {(time.perf_counter() - t0) / n:>7.1f}", flush=True)
