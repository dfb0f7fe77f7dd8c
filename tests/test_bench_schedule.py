"""bench/schedule.py reads each stage's run from a `make study` log and replays a schedule: starting the stages with
the most stages downstream first can leave the longest chain waiting, which the critical path does not."""
import importlib.util
from pathlib import Path
import pytest

spec = importlib.util.spec_from_file_location('schedule', Path(__file__).parents[1] / 'bench' / 'schedule.py')
schedule = importlib.util.module_from_spec(spec); spec.loader.exec_module(schedule)

# x (1 min) heads a chain to y (12); p and r (10 each) have more stages downstream, three and two short ones
UP = {'x': set(), 'y': {'x'}, 'p': set(), 'r': set(), 'q1': {'p'}, 'q2': {'p'}, 'q3': {'p'}, 's1': {'r'}, 's2': {'r'}}
DUR = {'x': 1.0, 'y': 12.0, 'p': 10.0, 'r': 10.0, 'q1': 1.0, 'q2': 1.0, 'q3': 1.0, 's1': 1.0, 's2': 1.0}
DOWN = {'x': 1, 'p': 3, 'r': 2}


def test_the_critical_path_starts_the_chain_that_the_downstream_count_leaves_waiting():
    order = {s: i for i, s in enumerate(UP)}
    cp = schedule.critical_path(UP, DUR)
    assert cp['x'] == 13.0 and cp['p'] == 11.0 and cp['y'] == 12.0
    by_count = schedule.replay(UP, DUR, lambda s: (-DOWN.get(s, 0), order[s]), lanes=2)
    by_path = schedule.replay(UP, DUR, lambda s: (-cp[s], order[s]), lanes=2)
    assert by_count == 23.0     # p and r first; x only at 10, so y ends at 23
    assert by_path == 21.0      # x and p first; y runs from 1 to 13 beside p and r
    assert schedule.replay(UP, DUR, lambda s: order[s], lanes=1) == sum(DUR.values())


def test_a_stage_starts_at_the_last_done_line_before_its_first_output():
    log = ['study: 3 stages, 2 at a time, 1 thread(s) each', '[a] Running stage', '[b] Running stage',
           'study: [1/3] a done at 2.0 min', '[c] Running stage', '[b] still going',
           'study: [2/3] b done at 3.5 min', 'study: [3/3] c done at 6.0 min']
    assert schedule.durations(log, {'a': set(), 'b': set(), 'c': {'a'}}) == {'a': 2.0, 'b': 3.5, 'c': 4.0}
    with pytest.raises(SystemExit, match='no start or end'):
        schedule.durations(log[:4], {'a': set(), 'b': set(), 'c': {'a'}})
