"""scripts/study.py, which `make study JOBS=N` runs: independent stages run side by side, DVC's lock and status come out as
after `dvc repro`, a failed stage stops the rest and is named, and an interrupt stops every stage's command. On a
four-stage DVC project of shell commands (the smoke study runs through it too: tests/conftest.py)."""
import os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import yaml

from helpers import ROOT, run

SCRIPT = ROOT / 'scripts' / 'study.py'
# each of the middle stages waits (up to 30 s) until the other has started: both finish only if they run side by side
WAIT = 'touch {me}.started; for i in $(seq 300); do [ -e {other}.started ] && break; sleep 0.1; done; [ -e {other}.started ]'


def project(tmp_path, left=None, right=None) -> Path:
    stages = dict(
        first=dict(cmd='echo 1 > first.txt', outs=['first.txt']),
        left=dict(cmd=left or WAIT.format(me='left', other='right') + ' && echo L > left.txt', deps=['first.txt'], outs=['left.txt']),
        right=dict(cmd=right or WAIT.format(me='right', other='left') + ' && echo R > right.txt', deps=['first.txt'], outs=['right.txt']),
        last=dict(cmd='cat left.txt right.txt > last.txt', deps=['left.txt', 'right.txt'], outs=['last.txt']))
    (tmp_path / 'dvc.yaml').write_text(yaml.safe_dump(dict(stages=stages), sort_keys=False))
    for cmd in (['git', 'init', '-q'], [sys.executable, '-m', 'dvc', 'init', '-q']):
        subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True)
    return tmp_path


def study(repo, *args):
    return run([sys.executable, str(SCRIPT), *args], repo)


def test_independent_stages_run_side_by_side_and_leave_what_dvc_repro_leaves(tmp_path):
    repo = project(tmp_path)
    r = study(repo, '--jobs', '2')
    assert r.returncode == 0, r.stdout + r.stderr
    assert (repo / 'last.txt').read_text() == 'L\nR\n'
    assert set(yaml.safe_load((repo / 'dvc.lock').read_text())['stages']) == {'first', 'left', 'right', 'last'}
    assert 'up to date' in run([sys.executable, '-m', 'dvc', 'status'], repo).stdout
    assert '[4/4] last done' in r.stdout
    # the same project one stage at a time: each middle stage waits for the other in vain, so the first of them fails
    (repo / 'left.started').unlink(); (repo / 'right.started').unlink()
    (repo / 'dvc.yaml').write_text((repo / 'dvc.yaml').read_text().replace('echo 1 >', 'echo 2 >'))
    r = study(repo, '--jobs', '1')
    assert r.returncode != 0 and 'failed to reproduce' in r.stdout + r.stderr, r.stdout + r.stderr


def test_a_failed_stage_stops_the_rest_and_is_named(tmp_path):
    repo = project(tmp_path, right='touch right.started; echo "no such chord label" >&2; exit 3')
    r = study(repo, '--jobs', '2')
    assert r.returncode == 1
    assert 'stage right failed' in r.stderr and 'no such chord label' in r.stderr
    assert (repo / 'left.txt').exists() and not (repo / 'last.txt').exists()     # the one running finished; none started after
    assert 'last' not in yaml.safe_load((repo / 'dvc.lock').read_text())['stages']


def test_sigterm_stops_every_stage_command(tmp_path):
    endless = 'echo $$ > {me}.pid; touch {me}.started; while true; do sleep 0.2; done'
    repo = project(tmp_path, left=endless.format(me='left'), right=endless.format(me='right'))
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    # started with SIGINT ignored, as a background job of a script (or a pytest-xdist worker's child) is: the stages must stop all the same
    p = subprocess.Popen(['bash', '-c', f'trap "" INT; exec {sys.executable} {SCRIPT} --jobs 2'], cwd=repo, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):                       # until both stage commands run (a minute at most)
        if (repo / 'left.pid').exists() and (repo / 'right.pid').exists(): break
        time.sleep(0.1)
    else:
        p.kill(); pytest.fail('the two stages never ran side by side: ' + ''.join(p.communicate()))
    pids = [int((repo / f'{me}.pid').read_text()) for me in ('left', 'right')]
    try:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 130, out + err
        for pid in pids:
            with pytest.raises(ProcessLookupError): os.kill(pid, 0)
    finally:                                   # a failure leaves no endless stage behind
        p.kill()
        for pid in pids:
            try: os.kill(pid, signal.SIGKILL)
            except ProcessLookupError: pass


@pytest.mark.parametrize('jobs', ['1', '2'])
def test_stages_get_warm_kernels_unless_asked_not_to(tmp_path, jobs):
    say = 'echo "$MIRREPRO_WARM_KERNELS" > {me}.txt'
    repo = project(tmp_path, left=say.format(me='left'), right=say.format(me='right'))
    base = {k: v for k, v in os.environ.items() if k != 'MIRREPRO_WARM_KERNELS'}
    for given, want in ((None, '1'), ('0', '0')):
        env = dict(base, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", **({'MIRREPRO_WARM_KERNELS': given} if given else {}))
        r = subprocess.run([sys.executable, str(SCRIPT), '--jobs', jobs], cwd=repo, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        assert (repo / 'left.txt').read_text() == (repo / 'right.txt').read_text() == f'{want}\n'
        (repo / 'dvc.yaml').write_text((repo / 'dvc.yaml').read_text().replace('echo 1 >', 'echo 2 >'))   # the next pass reruns them
