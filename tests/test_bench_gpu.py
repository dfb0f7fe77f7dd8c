"""bench/gpu.py cannot rot: its CPU mode runs the same code paths as on a GPU (training step, FLOP count, fp32 vs
bf16 agreement, labeling) and its FLOP estimate of the paper's study is consistent with itself."""
import subprocess, sys
import pytest
from pathlib import Path

BENCH = Path(__file__).parents[1] / 'bench' / 'gpu.py'
TASKS = ('downbeat', 'chord', 'key', 'structure')


def run(*args):
    r = subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.splitlines()


@pytest.mark.slow
def test_quick_cpu_mode_prints_every_table():
    out = run('--device', 'cpu', '--quick')
    rows = {l.split()[0]: l.split() for l in out if l.split() and l.split()[0] in TASKS and l.split()[1] == '1'}
    assert sorted(rows) == sorted(TASKS), out
    for task, r in rows.items():
        assert float(r[4]) > 0 and float(r[3].replace(',', '')) > 0, r          # samples/s and FLOPs per chunk
    agree = [l for l in out if 'argmax agreement' in l and l.split()[0] in TASKS]
    assert len(agree) == 4 and all('within tolerance' in l for l in agree), agree
    label = [l for l in out if 'audio hours per device hour' in l]
    assert len(label) == 4 and all(float(l.split()[1].replace(',', '')) > 0 for l in label), label


@pytest.mark.slow
def test_estimate_grows_with_round_and_data():
    out = run('--estimate')
    num = lambda x: float(x.replace(',', ''))
    rows = [l.split() for l in out if l.split() and l.split()[0] in TASKS]
    assert len(rows) == 12
    for task in TASKS:
        r1, r2, r3 = (r for r in rows if r[0] == task)
        assert num(r1[2]) < num(r2[2]) < num(r3[2])                            # FLOPs per chunk grow with the round
        for r in (r2, r3):
            assert num(r[4]) <= num(r[6]) <= num(r[8])                         # training D1 ≤ D2 ≤ D3
            assert num(r[6]) / max(num(r[4]), 1e-9) > 50                       # D2 holds 93× D1's hours
