"""bench/attention.py times what it says: its `bf16` setting runs the model's attention kernel in bf16, its `bf16+fp32`
setting in fp32 as the library does, and a timing leaves the library's attention function as it found it."""
import importlib.util
from pathlib import Path
import torch

spec = importlib.util.spec_from_file_location('attention', Path(__file__).parents[1] / 'bench' / 'attention.py')
attention = importlib.util.module_from_spec(spec); spec.loader.exec_module(attention)


def test_each_setting_runs_the_attention_kernel_in_its_own_precision(monkeypatch):
    kernel, seen = attention.F.scaled_dot_product_attention, []
    def recorded(q, k, v, **kw):
        seen.append(q.dtype)
        return kernel(q, k, v, **kw)
    monkeypatch.setattr(attention.F, 'scaled_dot_product_attention', recorded)
    x = 0.1 * torch.randn(1, 16000)
    found = {}
    for setting in attention.SETTINGS:
        seen.clear()
        attention.step_time('downbeat', 1, setting, x, steps=1)
        found[setting] = set(seen)
    assert found == {'fp32': {torch.float32}, 'bf16': {torch.bfloat16}, 'bf16+fp32': {torch.float32}}


def test_the_model_call_is_restored_after_a_timing():
    x = 0.1 * torch.randn(1, 16000)
    assert attention.shapes('downbeat', 1, x)                           # the round-1 preset makes attention calls
    assert attention.mm.attend is attention.ATTEND
