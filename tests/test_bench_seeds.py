"""bench/seeds.py: seed 0 is taken from the study's own teacher only where that teacher trained in the precision asked
for, and the side-by-side line reports the difference of the two precisions' means."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location('seeds', Path(__file__).parents[1] / 'bench' / 'seeds.py')
seeds = importlib.util.module_from_spec(spec); spec.loader.exec_module(seeds)


def test_seed_zero_comes_from_the_study_only_in_its_own_precision():
    before_bf16 = {'best_valid': 0.9, 'test': 0.8}                      # metrics written before they recorded a precision
    assert seeds.study_seed0(before_bf16, 'fp32') == {0: (0.9, 0.8)}
    assert seeds.study_seed0(before_bf16, 'bf16') == {}
    in_bf16 = dict(before_bf16, precision='bf16')
    assert seeds.study_seed0(in_bf16, 'bf16') == {0: (0.9, 0.8)} and seeds.study_seed0(in_bf16, 'fp32') == {}


def test_side_by_side_gives_bf16_minus_fp32_per_score():
    fp32 = {'valid': [0.9, 0.8, 0.7], 'test': [0.5, 0.5, 0.5]}
    bf16 = {'valid': [0.6, 0.6, 0.6], 'test': [0.6, 0.7, 0.8]}
    valid, test = seeds.side_by_side(fp32, bf16).splitlines()
    assert valid.lstrip().startswith('valid') and 'bf16 - fp32 -0.200' in valid and 'fp32 seeds range 0.200, bf16 0.000' in valid
    assert test.lstrip().startswith('test') and 'bf16 - fp32 +0.200' in test
