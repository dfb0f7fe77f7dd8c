"""bench/reallabels.py trains on the Fret's on Fire songs whose grids were trusted for the bar phase, and only on those,
as training songs; it chooses the variant with real labels only when validation says so and its floor held."""
import importlib.util
from pathlib import Path
import pytest
from mirrepro.annotations import Track

spec = importlib.util.spec_from_file_location('reallabels', Path(__file__).parents[1] / 'bench' / 'reallabels.py')
reallabels = importlib.util.module_from_spec(spec); spec.loader.exec_module(reallabels)


def test_only_grids_trusted_for_the_bar_become_training_songs(tmp_path):
    songs = [Track(f'fof/{n}', tmp_path / f'{n}.flac', 200.0, 'test', {'downbeat': tmp_path / f'{n}.beats'}) for n in 'abc']
    check = {'fof/a': {'beats': True, 'phase': True}, 'fof/b': {'beats': True, 'phase': False}, 'fof/c': {'beats': False, 'phase': False}}
    (a,) = reallabels.bar_trusted(songs, check)
    assert a.track_id == 'fof/a' and a.split == 'train' and a.annotations == songs[0].annotations
    assert songs[0].split == 'test'                                    # the checked tracks are left as they were
    with pytest.raises(SystemExit, match='fof/c'):
        reallabels.bar_trusted(songs, {k: v for k, v in check.items() if k != 'fof/c'})


def test_the_real_labels_are_chosen_only_above_the_study_on_validation_with_the_floor_held():
    assert reallabels.chosen({'study': [0.40, 0.40], 'fof': [0.45, 0.41]}, {'study': True, 'fof': True}) == 'fof'
    assert reallabels.chosen({'study': [0.40, 0.40], 'fof': [0.45, 0.41]}, {'study': True, 'fof': False}) == 'study'
    assert reallabels.chosen({'study': [0.43, 0.40], 'fof': [0.40, 0.43]}, {'study': True, 'fof': True}) == 'study'   # a tie keeps the study
