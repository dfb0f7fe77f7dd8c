"""bench/validce.py: a model sure of the right key has a low cross-entropy, one that spreads its belief or is sure of
another key a high one; unlabeled frames do not count."""
import importlib.util
from pathlib import Path
import numpy as np

spec = importlib.util.spec_from_file_location('validce', Path(__file__).parents[1] / 'bench' / 'validce.py')
validce = importlib.util.module_from_spec(spec); spec.loader.exec_module(validce)


def test_surety_reads_the_probability_of_the_labeled_key():
    right = validce.labeled_targets('A minor', 'key', 4)[0].argmax(1)[0]
    sure = np.full((4, 25), 0.1 / 24); sure[:, right] = 0.9
    ce, p = validce.surety(sure, 'A minor', 'key')
    assert np.isclose(p, 0.9) and np.isclose(ce, -np.log(0.9))
    ce_wrong, p_wrong = validce.surety(np.roll(sure, 1, axis=1), 'A minor', 'key')   # sure of the next class instead
    assert np.isclose(p_wrong, 0.1 / 24) and ce_wrong > 3
    flat = np.full((4, 25), 1 / 25)
    assert np.isclose(validce.surety(flat, 'A minor', 'key')[0], np.log(25))


def test_a_song_without_a_key_label_gives_nothing():
    assert validce.surety(np.full((4, 25), 1 / 25), 'X', 'key') is None
