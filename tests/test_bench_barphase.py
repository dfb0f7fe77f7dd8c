"""bench/barphase.py reads a model's bar phase right: downbeats on the reference's beat 3 are counted there, and a
recording whose beats are found with the bar shifted scores 0 downbeat F, 1 at the best phase, and phase 3."""
import importlib.util
from pathlib import Path
import numpy as np
import pytest
from mirrepro.pseudolabel import chord_changes, phase_by_harmony   # the library's turn, which barphase's harmony column uses

spec = importlib.util.spec_from_file_location('barphase', Path(__file__).parents[1] / 'bench' / 'barphase.py')
barphase = importlib.util.module_from_spec(spec); spec.loader.exec_module(barphase)


class Track:
    def __init__(self, tid, ref): self.track_id, self.ref = tid, ref
    def annotation(self, task): return self.ref


def grid(n=32, period=0.5, meter=4, shift=0, jitter=0.0):
    t = np.arange(n) * period + np.random.default_rng(n).uniform(-jitter, jitter, n)
    return t, (np.arange(n) + shift) % meter + 1


def test_downbeats_two_beats_late_are_counted_on_beat_three():
    ref, est = grid(), grid(shift=2, jitter=0.02)        # the estimate calls the reference's beat 3 its beat 1
    on = barphase.bar_positions(ref, est)
    assert on == [3] * 8


def test_summary_tells_a_shifted_bar_from_a_right_one_and_a_wrong_meter():
    ref = grid()
    tracks = [Track('right', ref), Track('late', ref), Track('triple', ref)]
    outputs = {'right': (None, grid(jitter=0.02)), 'late': (None, grid(shift=2)), 'triple': (None, grid(meter=3))}
    s = barphase.summary(tracks, outputs)
    assert s['per_track']['right']['downbeat_f'] == pytest.approx(1.0)
    assert s['per_track']['late']['downbeat_f'] == 0.0 and s['per_track']['late']['any_phase_f'] == pytest.approx(1.0)
    assert s['beats_found'] == 3 and s['same_meter'] == 2
    assert s['per_track']['right']['phase'] == 1 and s['per_track']['late']['phase'] == 3
    assert s['per_track']['triple']['consistency'] < 0.5  # bars of 3 over bars of 4: its downbeats fall on every position
    assert sum(s['phase'].values()) == 3 and s['phase'][3] >= 1


def test_harmony_turns_the_bar_to_where_chords_change_and_keeps_it_on_a_tie():
    segments = [(0.0, 1.0, 'N'), (1.0, 2.0, 'C:maj'), (2.0, 4.0, 'A:min'), (4.0, 6.0, 'F:maj'), (6.0, 8.0, 'F:maj'), (8.0, 16.0, 'G:maj')]
    changes = chord_changes(segments)
    assert changes.tolist() == [2.0, 4.0, 8.0]            # no change out of N, none between equal chords
    est = grid(shift=2)                                   # beats every 0.5 s; the estimate's beat 1 at t = 1, 3, 5 ..., its beat 3 at 0, 2, 4 ...
    t, pos = phase_by_harmony(est, changes)
    assert np.array_equal(t, est[0])
    assert pos[t == 2.0] == 1 and pos[t == 4.0] == 1 and pos[t == 1.0] == 3 and pos[t == 2.5] == 2
    assert np.array_equal(phase_by_harmony(est, np.array([0.25]))[1], est[1])   # no change near a beat: as it was
