import os, subprocess, sys, time
import pytest
from helpers import ROOT, repo_copy, run, set_params

_START = time.monotonic()


def pytest_runtest_logreport(report):
    "One line per test as it ends, with the minutes since the session began: CI's log says where its time went."
    if report.when == 'call' or (report.when == 'setup' and (report.duration > 30 or not report.passed)):   # a fixture's work
        tr = getattr(pytest_runtest_logreport, 'reporter', None)
        if tr:
            tr.ensure_newline()
            tr.write_line(f"[{(time.monotonic() - _START) / 60:5.1f} min] {report.outcome:7s} {report.duration:6.0f} s  "
                          f"{report.nodeid}{' (setup)' if report.when == 'setup' else ''}")


def pytest_configure(config):
    config.addinivalue_line('markers', "slow: a test of minutes (a whole study, every library notebook, a kill-and-resume, "
                                       "torchrun); `make test-fast` leaves them out")


def pytest_sessionstart(session):        # (the terminal reporter is registered after conftest's pytest_configure runs)
    pytest_runtest_logreport.reporter = session.config.pluginmanager.getplugin('terminalreporter')


CHAINS = ('smoke', 'paper')      # the fixtures that run a whole study: the smoke profile's, and the paper profile's on replicas


def _chain(item):
    "The study fixture a test uses (its chain), or None."
    return next((c for c in CHAINS if c in getattr(item, 'fixturenames', ())), None)


def pytest_itemcollected(item):
    """`make test` runs two pytest-xdist workers (--dist loadgroup): the tests of each study (the smoke profile's, and the
    paper profile's on replicas) are one group, which one worker takes and builds its study once for; then both share the
    rest. On two cores most of either's time is one busy thread.
    (Marked as each test is collected: xdist reads the marks in its own pytest_collection_modifyitems.)"""
    if chain := _chain(item): item.add_marker(pytest.mark.xdist_group(chain))
    if chain or 'library' in getattr(item, 'fixturenames', ()): item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(items):
    "The studies are the longest chains: their tests come first, so that each worker starts on one at once."
    items.sort(key=lambda item: CHAINS.index(c) if (c := _chain(item)) else len(CHAINS))


def shared_dir(tmp_path_factory):
    "A folder every xdist worker of this session sees (the workers' temporary folders sit side by side in it)."
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get('PYTEST_XDIST_WORKER') else base


@pytest.fixture(scope='session')
def smoke(tmp_path_factory):
    """A copy of the repository after the whole smoke profile (test_study.py, test_docs.py), run as `make study JOBS=2`
    runs it (scripts/study.py: two stages at a time, each a `dvc repro --single-item`), so that the tests of the lock,
    `dvc status` and every output check that path too; `JOBS=1` is plain `dvc repro`, which other tests run."""
    repo = repo_copy(tmp_path_factory.mktemp('study') / 'repo')
    set_params(repo, lambda p: p.update(profile='smoke'))
    r = run([sys.executable, 'scripts/study.py', '--jobs', '2'], repo)   # its minutes are in the time line of the first test that uses it
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    return repo


@pytest.fixture(scope='session')
def library(tmp_path_factory):
    """Every library notebook of nbs/ executed once per session (warm kernels) into a folder, whichever worker asks
    first (the other waits for it); the website's test builds the site from it."""
    from filelock import FileLock
    shared = shared_dir(tmp_path_factory)
    out, done = shared / 'library', shared / 'library.done'
    with FileLock(str(shared / 'library.lock')):
        if not done.exists():
            workers = '1' if os.environ.get('PYTEST_XDIST_WORKER') else '2'      # beside the other worker: one kernel at a time
            r = subprocess.run([sys.executable, 'scripts/docs.py', '--execute-only', str(out), '--workers', workers], cwd=ROOT, capture_output=True,
                               text=True, env=dict(os.environ, MIRREPRO_WARM_KERNELS='1'))
            assert r.returncode == 0, (r.stdout + r.stderr)[-8000:]      # names each notebook that failed, with its traceback
            done.write_text(r.stdout)
    return out
