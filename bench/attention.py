"""Attention under the CPU's bf16 autocast: would the downbeat steps be faster with it kept in fp32?

The cpu profile trains downbeat with its training steps under bf16 autocast (`TrainConfig.cpu_bf16`), so
`scaled_dot_product_attention` runs PyTorch's CPU flash kernel in bf16. This bench times, side by side in one run, a
downbeat training step (forward + backward + Adam, batch 8 of the profile's 6-s chunks) of each round's cpu preset
under the bf16 autocast, once as the library runs it and once with every attention call cast to fp32 (the rest of
the step still bf16), alternating the two (A B A B ...) so that a change in the machine's speed falls on both. Then
the attention calls alone, fp32 against bf16, for each shape the round-3 preset makes. It changes nothing in the
library: keeping attention in fp32 would change downbeat's arithmetic, and so its runs.
With `--train`, after `make study`: the study's round-1 downbeat teacher trained at seeds 0, 1, 2 with its attention
in fp32 (two threads, as bench/seeds.py trains), its validation and test scores beside the bf16 entry of
bench/results/seeds-cpu.json (the profile's own precision), and its training time: what the profile would choose on.
Usage: .venv/bin/python bench/attention.py [threads] [repeats]   (default: 1 thread, as in make study's lanes; 3)
       .venv/bin/python bench/attention.py --train [seeds...]
"""
import json, sys, tempfile, time
from contextlib import contextmanager
from pathlib import Path
import numpy as np
import torch
import torch.nn.functional as F

import mirrepro.model as mm
from mirrepro.model import MIRModel, preset
from mirrepro.tasks import TASKS

SDPA = F.scaled_dot_product_attention


@contextmanager
def attention_as(fn):
    "Every attention call of the model through `fn` inside the block; torch's own function again after it."
    mm.F.scaled_dot_product_attention = fn
    try: yield
    finally: mm.F.scaled_dot_product_attention = SDPA


def fp32_sdpa(q, k, v, **kw):
    "Attention in fp32 inside a bf16 autocast, its output cast back to the inputs' dtype."
    with torch.autocast('cpu', enabled=False):
        return SDPA(q.float(), k.float(), v.float(), **kw).to(q.dtype)


def step_time(rnd: int, attention, x, steps: int = 4) -> float:
    "Seconds per downbeat training step of round `rnd`'s cpu preset under bf16 autocast, attention through `attention`."
    torch.manual_seed(0)
    model = MIRModel(preset('downbeat', rnd, 'cpu')).train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16): y = model(x)
        loss = y.float().pow(2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    with attention_as(attention):
        step()                                                     # warm-up
        t0 = time.perf_counter()
        for _ in range(steps): step()
        return (time.perf_counter() - t0) / steps


def shapes(rnd: int, x) -> list:
    "The (query, key) shapes of every attention call of round `rnd`'s preset, once each, in call order."
    seen = []
    def record(q, k, v, **kw):
        if (q.shape, k.shape) not in seen: seen.append((q.shape, k.shape))
        return SDPA(q, k, v, **kw)
    with attention_as(record), torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16): MIRModel(preset('downbeat', rnd, 'cpu'))(x)
    return seen


def attention_time(qs, ks, dtype, n: int = 4) -> float:
    "Milliseconds of one attention call's forward and backward at shapes `qs`, `ks` in `dtype`."
    q, k, v = (torch.randn(s, dtype=dtype, requires_grad=True) for s in (qs, ks, ks))
    SDPA(q, k, v).sum().backward()
    t0 = time.perf_counter()
    for _ in range(n): SDPA(q, k, v).sum().backward()
    return 1000 * (time.perf_counter() - t0) / n


def train_seeds(seed_list):
    "Train the study's downbeat teacher at `seed_list` with fp32 attention (bench/seeds.py's `spread`); print it beside the bf16 seeds entry."
    sys.path.insert(0, str(Path(__file__).parent))
    from seeds import RESULTS, spread
    from mirrepro.study import load_profile
    torch.set_num_threads(2)                                       # as bench/seeds.py trains
    with attention_as(fp32_sdpa):
        got = spread(load_profile('params.yaml', 'cpu'), 'downbeat', seed_list, Path(tempfile.mkdtemp()), 'bf16', 'bf16')
    ref = json.loads(RESULTS.read_text())['tasks']['downbeat']
    for what in ('valid', 'test'):
        a, b = dict(zip(ref['seeds'], ref[what])), dict(zip(got['seeds'], got[what]))
        both = [s for s in seed_list if s in a]             # not the study's seed 0 that spread adds: its attention was bf16
        print(f"  {what:<5} bf16 attention {' '.join(f'{a[s]:.3f}' for s in both)} (mean {np.mean([a[s] for s in both]):.3f})   "
              f"fp32 attention {' '.join(f'{b[s]:.3f}' for s in both)} (mean {np.mean([b[s] for s in both]):.3f})   seeds {both}")


def main():
    if sys.argv[1:2] == ['--train']: return train_seeds([int(s) for s in sys.argv[2:]] or [0, 1, 2])
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = 0.1 * torch.randn(8, int(TASKS['downbeat'].chunk_seconds * 16000))
    print(f"downbeat training steps under bf16 autocast, batch 8, {threads} thread(s), {repeats} alternating repeats of 4 steps")
    print(f"{'round':<6} {'attention bf16 (s/step)':>24} {'attention fp32 (s/step)':>24} {'fp32 / bf16':>12}")
    for rnd in (1, 2, 3):
        a, b = [], []
        for _ in range(repeats):
            a.append(step_time(rnd, SDPA, x)); b.append(step_time(rnd, fp32_sdpa, x))
        ma, mb = sorted(a)[len(a) // 2], sorted(b)[len(b) // 2]
        print(f"{rnd:<6} {ma:>16.3f} ({min(a):.3f}-{max(a):.3f}) {mb:>12.3f} ({min(b):.3f}-{max(b):.3f}) {mb / ma:>11.2f}", flush=True)
    print(f"\nthe round-3 preset's attention calls alone, forward + backward (ms)\n{'query':<22} {'key':<22} {'bf16':>7} {'fp32':>7}")
    for qs, ks in shapes(3, x):
        print(f"{str(tuple(qs)):<22} {str(tuple(ks)):<22} {attention_time(qs, ks, torch.bfloat16):>7.1f} {attention_time(qs, ks, torch.float32):>7.1f}")


if __name__ == '__main__':
    main()
