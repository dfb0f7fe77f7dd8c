"""Run the study's DVC pipeline, `jobs` stages at a time: what `make study` runs.

    study.py [--jobs N] [TARGET ...]

With one job this is `dvc repro [TARGET ...]`. With more, a stage starts as soon as every stage it depends on has
finished, each as its own `dvc --wait-for-lock repro --single-item STAGE`: DVC itself decides whether the stage
changed, runs its command, caches its outputs and writes its entry of dvc.lock, so the lock, the cache and
`dvc status` afterwards are what `dvc repro` leaves (DVC documents running independent stages in parallel this way;
`--wait-for-lock` waits out the moments when another of them holds the repository's lock). A last `dvc repro`
confirms that nothing is left to do.

Why: on a CPU a stage's model gains less from a second thread than a second stage does from a second core
(bench/lanes.py measures both). Each of N parallel stages gets cores // N threads (OMP_NUM_THREADS, MKL_NUM_THREADS);
a stage's numbers depend on its thread count, not on what ran beside it. Of the stages that are ready, those with
the longest path of work ahead of them start first, by rough minutes per kind of stage (MINUTES): the downbeat chain
is the study's longest, and a long stage with little downstream (the real-music evaluation of every downbeat model) is
not left for the end, where it would run beside an idle lane (bench/schedule.py). If a stage fails, no other stage
starts; those running finish (their runs persist either way), and the command fails naming the stage and its log.
Ctrl-C or SIGTERM stops every stage: the next `make study` resumes their runs from their last epoch.
"""
import argparse, os, signal, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Rough minutes of a stage of each kind in the cpu study at one thread (its logs, bench/results/study-*.log); other kinds
# (baselines, MERT when off, the report) take seconds. Only the order of the stages depends on them, never what they compute.
MINUTES = {'corpus': 2, 'teacher': 8, 'student': 5, 'label': 1.5, 'realset': 1.5, 'realmusic': 1.5, 'madmom': 1}


def estimate(stage: str) -> float:
    "Rough minutes of `stage` (a DVC address such as student@key-st3)."
    return MINUTES.get(stage.split('@')[0], 0.2)


def critical_path(up: dict, cost: dict) -> dict:
    "Per stage: its cost plus the longest chain of costs downstream of it (`up`: {stage: stages it waits for})."
    downs = {s: [t for t in up if s in up[t]] for s in up}
    memo = {}
    def cp(s):
        if s not in memo: memo[s] = cost[s] + max((cp(t) for t in downs[s]), default=0.0)
        return memo[s]
    return {s: cp(s) for s in up}


def stage_env(jobs: int | None = None) -> dict:
    """The environment of every stage: with `jobs`, cores // jobs threads each; and notebook kernels forked warm
    (scripts/warm_kernel.py: a cold kernel spends seconds importing torch, scipy, pandas and IPython before its first
    cell, 64 times a study; bench/kernels.py measures it). MIRREPRO_WARM_KERNELS=0 asks for ordinary kernels.
    torch.compile's code (the runs with `compile: true`) is kept in the repository's .cache/torchinductor, unless
    TORCHINDUCTOR_CACHE_DIR says elsewhere: the stages of a study share it, and a fresh clone compiles afresh."""
    env = dict(os.environ)
    env.setdefault('TORCHINDUCTOR_CACHE_DIR', os.path.join(ROOT, '.cache', 'torchinductor'))
    if jobs:
        from mirrepro.core import cores
        env['OMP_NUM_THREADS'] = env['MKL_NUM_THREADS'] = str(max(1, cores() // jobs))
    env.setdefault('MIRREPRO_WARM_KERNELS', '1')
    return env


def dvc() -> list[str]:
    "DVC of the Python running this script (`make study` runs it with .venv's)."
    return [sys.executable, '-m', 'dvc']


def plan(targets=None, repo='.'):
    """The stages `dvc repro [targets]` would visit and, for each, the stages it waits for: ({stage: set of upstream
    stages}, {stage: number of stages downstream of it}), stages named by their DVC address (e.g. teacher@key)."""
    import networkx as nx
    from dvc.repo import Repo
    with Repo(repo) as r:
        g = r.index.graph                                     # an edge goes from a stage to a stage it depends on
        if targets:
            keep = set()
            for t in targets:
                for s in r.stage.collect(t): keep |= {s} | nx.descendants(g, s)
            g = g.subgraph(keep)
        up = {s.addressing: {d.addressing for d in g.successors(s)} for s in g}
        down = {s.addressing: len(nx.ancestors(g, s)) for s in g}
    return up, down


def _pump(stream, name, log):
    "Copy a stage's output to ours, each line led by the stage's name, and keep it for a failure's message."
    for line in iter(stream.readline, ''):
        log.append(line)
        print(f'[{name}] {line}', end='', flush=True)


def run_parallel(jobs: int, targets=None, repo='.') -> int:
    up, _ = plan(targets, repo)
    env = stage_env(jobs)
    done, running, failed, logs = set(), {}, [], {}
    order = {s: i for i, s in enumerate(up)}
    path = critical_path(up, {s: estimate(s) for s in up})
    t0 = time.perf_counter()
    def interrupt(*_): raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)                  # a SIGTERM stops the stages as Ctrl-C does
    print(f'study: {len(up)} stages, {jobs} at a time, {env["OMP_NUM_THREADS"]} thread(s) each', flush=True)
    try:
        while len(done) < len(up) and not (failed and not running):
            ready = sorted((s for s in up if s not in done and s not in running and up[s] <= done),
                           key=lambda s: (-path[s], order[s]))
            while ready and len(running) < jobs and not failed:
                s = ready.pop(0)
                logs[s] = []
                p = subprocess.Popen(dvc() + ['--wait-for-lock', 'repro', '--single-item', s], cwd=repo, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
                pump = threading.Thread(target=_pump, args=(p.stdout, s, logs[s]), daemon=True); pump.start()
                running[s] = (p, pump)
            if not running: break
            time.sleep(0.5)
            for s, (p, pump) in list(running.items()):
                if p.poll() is None: continue
                pump.join(); del running[s]
                if p.returncode: failed.append(s)
                else: done.add(s)
                print(f'study: [{len(done)}/{len(up)}] {s} {"FAILED" if p.returncode else "done"} at {(time.perf_counter() - t0) / 60:.1f} min',
                      flush=True)
    except KeyboardInterrupt:
        for p, _ in running.values():          # to the stage's whole process group: dvc ignores SIGINT while its command runs
            if p.poll() is None: os.killpg(p.pid, signal.SIGINT)
        for p, pump in running.values(): p.wait(); pump.join()
        print('study: interrupted; `make study` resumes the runs it stopped', file=sys.stderr)
        return 130
    if failed:
        for s in failed: print(f'\nstudy: stage {s} failed; the end of its log:\n' + ''.join(logs[s][-40:]), file=sys.stderr)
        return 1
    left = [s for s in up if s not in done]
    if left:
        print(f'study: stages never started, their upstream did not finish: {", ".join(left)}', file=sys.stderr)
        return 1
    return subprocess.call(dvc() + ['repro'] + list(targets or []), cwd=repo)   # nothing left: DVC says so in seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--jobs', '-j', type=int, default=1, help='stages at a time (1: plain `dvc repro`)')
    ap.add_argument('targets', nargs='*', help='stages, as `dvc repro` takes them (default: the whole pipeline)')
    a = ap.parse_args(argv)
    if a.jobs < 1: ap.error('--jobs must be at least 1')
    # A process started with SIGINT ignored (a background job of a script, a pytest-xdist worker's child) passes that
    # on to every stage through exec, and an interrupt would then stop none of them; caught here, it is reset to the
    # default in each stage's command.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if a.jobs == 1: return subprocess.call(dvc() + ['repro'] + a.targets, env=stage_env())
    return run_parallel(a.jobs, a.targets)


if __name__ == '__main__':
    sys.exit(main())
