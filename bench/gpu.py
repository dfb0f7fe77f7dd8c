"""The paper profile on one GPU (and on several, when present): what a training step and labeling cost.

For each task's round-1, -2 and -3 paper presets (Table 2), one training step at the paper profile's batch size
(Adam; bf16 autocast and torch.compile on CUDA, as `params.yaml`'s paper profile trains):
  samples/s, audio hours per GPU hour, peak GPU memory, achieved TFLOP/s and MFU against the card's dense bf16
  peak, with the model's FLOPs counted by torch.utils.flop_counter (on the meta device: no memory, no time).
Then: eager fp32 vs bf16 + compile outputs on one batch (largest probability difference, argmax agreement,
against the tolerances below); labeling throughput of the round-1 teachers (`frame_probs_many`, the paper
profile's label batch); and with more than one GPU, a 2-step `torchrun` training + labeling run over all GPUs.
It prints tables and asserts nothing about speed.

  python bench/gpu.py                       # on a GPU: sized for under 10 minutes on one (not yet run on one)
  python bench/gpu.py --device cpu --quick  # the same code on a CPU: round 1, batch 1, one step, one 10-s song (the tests run it)
  python bench/gpu.py --estimate            # no device: the cost of the paper's study from FLOPs (README table)
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from mirrepro.audio import SR
from mirrepro.model import MIRModel, activations, frame_probs_many, preset
from mirrepro.tasks import TASKS
from mirrepro.train import soft_cross_entropy

# dense bf16 tensor-core peaks (TFLOP/s) from the vendors' data sheets, matched on the device name
PEAKS = [('H200', 989.0), ('H100 PCIe', 756.0), ('H100', 989.0), ('A100', 312.0), ('L40S', 362.0), ('A10', 125.0), ('V100', 125.0)]
# eager fp32 vs bf16 + compile on one batch: bf16 keeps 8 bits of mantissa, so probabilities may move by a few 1e-2
PROB_TOL, ARGMAX_TOL = 0.1, 0.97
# the paper's data sizes (Table 1 and §4.2): D1 = the labeled "Other-MIR" sets, D2 = D1 + Audio-92K, D3 = D2 + Music-151K
PAPER_HOURS = {'D1': 1_000, 'D2': 93_000, 'D3': 244_000}


class _NoModules:
    "Stands in for FlopCounterMode's module tracker, whose hooks fail on parameters handed to submodules; totals only."
    parents = {'Global'}
    def __enter__(self): return self
    def __exit__(self, *a): pass


def count_flops(fn) -> int:
    fc = FlopCounterMode(display=False)
    fc.mod_tracker = _NoModules()
    with fc: fn()
    return fc.get_total_flops()


def flops_per_chunk(task, rnd):
    "(training, inference) FLOPs of one chunk of the paper preset, counted on the meta device (matmuls, convolutions, attention)."
    with torch.device('meta'): m = MIRModel(preset(task, rnd))
    x = torch.zeros(1, TASKS[task].chunk_samples, device='meta')
    train = count_flops(lambda: m(x).float().sum().backward())
    with torch.no_grad(): infer = count_flops(lambda: m(x))
    return train, infer


def peak_tflops(device):
    if device.type != 'cuda': return None
    name = torch.cuda.get_device_name(device)
    return next((p for k, p in PEAKS if k in name), None)


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def train_step_bench(task, rnd, device, batch, steps):
    "Samples/s and peak memory of Adam steps on random audio with random soft targets; None on out-of-memory."
    spec, cuda = TASKS[task], device.type == 'cuda'
    torch.manual_seed(0)
    model = MIRModel(preset(task, rnd)).to(device).train()
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    step_model = torch.compile(model) if cuda else model
    x = torch.randn(batch, spec.chunk_samples, device=device) * 0.1
    n_out = model.cfg.n_outputs
    y = torch.softmax(torch.randn(batch, spec.chunk_frames, n_out, device=device), -1)
    if task == 'structure': y[..., -1] = (y[..., -1] > 0.9).float()
    mask = torch.ones(batch, spec.chunk_frames, dtype=torch.bool, device=device)
    if cuda: torch.cuda.reset_peak_memory_stats(device)

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
            logits = step_model(x)
        loss = soft_cross_entropy(logits, y, mask, task)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    try:
        for _ in range(3 if cuda else 0): step()       # compile and warm-up (a CPU has nothing to warm up)
        sync(device); t0 = time.perf_counter()
        for _ in range(steps): step()
        sync(device); dt = time.perf_counter() - t0
    except torch.OutOfMemoryError:
        return None
    mem = torch.cuda.max_memory_allocated(device) / 2**30 if cuda else float('nan')
    del model, opt, step_model
    if cuda: torch.cuda.empty_cache()
    return batch * steps / dt, mem


def agreement(task, rnd, device, batch):
    "Eager fp32 vs bf16 autocast + torch.compile, one batch in eval mode: largest |Δp| and argmax agreement."
    torch.manual_seed(0)
    model = MIRModel(preset(task, rnd)).to(device).eval()
    x = torch.randn(batch, TASKS[task].chunk_samples, device=device) * 0.1
    with torch.no_grad():
        ref = activations(model(x).float(), task)
        fast = torch.compile(model) if device.type == 'cuda' else model
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=True):
            out = activations(fast(x).float(), task)
    n = TASKS[task].n_classes
    return (out - ref).abs().max().item(), (out[..., :n].argmax(-1) == ref[..., :n].argmax(-1)).float().mean().item()


def label_bench(task, device, batch, seconds_of_audio, songs=8):
    "Audio hours labelled per device hour by the round-1 paper teacher (`frame_probs_many`, windows batched across songs)."
    torch.manual_seed(0)
    model = MIRModel(preset(task, 1)).to(device).eval()
    rng = np.random.default_rng(0)
    audios = [rng.standard_normal(int(seconds_of_audio * SR)).astype(np.float32) * 0.1 for _ in range(songs)]
    if device.type == 'cuda':
        for _ in frame_probs_many(model, audios[:1], batch_size=batch, device=device): pass      # warm-up
    sync(device); t0 = time.perf_counter()
    for _ in frame_probs_many(model, audios, batch_size=batch, device=device): pass
    sync(device)
    return songs * seconds_of_audio / (time.perf_counter() - t0)


def multi_gpu_run(n):
    "2 training steps and a labeling pass under `torchrun --nproc_per_node n` on a tiny synthetic corpus; returns seconds."
    from mirrepro.synth import CorpusConfig, build_corpus
    root = Path(tempfile.mkdtemp())
    paths = build_corpus(root / 'c', CorpusConfig(seed=3, train=2 * n, valid=2, test=0, pool_a=2 * n, pool_b=0), progress=False)
    (root / 'train.yaml').write_text(json.dumps(dict(task='chord', round=1, size='paper', batch_size=2 * n, steps_per_epoch=2,
                                                      max_epochs=1, workers=1, bf16=True, compile=False)))
    bindir = Path(sys.executable).parent
    t0 = time.perf_counter()
    subprocess.run([str(bindir / 'torchrun'), '--standalone', '--nproc_per_node', str(n), str(bindir / 'mirrepro-train'),
                    '--config', str(root / 'train.yaml'), '--train', str(paths['chord_train']), '--valid', str(paths['chord_valid']),
                    '--out', str(root / 'run'), '--device', 'cuda'], check=True)
    subprocess.run([str(bindir / 'torchrun'), '--standalone', '--nproc_per_node', str(n), str(bindir / 'mirrepro-label'),
                    '--checkpoint', str(root / 'run' / 'best.pt'), '--manifest', str(paths['pool_a']), '--out', str(root / 'soft'),
                    '--device', 'cuda'], check=True)
    return time.perf_counter() - t0


def _h(x): return f"{x:,.1f}" if x < 10 else f"{x:,.0f}"
def _sig(x): return f"{x:,.0f}" if x >= 10 else f"{x:.3g}"   # a slow CPU run prints 0.0312, not 0.0


def estimate(tflops, batch=64, steps_per_epoch=500):
    "GPU hours of the paper's study at Table 1's volumes, from counted FLOPs at an assumed achieved TFLOP/s."
    print(f"Estimated from FLOPs (no GPU measured): {tflops:.0f} TFLOP/s achieved is assumed for every preset.")
    print(f"train Dk = one pass over Dk's audio in training chunks; label Dk = the previous round's teacher over Dk (windows overlap "
          f"by 1/4, as frame_probs_many's margins); 100 ep. = 100 epochs of the paper's schedule ({steps_per_epoch} batches of {batch})")
    head = ' '.join(f"{'train ' + d:>11} {'label ' + d:>10}" for d in PAPER_HOURS)
    print(f"{'task':<10} {'round':>5} {'GFLOP/chunk':>11} {'100 ep.':>8} {head}")
    gpu_h = lambda flop: flop / (tflops * 1e12) / 3600
    for task in TASKS:
        spec, prev_infer = TASKS[task], None
        for rnd in (1, 2, 3):
            train, infer = flops_per_chunk(task, rnd)
            cells = []
            for d, hours in PAPER_HOURS.items():
                chunks = hours * 3600 / spec.chunk_seconds
                if rnd == 1 and d != 'D1': cells.append(f"{'—':>11} {'—':>10}"); continue
                label = _h(gpu_h(chunks * 4 / 3 * prev_infer)) if prev_infer else '—'
                cells.append(f"{_h(gpu_h(chunks * train)):>11} {label:>10}")
            print(f"{task:<10} {rnd:>5} {train / 1e9:>11,.0f} {_h(gpu_h(100 * steps_per_epoch * batch * train)):>8} {' '.join(cells)}")
            prev_infer = infer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--quick', action='store_true', help="round 1 only, batch 1, one timed step, one 10-s song labelled (a CPU can run it)")
    ap.add_argument('--batch', type=int, default=64, help="the paper profile's global batch (params.yaml)")
    ap.add_argument('--label-batch', type=int, default=32, help="the paper profile's label.batch_size")
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--estimate', action='store_true', help="print the FLOP-estimated cost of the paper's study and stop")
    ap.add_argument('--assume-tflops', type=float, default=300.0, help="achieved TFLOP/s for --estimate (~30 %% of an H100's bf16 peak)")
    a = ap.parse_args()
    if a.estimate: return estimate(a.assume_tflops)
    device = torch.device(a.device)
    if device.type == 'cuda' and not torch.cuda.is_available(): sys.exit("no CUDA device here: use --device cpu --quick, or --estimate")
    rounds, batch, steps = ((1,), 1, 1) if a.quick else ((1, 2, 3), a.batch, a.steps)
    fast = device.type == 'cuda'
    peak = peak_tflops(device)
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else f"CPU ({torch.get_num_threads()} threads)"
    print(f"{name}; training at batch {batch}, {'bf16 autocast + torch.compile' if fast else 'fp32 eager'}; "
          f"peak {peak or '—'} TFLOP/s (dense bf16)")
    print(f"{'task':<10} {'round':>5} {'params':>8} {'GFLOP/chunk':>12} {'samples/s':>10} {'audio h/GPU h':>14} {'peak GiB':>9} {'TFLOP/s':>8} {'MFU':>6}")
    for task in TASKS:
        for rnd in rounds:
            train_flops, _ = flops_per_chunk(task, rnd)
            with torch.device('meta'): params = sum(p.numel() for p in MIRModel(preset(task, rnd)).parameters())
            b, res = batch, None
            while res is None and b >= 1:
                res = train_step_bench(task, rnd, device, b, steps)
                if res is None: b //= 2
            if res is None: print(f"{task:<10} {rnd:>5}  out of memory at batch 1"); continue
            sps, mem = res
            achieved = sps * train_flops / 1e12
            note = '' if b == batch else f"  (batch {b}: {batch} ran out of memory)"
            print(f"{task:<10} {rnd:>5} {params / 1e6:>7.1f}M {train_flops / 1e9:>12,.0f} {_sig(sps):>10} "
                  f"{sps * TASKS[task].chunk_seconds:>14,.0f} {mem:>9.1f} {achieved:>8.1f} "
                  f"{(f'{100 * achieved / peak:.1f}%' if peak else '—'):>6}{note}", flush=True)
    print(f"\neager fp32 vs {'bf16 autocast + torch.compile' if fast else 'bf16 autocast'}, one batch of {min(batch, 8)}, eval mode "
          f"(tolerance: |Δp| ≤ {PROB_TOL}, argmax agreement ≥ {ARGMAX_TOL})")
    for task in TASKS:
        dp, agree = agreement(task, 1, device, min(batch, 8))
        ok = dp <= PROB_TOL and agree >= ARGMAX_TOL
        print(f"{task:<10} r1  max |Δp| {dp:.4f}  argmax agreement {agree:.4f}  {'within' if ok else 'OUTSIDE'} tolerance")
    print(f"\nlabeling with the round-1 teachers (frame_probs_many, batch {a.label_batch if not a.quick else 2})")
    for task in TASKS:
        aps = label_bench(task, device, a.label_batch if not a.quick else 2, 10 if a.quick else 180, songs=1 if a.quick else 16)
        print(f"{task:<10} {_sig(aps):>10} audio hours per device hour")
    if device.type == 'cuda' and torch.cuda.device_count() > 1 and not a.quick:
        n = torch.cuda.device_count()
        print(f"\ntorchrun over {n} GPUs: 2 training steps + labeling took {multi_gpu_run(n):.0f} s")


if __name__ == '__main__':
    main()
