"""bench/inference.py's rule: bf16 inference for a task only if no checkpoint's validation score moves by more than 0.005
and the mean change stays within 0.002 (one downbeat song turning its bars is enough to keep fp32)."""
import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location('inference', Path(__file__).parents[1] / 'bench' / 'inference.py')
inference = importlib.util.module_from_spec(spec); spec.loader.exec_module(inference)


def test_one_large_change_or_a_drift_keeps_fp32():
    assert inference.by_rule([-0.001, -0.0002, 0.0003, -0.0003]) == 'bf16'
    assert inference.by_rule([0.0, 0.0, 0.0, -0.0357]) == 'fp32'           # one checkpoint moved by more than 0.005
    assert inference.by_rule([-0.004, -0.003, -0.004, -0.0045]) == 'fp32'  # each small, but the mean drifts by 0.0039
