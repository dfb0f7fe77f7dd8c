"""The scaling study as DVC runs it: the whole smoke profile, what reruns after a change, the paper profile
checked without running it, a DVC remote, and the paper profile's data stage on real-dataset manifests."""
import json, math, os, shutil, subprocess, sys
from pathlib import Path
import numpy as np
import yaml

from helpers import ROOT, BIN, STAGES, repo_copy, run, set_params


def test_smoke_study_writes_every_metric_figure_and_notebook(smoke):
    files = [f for f in (smoke / 'metrics').glob('*/*.json') if not f.stem.endswith('-history') and f.parent.name != 'timing']
    assert len(files) == 4 * 7 + 3 + 3
    for f in files:
        m = json.loads(f.read_text())
        assert math.isfinite(m['test']) and 0 <= m['test'] <= 1, f
        assert len(m['per_track']) == m['n_test'] == 2 and np.isclose(np.mean(list(m['per_track'].values())), m['test']), f
    # every stage but the report recorded its wall time
    assert len(list((smoke / 'metrics/timing').glob('*.json'))) == STAGES - 1
    assert 'student vs its teacher' in (smoke / 'reports/comparisons.csv').read_text()
    assert (smoke / 'reports/figure2.png').stat().st_size > 10_000
    t3 = (smoke / 'reports/table3.csv').read_text().splitlines()
    assert len(t3) == 5 and 'paper: proposed' in t3[0]
    assert len(list((smoke / 'reports/notebooks').glob('*.ipynb'))) == STAGES
    # the executed notebooks are the documentation: their plots are in them
    images = lambda nb: sum('image/png' in o.get('data', {}) for c in json.loads(nb.read_text())['cells'] for o in c.get('outputs', []))
    for nb in (smoke / 'reports/notebooks').glob('*.ipynb'):
        want = 3 if nb.name.startswith('train-') else 1          # training: the curve and two decoded test songs
        assert images(nb) >= want, (nb.name, images(nb))
    r = run(['dvc', 'metrics', 'show', '--json'], smoke)
    assert r.returncode == 0 and 'metrics/structure/r3-D3.json' in r.stdout
    assert run(['dvc', 'plots', 'show', '--json'], smoke).returncode == 0


def lock_mismatches(repo) -> list[str]:
    "How `repo`'s dvc.lock differs from the pipeline its dvc.yaml and params.yaml define: stages missing, extra, or with another command."
    from dvc.repo import Repo
    with Repo(str(repo)) as r:
        want = {s.name: s.cmd for s in r.index.stages}
    lock = yaml.safe_load((Path(repo) / 'dvc.lock').read_text())['stages']
    return ([f'missing from the lock: {k}' for k in want if k not in lock] + [f'not a stage: {k}' for k in lock if k not in want]
            + [f'another command: {k}' for k in want if k in lock and lock[k]['cmd'] != want[k]])


def test_a_committed_lock_matches_the_pipeline(smoke, tmp_path):
    """dvc.lock is not in git: no cpu run of the current code wrote one (the one committed until now held an older corpus
    command and one stage). A lock that a user commits after `make study`, so that `dvc pull` works on another clone,
    must be the pipeline of dvc.yaml: the check passes on the lock the smoke study wrote and fails on the old one."""
    assert lock_mismatches(smoke) == []
    old = subprocess.run(['git', 'show', '6bb2fff:dvc.lock'], cwd=ROOT, capture_output=True, text=True)
    if old.returncode == 0:                   # in a clone with that history
        stale = repo_copy(tmp_path / 'stale'); (stale / 'dvc.lock').write_text(old.stdout)
        set_params(stale, lambda p: p.update(profile='smoke'))
        assert any(m.startswith('another command: corpus') for m in lock_mismatches(stale))
    if subprocess.run(['git', 'ls-files', '--error-unmatch', 'dvc.lock'], cwd=ROOT, capture_output=True).returncode == 0:
        assert lock_mismatches(ROOT) == []


def test_a_second_repro_does_nothing(smoke):
    r = run(['dvc', 'status'], smoke)
    assert 'Data and pipelines are up to date' in r.stdout, r.stdout


def test_one_task_student_parameter_reruns_only_that_task(smoke):
    before = (smoke / 'params.yaml').read_text()
    changed = lambda: set(json.loads(run(['dvc', 'status', '--json'], smoke).stdout))
    try:
        set_params(smoke, lambda p: p['smoke']['train']['chord']['r3'].update(lr=0.005))      # chord's round-3 students
        assert changed() == {f'student@chord-st{i}' for i in (3, 4, 5)}
        (smoke / 'params.yaml').write_text(before)
        set_params(smoke, lambda p: p['smoke']['train']['key']['all'].update(lr=0.005))       # every key model
        assert changed() == {'teacher@key'} | {f'student@key-st{i}' for i in range(6)}
    finally:
        (smoke / 'params.yaml').write_text(before)


def test_paper_profile_dry_run_lists_the_whole_graph(smoke):
    before = (smoke / 'params.yaml').read_text()
    set_params(smoke, lambda p: p.update(profile='paper'))
    try:
        r = run(['dvc', 'repro', '--dry'], smoke)
        assert r.returncode == 0, r.stderr[-3000:]
        assert r.stdout.count("Running stage") == STAGES and r.stdout.count('-p profile paper') == STAGES
        assert "student@structure-st5" in r.stdout
    finally:
        (smoke / 'params.yaml').write_text(before)
    sys.path.insert(0, str(ROOT))
    from mirrepro.study import load_profile, check_profile
    rows = check_profile(load_profile(smoke / 'params.yaml', 'paper'), read_data=False)
    assert len(rows) == 4 * 7 and max(r['params'] for r in rows) > 40e6


def test_outputs_go_to_a_local_dvc_remote_and_come_back(smoke, tmp_path):
    assert run(['dvc', 'remote', 'add', '-d', 'local', str(tmp_path / 'remote')], smoke).returncode == 0
    r = run(['dvc', 'push'], smoke)
    assert r.returncode == 0, r.stderr[-2000:]
    best = smoke / 'models/chord/r2-D1/best.pt'
    want = best.read_bytes()
    shutil.rmtree(smoke / 'models/chord'); shutil.rmtree(smoke / '.dvc/cache')
    r = run(['dvc', 'pull'], smoke)
    assert r.returncode == 0, r.stderr[-2000:]
    assert best.read_bytes() == want
    # another clone, elsewhere: the pulled corpus's manifests point into that clone
    other = tmp_path / 'other'
    for f in ['dvc.yaml', 'dvc.lock', 'params.yaml', '.dvc/config']:
        (other / f).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(smoke / f, other / f)
    subprocess.run(['git', 'init', '-q'], cwd=other, check=True)
    r = run(['dvc', 'pull', 'corpus'], other)
    assert r.returncode == 0, r.stderr[-2000:]
    from mirrepro.annotations import read_manifest
    tracks = read_manifest(other / 'data/corpus/manifests/chord_train.jsonl', check_files=True)
    assert tracks and all(other in t.audio.parents for t in tracks)


def test_unknown_key_is_rejected_before_any_work(tmp_path):
    repo = repo_copy(tmp_path / 'repo')
    set_params(repo, lambda p: (p.update(profile='smoke'), p['smoke']['data']['corpus'].update(pool_c=5)))
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode != 0
    assert "smoke.data.corpus: unknown key(s) ['pool_c']" in r.stdout + r.stderr
    assert not (repo / 'data/corpus/audio').exists()


def test_paper_profile_assembles_real_dataset_manifests(tmp_path):
    "The paper profile's data stage on tiny fixtures at the paths params.yaml names (samples shrunk to one song)."
    from mirrepro.annotations import Track, write_manifest, read_manifest
    from mirrepro.audio import write_audio
    repo = repo_copy(tmp_path / 'repo')
    params = yaml.safe_load((repo / 'params.yaml').read_text())
    data = params['paper']['data']
    uses = {}                                   # manifest path -> tasks it is named for
    for task, splits in data['labeled'].items():
        for entries in splits.values():
            for e in entries:
                if isinstance(e, dict):
                    e['sample'] = 1
                    paths = e['manifest'] if isinstance(e['manifest'], list) else [e['manifest']]
                else: paths = [e]
                for p in paths: uses.setdefault(p, set()).add(task)
    params['profile'] = 'paper'
    (repo / 'params.yaml').write_text(yaml.safe_dump(params, sort_keys=False))
    files = {'downbeat': ('beats', "0.5 1\n1.0 2\n"), 'chord': ('lab', "0 1 C:maj\n"), 'key': ('key', "C major\n"), 'structure': ('seg', "0 1 verse\n")}
    real = repo / 'data/real'
    for rel, tasks in list(uses.items()) + [(data['pool_a'][0], set()), (data['pool_b'][0], set())]:
        stem = Path(rel).stem; tracks = []
        for i in range(2):
            audio = real / stem / f'{i}.flac'
            write_audio(audio, np.random.default_rng(i).normal(0, 0.1, 16000))
            ann = {}
            for t in sorted(tasks):
                sfx, text = files[t]; (real / stem / f'{i}.{sfx}').write_text(text); ann[t] = real / stem / f'{i}.{sfx}'
            tracks.append(Track(f'{stem}_{i}', audio, 1.0, 'train', ann))
        write_manifest(repo / rel, tracks)
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    m = repo / 'data/corpus/manifests'
    ids = lambda name: {t.track_id for t in read_manifest(m / f'{name}.jsonl')}
    assert ids('structure_test') == {'beatles_0', 'beatles_1'}
    assert not ids('structure_test') & (ids('structure_D3') | ids('structure_train'))          # test songs nowhere else
    assert 'beatles_0' in ids('chord_train') and 'beatles_0' in ids('downbeat_train')           # Isophonics trains other tasks
    assert len(ids('downbeat_valid')) == 1 and not ids('downbeat_valid') & ids('downbeat_train')   # 1 Harmonix song held out
    assert ids('key_D3') >= {'pool_a_0', 'pool_b_1', 'ballroom_0'} and not ids('key_D3') & ids('key_train')
    # a manifest naming a missing file stops the stage, naming the file
    write_manifest(repo / 'data/real/gtzan_genre.jsonl', [Track('gone', real / 'gone.flac', 1.0, 'test', {})])
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode != 0 and 'gone.flac does not exist' in r.stdout + r.stderr


def test_an_interrupted_repro_resumes_the_run_it_was_in(tmp_path):
    "SIGKILL `dvc repro` inside a training stage; the next `dvc repro` continues that run from its last epoch."
    import signal, time
    repo = repo_copy(tmp_path / 'repo')
    def edit(p):
        p['profile'] = 'smoke'
        p['smoke']['train']['chord']['r1'] = dict(steps_per_epoch=6, max_epochs=4, patience=4)
    set_params(repo, edit)
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
    proc = subprocess.Popen(['dvc', 'repro', 'teacher@chord'], cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    history = repo / 'models/chord/r1/history.json'
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline and not (history.exists() and len(json.loads(history.read_text())) >= 1):
        time.sleep(0.1)                         # polling for progress, not timing anything
    assert proc.poll() is None, "the stage finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    before = json.loads(history.read_text())
    assert 1 <= len(before) < 4
    r = run(['dvc', 'repro', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    after = json.loads(history.read_text())
    assert len(after) == 4 and after[:len(before)] == before      # the epochs done before the kill were kept, not redone
    assert 'starting it afresh' not in (repo / 'reports/notebooks/train-chord-r1.ipynb').read_text()
    assert 'Data and pipelines are up to date' in run(['dvc', 'status', 'teacher@chord'], repo).stdout
