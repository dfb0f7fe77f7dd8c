"""Training throughput on this CPU, with and without augmentation, and the share of a step the data path takes.

For each task's round-2 CPU preset (a student: half labeled, half soft-labeled chunks), six settings, and
the first cpu study's round-2 preset (Table 2's STFT hop and pooling, dropout 0.1, before issue 11) in the
augmented setting, side by side in the same run:
  plain        no augmentation, data made in the training process
  augmented    Table 2's augmentations for the row, A1 with sox's full overlap search (the default), data made in
               the training process (serial: the whole data path, decode + cut + A1/A2, is timed apart from the
               forward/backward step), each chunk sought and decoded from its file: the cpu profile before issue 22
  A1 quick     the same with A1's quick search (AugmentConfig.pitch_quick: `pitch -q`)
  decoded      augmented, each song decoded once into the memory-mapped cache (TrainConfig.decode_cache) instead
               of a seek and a decode per chunk: the cpu profile's setting since issue 22
  decode+worker  the same with one DataLoader worker preparing batches while the model trains
  quick+dec.+w the same with A1's quick search
  quick+decoded  decoded, with A1's quick search: what TrainConfig.pitch_quick gives a run of the cpu profile
  decoded+bf16 decoded, the forward pass under bf16 autocast on the CPU (TrainConfig.cpu_bf16; only on a CPU with bf16
               arithmetic, `native_bf16`, else it is the same as decoded): the cpu profile's setting for downbeat and chord
  compiled     decoded, the training step under torch.compile (TrainConfig.compile): the cpu profile's setting for key
               and structure
  compiled+bf16  decoded+bf16 under torch.compile
Warm-up s: the two untimed first steps (the first decodes; with torch.compile, compiling the step, or loading it from
the inductor cache where an earlier run left it).
Prints samples and audio-seconds per second, and the data path's share of a step in the serial setting.
Usage: python bench/train.py [steps] [setting,...] [threads] [task,...]   (default: 12 steps, every setting, 2 threads, every
task; make study's lanes run one thread each)
"""
import sys, tempfile, time
from pathlib import Path
import torch

from mirrepro.annotations import read_manifest
from mirrepro.augment import AugmentConfig, SpecMask
from mirrepro.model import MIRModel, preset, save_checkpoint
from mirrepro.pseudolabel import label_manifest
from mirrepro.synth import CorpusConfig, build_corpus
from mirrepro.tasks import TASKS
from mirrepro.train import ChunkDataset, RankBatches, TrainConfig, _compiled, _worker_init, autocast_args, native_bf16, soft_cross_entropy


def old_preset(task):
    "The round-2 CPU preset of the first cpu study: Table 2's hop and pool, a 2048-point STFT, dropout 0.1, default init."
    paper = preset(task, 2)
    return preset(task, 2, 'cpu', hop=paper.hop, pool=paper.pool, n_fft=2048, q_init=1.0, freq_emb_init='random', cross_gain=1.0,
                  dropout=0.1, heads=2, head_dim=None)


def run(task, ds, acfg, steps, workers, batch=8, old=False, bf16=False, compiled=False):
    torch.manual_seed(0)
    model = MIRModel(old_preset(task) if old else preset(task, 2, 'cpu')).train()
    net = _compiled(model) if compiled else model
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    mask = SpecMask(acfg) if acfg.freq_mask or acfg.time_mask else None
    loader = torch.utils.data.DataLoader(ds, batch_sampler=RankBatches(batch, 0, steps + 2), num_workers=workers,
                                         worker_init_fn=_worker_init, prefetch_factor=4 if workers else None)
    data_t = step_t = first = 0.0
    autocast = autocast_args(TrainConfig(task, cpu_bf16=bf16), 'cpu')
    it = iter(loader)
    for i in range(steps + 2):
        t0 = time.perf_counter()
        audio, targets, m, _ = next(it)
        t1 = time.perf_counter()
        with torch.autocast(**autocast):
            logits = net(audio, spec_mask=mask)
        loss = soft_cross_entropy(logits, targets, m, task)
        opt.zero_grad(); loss.backward(); opt.step()
        t2 = time.perf_counter()
        if i >= 2: data_t += t1 - t0; step_t += t2 - t1       # two warm-up steps (worker start, first decodes, compiling)
        else: first += t2 - t0
    n = steps * batch
    return n / (data_t + step_t), n * TASKS[task].chunk_seconds / (data_t + step_t), data_t / (data_t + step_t), first


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    only = sys.argv[2].split(',') if len(sys.argv) > 2 and sys.argv[2] != 'all' else None
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tasks = sys.argv[4].split(',') if len(sys.argv) > 4 else list(TASKS)
    torch.set_num_threads(threads)
    root = Path(tempfile.mkdtemp())
    paths = build_corpus(root / 'c', CorpusConfig(seed=5, train=4, valid=0, test=0, pool_a=6, pool_b=0), progress=False)
    print(f"{threads} thread(s), batch 8, {steps} timed steps per setting; round-2 CPU presets; half of each batch soft-labeled;"
          f" bf16 arithmetic on this CPU: {native_bf16()}")
    print(f"{'task':<10} {'setting':<14} {'samples/s':>10} {'audio s/s':>10} {'data share':>11} {'warm-up s':>11}")
    for task in tasks:
        torch.manual_seed(0)
        ck = save_checkpoint(MIRModel(preset(task, 1, 'cpu')), root / f'{task}.pt')
        store = label_manifest(ck, paths['pool_a'], root / f'soft-{task}', progress=False)
        labeled, pool = read_manifest(paths[f'{task}_train']), read_manifest(paths['pool_a'])
        full, quick = AugmentConfig.table2(task, 2), AugmentConfig.table2(task, 2, pitch_quick=True)
        for name, acfg, workers, old, decode, bf16 in (
                ('before: augm.', full, 0, True, False, False), ('plain', AugmentConfig(), 0, False, False, False),
                ('augmented', full, 0, False, False, False), ('A1 quick', quick, 0, False, False, False),
                ('decoded', full, 0, False, True, False), ('quick+decoded', quick, 0, False, True, False),
                ('decoded+bf16', full, 0, False, True, True),
                ('decode+worker', full, 1, False, True, False), ('quick+dec.+w', quick, 1, False, True, False),
                ('compiled', full, 0, False, True, False), ('compiled+bf16', full, 0, False, True, True)):
            if only and name not in only: continue
            ds = ChunkDataset(task, labeled, pool, store, 8, 0.5, acfg, seed=0, decode=decode)
            sps, aps, share, first = run(task, ds, acfg, steps, workers, old=old, bf16=bf16, compiled=name.startswith('compiled'))
            print(f"{task:<10} {name:<14} {sps:>10.1f} {aps:>10.0f} {100 * share:>10.1f}% {first:>11.1f}")


if __name__ == '__main__':
    main()
