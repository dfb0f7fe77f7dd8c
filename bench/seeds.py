"""Seed-to-seed spread of the cpu study's supervised teachers: each task's round-1 configuration trained with other seeds,
in the precision the cpu profile gives it (TrainConfig.cpu_bf16, where the CPU has bf16 arithmetic) or in the one forced
with --bf16 or --fp32, and with the profile's A1 search (TrainConfig.pitch_quick) or the one forced with --quick or --full.

Run after `make study` (it reads the study's corpus, and takes seed 0 from the study's own teacher,
outputs/cpu/metrics/{task}/r1.json, where that teacher trained in the precision asked for, as its run folder's
metrics.json records it: the same settings). Prints
the validation and test metric per seed and merges one entry per task into bench/results/seeds-cpu.json when it trained
in the profile's setting (the spread the report shows beside its bootstrap intervals), or else into
seeds-cpu-{precision}[-quick].json (with the commit and the study's seed-0 score, so that the report can tell an entry
measured on another study run). Where a task has entries in both precisions, or with both A1 searches, it sets them side
by side (validation first: it is what the study chooses by).
Usage: .venv/bin/python bench/seeds.py [--bf16|--fp32] [--quick|--full] [tasks] [seeds...]   (tasks: comma-separated or `all`; default: all 1 2)
"""
import json, subprocess, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import numpy as np
import torch

from mirrepro.evaluate import evaluate
from mirrepro.study import load_profile, manifest, metrics_file, model_dir
from mirrepro.runs import train_config
from mirrepro.tasks import TASKS
from mirrepro.train import autocast_args, native_bf16, train

RESULTS = Path('bench/results/seeds-cpu.json')


def setting(precision: str, quick: bool = False) -> str:
    "A run's setting as the results files name it: its precision, `-quick` where A1 used sox's quick search."
    return precision + ('-quick' if quick else '')


def results_file(precision: str, profile_precision: str) -> Path:
    "seeds-cpu.json for runs in the profile's own setting (the spread the report shows); seeds-cpu-{setting}.json for another."
    return RESULTS if precision == profile_precision else RESULTS.with_name(f'seeds-cpu-{precision}.json')


def entries_by_precision(task: str, files) -> dict:
    """`task`'s entries in the results `files`, by the setting they trained in (entries written before bf16 existed: fp32;
    before --quick: full A1). Where two files hold the same setting, the first named wins (main names the report's first)."""
    found = {}
    for f in files:
        e = json.loads(f.read_text()).get('tasks', {}).get(task) if f.exists() else None
        if e: found.setdefault(setting(e.get('precision', 'fp32'), e.get('pitch_quick', False)), e)
    return found


def trained_in(run_metrics: Path) -> str:
    "The precision a run trained in, as its run folder's metrics.json records it (the study's metrics/{task}/r1.json does not); fp32 before bf16 existed."
    return json.loads(run_metrics.read_text()).get('precision', 'fp32') if run_metrics.exists() else 'fp32'


def study_metrics(p, task: str) -> dict:
    "The study's round-1 metrics of `task`; {} where its teacher has not run in this checkout (then every seed asked for is trained)."
    f = metrics_file(p, task, 'r1')
    return json.loads(f.read_text()) if f.exists() else {}


def study_seed0(study: dict, trained: str, precision: str) -> dict:
    "Seed 0's scores from the study's teacher metrics `study` when that teacher trained in `precision` (it trained in `trained`); else {}."
    return {0: (study['best_valid'], study['test'])} if study and trained == precision else {}


def spread(p, task, seeds, out, precision='fp32', own='fp32', quick=False):
    """Train `task`'s teacher in `precision`, A1's `quick` search or not (the profile's own setting: `own`), at each of `seeds`
    (seed 0, when not asked for, is the study's run); its entry for the results file."""
    cfg = train_config(p, task, 1)
    base = replace(cfg, cpu_bf16=precision == 'bf16', pitch_quick=quick)
    study = study_metrics(p, task)
    trained = setting(trained_in(model_dir(p, task, 'r1') / 'metrics.json'), cfg.pitch_quick)   # the study ran this checkout's params
    scores = {s: v for s, v in study_seed0(study, trained, setting(precision, quick)).items() if s not in seeds}
    for seed in seeds:
        t0 = time.perf_counter()
        r = train(replace(base, seed=seed), out / f'{task}-{setting(precision, quick)}-seed{seed}', manifest(p, task, 'train'), manifest(p, task, 'valid'), progress=False)
        if r['precision'] != precision: sys.exit(f"{task} seed {seed} trained in {r['precision']}, not {precision}")
        scores[seed] = (r['best_valid'], evaluate(r['model'].eval(), manifest(p, task, 'test'), task, progress=False)['mean'])
        print(f"{task} teacher ({setting(precision, quick)}), seed {seed}: validation {scores[seed][0]:.3f}, test {scores[seed][1]:.3f} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    order = sorted(scores)
    valid, test = [scores[s][0] for s in order], [scores[s][1] for s in order]
    print(f"{task} teacher ({setting(precision, quick)}) over seeds {order}: test {' '.join(f'{v:.3f}' for v in test)}; "
          f"range {max(test) - min(test):.4f}, std {np.std(test, ddof=1) if len(test) > 1 else 0:.4f}", flush=True)
    commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
    what = ''.join(w for w, on in ((", bf16 training steps", precision == 'bf16'), (", A1's quick search", quick)) if on)
    return dict(what=f'{task} teacher (cpu profile, round 1{what})', metric=TASKS[task].metric, precision=precision,
                pitch_quick=quick, seeds=order, test=test, valid=valid, commit=commit, study_test=study.get('test'),
                command=command_line(task, seeds, setting(precision, quick), own))


def command_line(task: str, seeds, run: str, own: str) -> str:
    "The command that measures this entry again: it names a precision or an A1 search only where that is not the profile's own for `task`."
    (prec, quick), (own_prec, own_quick) = ((s.split('-')[0], s.endswith('-quick')) for s in (run, own))
    flag = ('' if prec == own_prec else f'--{prec} ') + ('' if quick == own_quick else '--quick ' if quick else '--full ')
    return f"bench/seeds.py {flag}{task} {' '.join(map(str, seeds))}" + (" (seed 0 is the study's own run)" if 0 not in seeds else '')


def side_by_side(fp32: dict, bf16: dict, names=('fp32', 'bf16')) -> str:
    "One task's seeds in two settings (`names`): validation and test per seed, their means, and the difference of the means."
    lines, (x, y) = [], names
    for what in ('valid', 'test'):
        a, b = np.array(fp32[what]), np.array(bf16[what])
        lines.append(f"  {what:<5} {x} {' '.join(f'{v:.3f}' for v in a)} (mean {a.mean():.3f})   {y} {' '.join(f'{v:.3f}' for v in b)} "
                     f"(mean {b.mean():.3f})   {y} - {x} {b.mean() - a.mean():+.3f}; {x} seeds range {np.ptp(a):.3f}, {y} {np.ptp(b):.3f}")
    return '\n'.join(lines)


def main():
    args = sys.argv[1:]
    forced, searches = {'--bf16': 'bf16', '--fp32': 'fp32'}, {'--quick': True, '--full': False}
    asked, search = [forced[a] for a in args if a in forced], [searches[a] for a in args if a in searches]
    args = [a for a in args if a not in forced and a not in searches]
    if len(asked) > 1: sys.exit("bench/seeds.py: --bf16 or --fp32, not both")
    if len(search) > 1: sys.exit("bench/seeds.py: --quick or --full, not both")
    if asked == ['bf16'] and not native_bf16():
        sys.exit("--bf16: this CPU has no bf16 arithmetic (AVX512-BF16 or AMX); the cpu profile would train in fp32 here")
    tasks = args[0] if args else 'all'
    tasks = list(TASKS) if tasks == 'all' else tasks.split(',')
    seeds = [int(s) for s in args[1:]] or [1, 2]
    torch.set_num_threads(2)
    p = load_profile('params.yaml', 'cpu')
    out = Path(tempfile.mkdtemp())
    print(f"run folders (each seed's best.pt, for bench/validce.py): {out}", flush=True)
    for task in tasks:
        cfg = train_config(p, task, 1)
        own_precision = 'bf16' if autocast_args(cfg, 'cpu')['enabled'] else 'fp32'   # as train() records it
        precision, quick = asked[0] if asked else own_precision, search[0] if search else cfg.pitch_quick
        own = setting(own_precision, cfg.pitch_quick)
        path = results_file(setting(precision, quick), own)
        res = json.loads(path.read_text()) if path.exists() else {}
        res = res if 'tasks' in res else {'tasks': {}}          # an older file held one task: measured again here
        res['tasks'][task] = spread(p, task, seeds, out, precision, own, quick)
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(res, indent=1) + '\n')      # after every task: an interrupted run keeps the tasks it finished
    files = [RESULTS] + [RESULTS.with_name(f'seeds-cpu-{setting(q, quick)}.json') for quick in (False, True) for q in ('fp32', 'bf16')]
    for task in tasks:
        found = entries_by_precision(task, files)
        for x, y in (('fp32', 'bf16'), ('fp32', 'fp32-quick'), ('bf16', 'bf16-quick')):
            if not {x, y} <= set(found): continue
            ex, ey = found[x], found[y]
            print(f"{task} teacher, {x} against {y} (seeds: {x} {ex['seeds']}, {y} {ey['seeds']}):")
            print(side_by_side(ex, ey, (x, y)))
            a, b = ex.get('study_test', ex['test'][0]), ey.get('study_test', ey['test'][0])
            if a is None or b is None:
                print(f"  (one side ran without the study's teacher at hand: the same corpus is assumed, commits {ex['commit']} and {ey['commit']})")
            elif abs(a - b) > 1e-9:
                print(f"  (measured on different study runs, commits {ex['commit']} and {ey['commit']}: not comparable)")

if __name__ == '__main__':
    main()
