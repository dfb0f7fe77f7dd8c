"""bench/seeds.py: seed 0 is taken from the study's own teacher only where that teacher trained in the precision asked
for (as its run folder records it), and the side-by-side line reports the difference of the two precisions' means."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location('seeds', Path(__file__).parents[1] / 'bench' / 'seeds.py')
seeds = importlib.util.module_from_spec(spec); spec.loader.exec_module(seeds)


def test_seed_zero_comes_from_the_study_only_in_its_own_precision(tmp_path):
    study = {'best_valid': 0.9, 'test': 0.8}                            # the stage's metrics file: no precision in it
    before_bf16, in_bf16 = tmp_path / 'old.json', tmp_path / 'new.json'
    before_bf16.write_text('{"best_valid": 0.9}')                       # a run folder's metrics.json written before bf16 existed
    in_bf16.write_text('{"best_valid": 0.9, "precision": "bf16"}')
    assert seeds.trained_in(before_bf16) == 'fp32' and seeds.trained_in(in_bf16) == 'bf16'
    assert seeds.trained_in(tmp_path / 'absent.json') == 'fp32'
    assert seeds.study_seed0(study, seeds.trained_in(before_bf16), 'fp32') == {0: (0.9, 0.8)}
    assert seeds.study_seed0(study, seeds.trained_in(before_bf16), 'bf16') == {}
    assert seeds.study_seed0(study, seeds.trained_in(in_bf16), 'bf16') == {0: (0.9, 0.8)}
    assert seeds.study_seed0(study, seeds.trained_in(in_bf16), 'fp32') == {}
    assert seeds.study_seed0({}, 'fp32', 'fp32') == {}                  # no study teacher in this checkout: every seed trains


def test_side_by_side_gives_bf16_minus_fp32_per_score():
    fp32 = {'valid': [0.9, 0.8, 0.7], 'test': [0.5, 0.5, 0.5]}
    bf16 = {'valid': [0.6, 0.6, 0.6], 'test': [0.6, 0.7, 0.8]}
    valid, test = seeds.side_by_side(fp32, bf16).splitlines()
    assert valid.lstrip().startswith('valid') and 'bf16 - fp32 -0.200' in valid and 'fp32 seeds range 0.200, bf16 0.000' in valid
    assert test.lstrip().startswith('test') and 'bf16 - fp32 +0.200' in test


def test_the_profiles_own_precision_goes_to_the_file_the_report_reads():
    assert seeds.results_file('fp32', 'fp32') == seeds.RESULTS and seeds.results_file('bf16', 'bf16') == seeds.RESULTS
    assert seeds.results_file('bf16', 'fp32').name == 'seeds-cpu-bf16.json'
    assert seeds.results_file('fp32', 'bf16').name == 'seeds-cpu-fp32.json'


def test_entries_are_found_by_the_precision_they_trained_in(tmp_path):
    import json
    own, other = tmp_path / 'seeds-cpu.json', tmp_path / 'seeds-cpu-bf16.json'
    own.write_text(json.dumps({'tasks': {'key': {'test': [0.9]}, 'chord': {'test': [0.8], 'precision': 'bf16'}}}))   # key: written before bf16
    other.write_text(json.dumps({'tasks': {'key': {'test': [0.7], 'precision': 'bf16'}}}))
    found = seeds.entries_by_precision('key', [own, other, tmp_path / 'absent.json'])
    assert found == {'fp32': {'test': [0.9]}, 'bf16': {'test': [0.7], 'precision': 'bf16'}}
    assert set(seeds.entries_by_precision('chord', [own, other])) == {'bf16'}


def test_the_recorded_command_names_a_precision_only_where_it_is_forced():
    assert seeds.command_line('downbeat', [1, 2], 'bf16', 'bf16') == "bench/seeds.py downbeat 1 2 (seed 0 is the study's own run)"
    assert seeds.command_line('downbeat', [1, 2], 'fp32', 'bf16') == "bench/seeds.py --fp32 downbeat 1 2 (seed 0 is the study's own run)"
    assert seeds.command_line('key', [0, 1], 'bf16', 'fp32') == "bench/seeds.py --bf16 key 0 1"


def test_the_quick_a1_search_is_a_setting_of_its_own():
    assert seeds.setting('fp32') == 'fp32' and seeds.setting('fp32', True) == 'fp32-quick'
    assert seeds.results_file('fp32-quick', 'fp32').name == 'seeds-cpu-fp32-quick.json'
    assert seeds.results_file('fp32', 'fp32-quick').name == 'seeds-cpu-fp32.json'
    assert seeds.command_line('key', [0, 1, 2], 'fp32-quick', 'fp32') == "bench/seeds.py --quick key 0 1 2"
    assert seeds.command_line('key', [1, 2], 'fp32', 'fp32-quick') == "bench/seeds.py --full key 1 2 (seed 0 is the study's own run)"
    assert seeds.command_line('key', [0], 'bf16-quick', 'fp32') == "bench/seeds.py --bf16 --quick key 0"
    # the study's seed 0 counts only where it trained with the search asked for
    assert seeds.study_seed0({'best_valid': 0.9, 'test': 0.8}, 'fp32', 'fp32-quick') == {}


def test_entries_are_found_by_their_a1_search_too(tmp_path):
    import json
    full, quick = tmp_path / 'seeds-cpu.json', tmp_path / 'seeds-cpu-fp32-quick.json'
    full.write_text(json.dumps({'tasks': {'key': {'test': [0.9], 'precision': 'fp32'}}}))     # written before --quick
    quick.write_text(json.dumps({'tasks': {'key': {'test': [0.8], 'precision': 'fp32', 'pitch_quick': True}}}))
    assert set(seeds.entries_by_precision('key', [full, quick])) == {'fp32', 'fp32-quick'}
    line = seeds.side_by_side({'valid': [0.5], 'test': [0.5]}, {'valid': [0.6], 'test': [0.4]}, ('fp32', 'fp32-quick')).splitlines()[0]
    assert 'fp32-quick - fp32 +0.100' in line


def test_the_reports_entry_wins_over_an_older_one_of_the_same_setting(tmp_path):
    import json
    report, older = tmp_path / 'seeds-cpu.json', tmp_path / 'seeds-cpu-bf16.json'
    report.write_text(json.dumps({'tasks': {'downbeat': {'test': [0.87], 'precision': 'bf16', 'commit': 'new'}}}))
    older.write_text(json.dumps({'tasks': {'downbeat': {'test': [0.86], 'precision': 'bf16', 'commit': 'old'}}}))
    assert seeds.entries_by_precision('downbeat', [report, older])['bf16']['commit'] == 'new'
