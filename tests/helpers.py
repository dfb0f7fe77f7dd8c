"""What the study's tests share: a copy of the repository's tracked files, commands run with this
environment's tools, params.yaml edits. The finished smoke study itself is a session fixture (conftest.py)."""
import os, shutil, subprocess, sys
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAGES = 1 + 4 + 4 * 4 + 4 * 6 + 3 + 3 + 4 * 2 + 1 + 3 + 1   # corpus, teachers, labelings, students, madmom, baselines, MERT-P/F, realset, realmusic, report


def repo_copy(dst):
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        (dst / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dst / f)
    (dst / 'dvc.lock').unlink(missing_ok=True)
    subprocess.run(['git', 'init', '-q'], cwd=dst, check=True)
    return dst


def run(cmd, cwd):
    "Run `cmd` in `cwd` with this environment's tools; notebook stages get warm kernels (scripts/warm_kernel.py)."
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", MIRREPRO_WARM_KERNELS='1')
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def set_params(repo, edit):
    p = yaml.safe_load((repo / 'params.yaml').read_text()); edit(p)
    (repo / 'params.yaml').write_text(yaml.safe_dump(p, sort_keys=False))
