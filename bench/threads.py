"""Where a training step's time goes on this CPU: two model threads with the data made between steps (workers 0), or
one model thread beside one DataLoader worker (workers 1, as `train` splits the cores), per task and round.

Run after `make study` (it reads the study's corpus and soft labels: a round-r student's real mix of labeled and
soft-labeled chunks, Table 2's augmentations for its row). Both settings draw the same batches (examples are a
function of seed and index); each is timed over 24 steps after 6 of warm-up, one after the other in the same run.
Usage: .venv/bin/python bench/threads.py [task:round ...]     (default: every task at rounds 1, 2 and 3)
"""
import sys, time
import torch
from mirrepro.model import MIRModel
from mirrepro.runs import train_config
from mirrepro.study import load_profile, manifest, softlabel_dir
from mirrepro.tasks import TASKS
from mirrepro.train import RankBatches, _threads_beside, _training_data, _worker_init, soft_cross_entropy

TEACHER = {2: 'r1', 3: 'r2-D3'}         # the soft labels of D3 that round 2 and round 3 at D3 learn from


def seconds_per_step(p, task, rnd, workers, steps=24, warm=6):
    cfg = train_config(p, task, rnd)
    soft = (manifest(p, task, 'D3'), softlabel_dir(p, task, TEACHER[rnd])) if rnd > 1 else (None, None)
    ds = _training_data(cfg, manifest(p, task, 'train'), manifest(p, task, 'valid'), *soft)[0]
    with _threads_beside(workers):
        torch.manual_seed(0)
        model = MIRModel(cfg.model_config()).train()
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        loader = torch.utils.data.DataLoader(ds, batch_sampler=RankBatches(cfg.batch_size, 0, steps + warm), num_workers=workers,
                                             worker_init_fn=_worker_init, prefetch_factor=4 if workers else None)
        for i, (audio, targets, mask, _) in enumerate(loader):
            if i == warm: t0 = time.perf_counter()
            loss = soft_cross_entropy(model(audio), targets, mask, task)
            opt.zero_grad(); loss.backward(); opt.step()
        return (time.perf_counter() - t0) / steps


def main():
    p = load_profile('params.yaml', 'cpu')
    runs = [a.split(':') for a in sys.argv[1:]] or [(t, r) for t in TASKS for r in (1, 2, 3)]
    print(f"{'task':<10} {'round':>5} {'2 threads, no worker':>21} {'1 thread + 1 worker':>20} {'change':>7}")
    for task, rnd in runs:
        a, b = (seconds_per_step(p, task, int(rnd), w) for w in (0, 1))
        print(f"{task:<10} {rnd:>5} {a:>19.3f} s {b:>18.3f} s {100 * (b / a - 1):>+6.0f}%", flush=True)


if __name__ == '__main__':
    main()
