"""Attention under the CPU's bf16 autocast: how much faster are the training steps with it in fp32, as the library runs it?

A run with `TrainConfig.cpu_bf16` trains its steps under bf16 autocast on a CPU with bf16 arithmetic. PyTorch's CPU
flash kernel for `scaled_dot_product_attention` is slower in bf16 than in fp32 at this model's shapes, so the library
computes attention in fp32 there (`mirrepro.model.attend`: fp32 on the bf16 projections, bf16 handed back). This bench
times, side by side in one run, a training step (forward + backward + Adam, batch 8 of the task's chunks) of each
round's cpu preset in three settings, alternating them (A B C A B C ...) so that a change in the machine's speed falls
on all three:
  fp32       no autocast (the cpu profile's setting for the tasks it trains in fp32)
  bf16       bf16 autocast with PyTorch's bf16 attention kernel (the library before attention was kept in fp32)
  bf16+fp32  bf16 autocast with attention in fp32: what the library does
Then, for the first task, the attention calls alone of its round-3 preset, fp32 against bf16, shape by shape.
Which tasks train in bf16 is chosen on validation (bench/seeds.py --bf16, README), not here.
Usage: .venv/bin/python bench/attention.py [threads] [repeats] [tasks]   (default: 1 thread, as in make study's lanes;
       3 repeats; downbeat,chord,key,structure)
"""
import sys, time
from contextlib import contextmanager
import torch
import torch.nn.functional as F

import mirrepro.model as mm
from mirrepro.model import MIRModel, preset
from mirrepro.tasks import TASKS

ATTEND = mm.attend


def bf16_kernel(q, k, v, dropout_p: float = 0.0):
    "PyTorch's attention on the inputs as they come: in bf16 under a bf16 autocast."
    return F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p)


@contextmanager
def attention_as(fn):
    "Every attention call of the model through `fn` inside the block; the library's `attend` again after it."
    mm.attend = fn
    try: yield
    finally: mm.attend = ATTEND


SETTINGS = {'fp32': (False, ATTEND), 'bf16': (True, bf16_kernel), 'bf16+fp32': (True, ATTEND)}


def step_time(task: str, rnd: int, setting: str, x, steps: int = 4) -> float:
    "Seconds per training step of `task`'s round-`rnd` cpu preset in `setting` (a key of SETTINGS)."
    autocast, attention = SETTINGS[setting]
    torch.manual_seed(0)
    model = MIRModel(preset(task, rnd, 'cpu')).train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast): y = model(x)
        loss = y.float().pow(2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    with attention_as(attention):
        step()                                                     # warm-up
        t0 = time.perf_counter()
        for _ in range(steps): step()
        return (time.perf_counter() - t0) / steps


def shapes(task: str, rnd: int, x) -> list:
    "The (query, key) shapes of every attention call of `task`'s round-`rnd` preset, once each, in call order."
    seen = []
    def record(q, k, v, dropout_p=0.0):
        if (q.shape, k.shape) not in seen: seen.append((q.shape, k.shape))
        return ATTEND(q, k, v, dropout_p)
    with attention_as(record), torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16): MIRModel(preset(task, rnd, 'cpu'))(x)
    return seen


def attention_time(qs, ks, dtype, n: int = 4) -> float:
    "Milliseconds of one attention call's forward and backward at shapes `qs`, `ks` in `dtype`."
    q, k, v = (torch.randn(s, dtype=dtype, requires_grad=True) for s in (qs, ks, ks))
    F.scaled_dot_product_attention(q, k, v).sum().backward()
    t0 = time.perf_counter()
    for _ in range(n): F.scaled_dot_product_attention(q, k, v).sum().backward()
    return 1000 * (time.perf_counter() - t0) / n


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tasks = sys.argv[3].split(',') if len(sys.argv) > 3 else list(TASKS)
    torch.set_num_threads(threads)
    print(f"training steps, batch 8, {threads} thread(s), {repeats} alternating repeats of 4 steps; median s/step (range)")
    print(f"{'task':<10} {'round':<6}" + ''.join(f"{s:>22}" for s in SETTINGS) + f"{'bf16+fp32 / bf16':>18}{'bf16+fp32 / fp32':>18}")
    for task in tasks:
        torch.manual_seed(0)
        x = 0.1 * torch.randn(8, TASKS[task].chunk_samples)
        for rnd in (1, 2, 3):
            t = {s: [] for s in SETTINGS}
            for _ in range(repeats):
                for s in SETTINGS: t[s].append(step_time(task, rnd, s, x))
            med = {s: sorted(v)[len(v) // 2] for s, v in t.items()}
            print(f"{task:<10} {rnd:<6}" + ''.join(f"{med[s]:>10.3f} ({min(v):.3f}-{max(v):.3f})" for s, v in t.items())
                  + f"{med['bf16+fp32'] / med['bf16']:>18.2f}{med['bf16+fp32'] / med['fp32']:>18.2f}", flush=True)
    task = tasks[0]
    x = 0.1 * torch.randn(8, TASKS[task].chunk_samples)
    print(f"\n{task}'s round-3 preset's attention calls alone, forward + backward (ms)\n{'query':<22} {'key':<22} {'bf16':>7} {'fp32':>7}")
    for qs, ks in shapes(task, 3, x):
        print(f"{str(tuple(qs)):<22} {str(tuple(ks)):<22} {attention_time(qs, ks, torch.bfloat16):>7.1f} {attention_time(qs, ks, torch.float32):>7.1f}")


if __name__ == '__main__':
    main()
