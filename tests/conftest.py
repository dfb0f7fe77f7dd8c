import time
import pytest
from helpers import repo_copy, run, set_params

_START = time.monotonic()


def pytest_runtest_logreport(report):
    "One line per test as it ends, with the minutes since the session began: CI's log says where its time went."
    if report.when == 'call' or (report.when == 'setup' and (report.duration > 30 or not report.passed)):   # a fixture's work
        tr = getattr(pytest_runtest_logreport, 'reporter', None)
        if tr: tr.write_line(f"[{(time.monotonic() - _START) / 60:5.1f} min] {report.outcome:7s} {report.duration:6.0f} s  {report.nodeid}{' (setup)' if report.when == 'setup' else ''}")


def pytest_configure(config):
    pytest_runtest_logreport.reporter = config.pluginmanager.getplugin('terminalreporter')


@pytest.fixture(scope='session')
def smoke(tmp_path_factory):
    "A copy of the repository after `dvc repro` on the smoke profile (test_study.py, test_docs.py)."
    repo = repo_copy(tmp_path_factory.mktemp('study') / 'repo')
    set_params(repo, lambda p: p.update(profile='smoke'))
    t0 = time.monotonic()
    r = run(['dvc', 'repro'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    print(f"smoke study: {(time.monotonic() - t0) / 60:.1f} min")
    return repo
