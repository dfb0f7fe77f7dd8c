"""Synthetic-corpus generation speed on one core: seconds of audio made per wall second.

Prints, per style, the time to compose (MIDI and labels), render (tinysoundfont + EQ) and write
(FLAC + four annotation files) songs at 16 kHz, side by side. Usage: python bench/synth.py [songs per style]
"""
import os, sys, tempfile, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
import numpy as np
from mirrepro.audio import SR
from mirrepro.synth import STYLES, compose, render, write_song

n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
print(f"{'style':<9} {'songs':>5} {'audio s':>8} {'compose s':>10} {'render s':>9} {'all s':>8} {'audio s / wall s':>17}")
print("(all = write_song: compose + render + FLAC and annotation files; the last column divides by it)")
tmp = tempfile.mkdtemp()
for style in STYLES:
    t_comp = t_rend = t_write = audio_s = 0.0
    for seed in range(n):
        t0 = time.perf_counter(); song = compose(seed, style)
        t1 = time.perf_counter(); audio = render(song, SR)
        t2 = time.perf_counter(); write_song(tmp, f'{style}_{seed}', seed, style)
        t3 = time.perf_counter()
        t_comp += t1 - t0; t_rend += t2 - t1; t_write += t3 - t2
        audio_s += len(audio) / SR
    print(f"{style:<9} {n:>5} {audio_s:>8.0f} {t_comp:>10.2f} {t_rend:>9.2f} {t_write:>8.2f} {audio_s / t_write:>17.0f}")
