"""The DVC corpus stage, end to end, on a tiny corpus in a temporary copy of the repository."""
import json, os, shutil, subprocess, sys
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def repo_copy(tmp_path):
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    dst = tmp_path / 'repo'
    for f in files:
        (dst / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dst / f)
    subprocess.run(['git', 'init', '-q'], cwd=dst, check=True)
    return dst


def run(cmd, cwd):
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def test_corpus_stage_builds_manifests_and_reruns_only_on_change(tmp_path):
    repo = repo_copy(tmp_path)
    params = yaml.safe_load((repo / 'params.yaml').read_text())
    params['corpus'].update(train=2, valid=1, test=1, pool_a=1, pool_b=1)
    (repo / 'params.yaml').write_text(yaml.safe_dump(params))

    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode == 0, r.stdout + r.stderr
    m = repo / 'data/corpus/manifests'
    lines = lambda name: [json.loads(l) for l in (m / name).read_text().splitlines()]
    assert len(lines('all.jsonl')) == 4 * 4 + 2
    assert len(lines('key_D3.jsonl')) == 3 * 2 + 2
    assert all(t['annotations'] == {'key': t['annotations']['key']} for t in lines('key_train.jsonl'))
    assert (repo / 'reports/notebooks/corpus.ipynb').exists()

    r = run(['dvc', 'status', 'corpus'], repo)
    assert 'up to date' in r.stdout, r.stdout
    params['corpus']['test'] = 2
    (repo / 'params.yaml').write_text(yaml.safe_dump(params))
    r = run(['dvc', 'status', 'corpus'], repo)
    assert 'changed' in r.stdout and 'corpus' in r.stdout, r.stdout


def test_corpus_stage_rejects_unknown_keys_before_work(tmp_path):
    repo = repo_copy(tmp_path)
    params = yaml.safe_load((repo / 'params.yaml').read_text())
    params['corpus']['pool_c'] = 5
    (repo / 'params.yaml').write_text(yaml.safe_dump(params))
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode != 0
    assert "params.yaml:corpus: unknown key(s) ['pool_c']" in r.stdout + r.stderr
    assert not (repo / 'data/corpus/audio').exists()
