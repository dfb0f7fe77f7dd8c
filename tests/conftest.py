import pytest
from helpers import repo_copy, run, set_params


@pytest.fixture(scope='session')
def smoke(tmp_path_factory):
    "A copy of the repository after `dvc repro` on the smoke profile (test_study.py, test_docs.py)."
    repo = repo_copy(tmp_path_factory.mktemp('study') / 'repo')
    set_params(repo, lambda p: p.update(profile='smoke'))
    r = run(['dvc', 'repro'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    return repo
