"""bench/packages.py's measures of a recording: how far madmom's downbeat activation singles out its own beat 1, whether
chord changes point to a bar's beat 1, and how much of a sound's energy is percussive."""
import importlib.util
from pathlib import Path
import numpy as np

spec = importlib.util.spec_from_file_location('packages', Path(__file__).parents[1] / 'bench' / 'packages.py')
packages = importlib.util.module_from_spec(spec); spec.loader.exec_module(packages)

BEATS = np.arange(0.5, 20.0, 0.5); POS = np.arange(len(BEATS)) % 4 + 1          # 4/4 at 120 BPM


def activation(strong: int, fps: int = 100) -> np.ndarray:
    "madmom-like activations: the downbeat column peaks on bar position `strong`, the beat column on every other beat."
    act = np.zeros((int(21 * fps), 2))
    for t, p in zip(BEATS, POS):
        i = int(round(t * fps)) + 1                                                  # a frame late: within the ±2 looked at
        act[i, 1] = 0.8 if p == strong else 0.2
        act[i, 0] = 0.9 if p != strong else 0.1
    return act


def test_the_margin_reads_the_downbeat_activation_at_each_bar_position():
    means, margin = packages.bar_margin((BEATS, POS), activation(strong=1))
    assert means == {1: 0.8, 2: 0.2, 3: 0.2, 4: 0.2} and np.isclose(margin, 4.0)
    means, margin = packages.bar_margin((BEATS, POS), activation(strong=3))     # madmom's activation says beat 3
    assert max(means, key=means.get) == 3 and np.isclose(margin, 0.25)


def test_chords_point_to_beat_one_only_when_most_changes_fall_on_it():
    ref = (BEATS, POS)
    on_one, on_three = BEATS[POS == 1] + 0.03, BEATS[POS == 3] - 0.03
    assert packages.chords_on_one(ref, on_one) is True
    assert packages.chords_on_one(ref, np.sort(np.r_[on_one[:3], on_three])) is False
    assert packages.chords_on_one(ref, np.sort(np.r_[on_one, on_three])) is False    # a tie is no pointer
    assert packages.chords_on_one(ref, BEATS[:5] + 0.25) is None                      # no change on a beat


def test_clicks_are_percussive_and_a_held_tone_is_not():
    sr = 16000; t = np.arange(4 * sr) / sr
    clicks = np.zeros_like(t); clicks[::sr // 4] = 1.0
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    assert packages.percussive_share(clicks) > 0.8 > 0.2 > packages.percussive_share(tone)
