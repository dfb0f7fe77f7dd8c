"""How close does `make study`'s order of stages come to the best the lanes allow?

scripts/study.py starts, of the stages that are ready, those on the longest path of estimated work ahead (its MINUTES per
kind of stage); before, those with the most stages downstream. This script takes each stage's start and end from the
log of a `make study` run (a stage starts at the last "done at" line before its first line of output: the scheduler
starts a stage as soon as a lane frees) and replays the run with those durations on the same number of lanes, ranking
ready stages three ways: as study.py does, by the most stages downstream (the order before), and by the longest path of
the true durations (the critical path). It prints them beside the two lower bounds: the critical path and the work
over the lanes.

    make study 2>&1 | tee study.log
    .venv/bin/python bench/schedule.py study.log [--jobs 2]
"""
import argparse, heapq, re, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'scripts'))
from study import critical_path, estimate, plan      # noqa: E402  (scripts/study.py: the scheduler replayed here)

DONE = re.compile(r'study: \[\d+/\d+\] (\S+) done at ([\d.]+) min')
LINE = re.compile(r'\[([^\]]+)\] ')


def durations(lines, stages) -> dict:
    "Minutes each stage of `stages` ran, from a `make study` log's lines."
    last, start, end = 0.0, {}, {}
    for line in lines:
        if m := DONE.match(line):
            end[m[1]] = last = float(m[2])
        elif (m := LINE.match(line)) and m[1] in stages and m[1] not in start:
            start[m[1]] = last
    missing = [s for s in stages if s not in end or s not in start]
    if missing: raise SystemExit(f'schedule: the log has no start or end for {len(missing)} stage(s), e.g. {missing[0]}: a whole run is needed')
    return {s: end[s] - start[s] for s in stages}


def replay(up: dict, dur: dict, rank, lanes: int) -> float:
    "Minutes to run every stage on `lanes` lanes, starting the ready stage that `rank` puts first whenever a lane frees."
    t, done, started, running = 0.0, set(), set(), []
    while len(done) < len(up):
        ready = sorted((s for s in up if s not in started and up[s] <= done), key=rank)
        for s in ready[:lanes - len(running)]:
            started.add(s); heapq.heappush(running, (t + dur[s], s))
        t, s = heapq.heappop(running); done.add(s)
    return t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('log'); ap.add_argument('--jobs', type=int, default=2); ap.add_argument('--repo', default='.')
    a = ap.parse_args(argv)
    up, down = plan(repo=a.repo)
    lines = Path(a.log).read_text().splitlines()
    dur = durations(lines, up)
    order = {s: i for i, s in enumerate(up)}
    cp = critical_path(up, dur)
    logged = max(float(m[2]) for line in lines if (m := DONE.match(line)))
    print(f'{len(up)} stages on {a.jobs} lanes; the logged run took {logged:.1f} min')
    est = critical_path(up, {s: estimate(s) for s in up})
    print(f'  longest estimated path first (study.py):  {replay(up, dur, lambda s: (-est[s], order[s]), a.jobs):6.1f} min')
    print(f'  most stages downstream first (before):    {replay(up, dur, lambda s: (-down[s], order[s]), a.jobs):6.1f} min')
    print(f'  longest path first (true durations):      {replay(up, dur, lambda s: (-cp[s], order[s]), a.jobs):6.1f} min')
    print(f'  lower bounds: the critical path {max(cp.values()):.1f} min, the work over {a.jobs} lanes {sum(dur.values()) / a.jobs:.1f} min')


if __name__ == '__main__':
    main()
