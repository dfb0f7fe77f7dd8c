import pytest
"""The scaling study as DVC runs it: the whole smoke profile, what reruns after a change, the paper profile
checked without running it, a DVC remote, and the paper profile's data stage on real-dataset manifests."""
import json, re, math, os, shutil, subprocess, sys, zlib
from pathlib import Path
import numpy as np
import yaml

from helpers import ROOT, BIN, STAGES, repo_copy, run, set_params


def test_smoke_study_writes_every_metric_figure_and_notebook(smoke):
    files = [f for f in (smoke / 'outputs/smoke/metrics').glob('*/*.json') if not f.stem.endswith('-history') and f.parent.name not in ('timing', 'realmusic')]
    skipped = [f for f in files if json.loads(f.read_text()).get('skipped')]       # MERT-P/F: off in the smoke profile
    assert len(files) == 4 * 7 + 3 + 3 + 4 * 2 and sorted(f.stem for f in skipped) == sorted(['mert_f', 'mert_p'] * 4)
    for f in sorted(set(files) - set(skipped)):
        m = json.loads(f.read_text())
        assert math.isfinite(m['test']) and 0 <= m['test'] <= 1, f
        assert len(m['per_track']) == m['n_test'] == 2 and np.isclose(np.mean(list(m['per_track'].values())), m['test']), f
    # the real-music set (4 test songs stand in for it in the smoke profile): every run and baseline scored against madmom's labels
    for task in ('downbeat', 'chord', 'key'):
        m = json.loads((smoke / f'outputs/smoke/metrics/realmusic/{task}.json').read_text())
        assert set(m['runs']) == {'r1', 'r2-D1', 'r2-D2', 'r2-D3', 'r3-D1', 'r3-D2', 'r3-D3'} | ({'baseline'} if task != 'downbeat' else set())
        assert m['missing'] == [], task              # a whole repro: no run left out as unfinished
        assert all(len(r['per_track']) == m['n_tracks'] == 4 and 0 <= r['mean'] <= 1 for r in m['runs'].values()), task
    assert 'real: best student' in (smoke / 'outputs/smoke/reports/table3.csv').read_text().splitlines()[0]
    assert 'real music (agreement with madmom)' in (smoke / 'outputs/smoke/reports/comparisons.csv').read_text()
    assert (smoke / 'outputs/smoke/reports/figure2-real.png').stat().st_size > 10_000
    # every stage but the report recorded its wall time
    assert len(list((smoke / 'outputs/smoke/metrics/timing').glob('*.json'))) == STAGES - 1
    assert 'student vs its teacher' in (smoke / 'outputs/smoke/reports/comparisons.csv').read_text()
    assert (smoke / 'outputs/smoke/reports/figure2.png').stat().st_size > 10_000
    t3 = (smoke / 'outputs/smoke/reports/table3.csv').read_text().splitlines()
    assert len(t3) == 5 and 'paper: proposed' in t3[0]
    assert len(list((smoke / 'outputs/smoke/reports/notebooks').glob('*.ipynb'))) == STAGES
    # the executed notebooks are the documentation: their plots are in them
    images = lambda nb: sum('image/png' in o.get('data', {}) for c in json.loads(nb.read_text())['cells'] for o in c.get('outputs', []))
    for nb in (smoke / 'outputs/smoke/reports/notebooks').glob('*.ipynb'):
        want = 3 if nb.name.startswith('train-') else 0 if nb.name.startswith('mert-') else 1   # training: the curve and two songs; MERT: off here
        assert images(nb) >= want, (nb.name, images(nb))
    r = run(['dvc', 'metrics', 'show', '--json'], smoke)
    assert r.returncode == 0 and 'outputs/smoke/metrics/structure/r3-D3.json' in r.stdout
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
    must be the pipeline of dvc.yaml: the check passes on the lock the smoke study wrote, and it finds each way a lock
    can be stale, made from that lock (another command, a stage gone, a stage dvc.yaml no longer has)."""
    assert lock_mismatches(smoke) == []
    stale = repo_copy(tmp_path / 'stale')
    set_params(stale, lambda p: p.update(profile='smoke'))
    lock = yaml.safe_load((smoke / 'dvc.lock').read_text())
    lock['stages']['corpus']['cmd'] += ' -p seed 1'
    del lock['stages']['report']
    lock['stages']['old@stage'] = {'cmd': 'true'}
    (stale / 'dvc.lock').write_text(yaml.safe_dump(lock))
    assert sorted(lock_mismatches(stale)) == ['another command: corpus', 'missing from the lock: report', 'not a stage: old@stage']
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
        set_params(smoke, lambda p: p['smoke']['train']['key']['all'].update(lr=0.005))       # every key model, MERT's included
        assert changed() == {'teacher@key', 'mert@key-mert_p', 'mert@key-mert_f'} | {f'student@key-st{i}' for i in range(6)}
    finally:
        (smoke / 'params.yaml').write_text(before)


def test_paper_profile_dry_run_lists_the_whole_graph(smoke):
    before = (smoke / 'params.yaml').read_text()
    set_params(smoke, lambda p: p.update(profile='paper'))
    try:
        r = run(['dvc', 'dag'], smoke)
        assert r.returncode == 0, r.stderr[-3000:]
        from dvc.repo import Repo
        with Repo(str(smoke)) as repo:
            cmds = {st.name: st.cmd for st in repo.index.stages}
            outs = [str(o.def_path) for st in repo.index.stages for o in st.outs]
        assert len(cmds) == STAGES and 'student@structure-st5' in cmds
        # every output of the paper profile is its own: switching profiles overwrites none of the smoke study's files
        assert outs and all(o.startswith('outputs/paper/') for o in outs), [o for o in outs if not o.startswith('outputs/paper/')]
        assert all('-p profile paper' in c and ' outputs/paper/reports/notebooks/' in c for c in cmds.values())
    finally:
        (smoke / 'params.yaml').write_text(before)
    sys.path.insert(0, str(ROOT))
    from mirrepro.study import load_profile
    from mirrepro.runs import check_profile
    rows = check_profile(load_profile(smoke / 'params.yaml', 'paper'), read_data=False)
    assert len(rows) == 4 * 7 and max(r['params'] for r in rows) > 40e6


def test_outputs_go_to_a_local_dvc_remote_and_come_back(smoke, tmp_path):
    assert run(['dvc', 'remote', 'add', '-d', 'local', str(tmp_path / 'remote')], smoke).returncode == 0
    r = run(['dvc', 'push'], smoke)
    assert r.returncode == 0, r.stderr[-2000:]
    best = smoke / 'outputs/smoke/models/chord/r2-D1/best.pt'
    want = best.read_bytes()
    shutil.rmtree(smoke / 'outputs/smoke/models/chord'); shutil.rmtree(smoke / '.dvc/cache')
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
    tracks = read_manifest(other / 'outputs/smoke/corpus/manifests/chord_train.jsonl', check_files=True)
    assert tracks and all(other in t.audio.parents for t in tracks)


def test_unknown_key_is_rejected_before_any_work(tmp_path):
    repo = repo_copy(tmp_path / 'repo')
    set_params(repo, lambda p: (p.update(profile='smoke'), p['smoke']['data']['corpus'].update(pool_c=5)))
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode != 0
    assert "smoke.data.corpus: unknown key(s) ['pool_c']" in r.stdout + r.stderr
    assert not (repo / 'outputs/smoke/corpus/audio').exists()


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
            write_audio(audio, np.random.default_rng([i, zlib.crc32(stem.encode())]).normal(0, 0.1, 16000))   # each its own recording
            ann = {}
            for t in sorted(tasks):
                sfx, text = files[t]
                if (stem, t) == ('smc', 'downbeat'): text = "0.5\n1.0\n"                  # SMC: beats without bar positions
                if (stem, t, i) == ('beatles', 'key', 1): text = "D mixolydian\n"        # an Isophonics modal key
                (real / stem / f'{i}.{sfx}').write_text(text); ann[t] = real / stem / f'{i}.{sfx}'
            tracks.append(Track(f'{stem}_{i}', audio, None, 'train', ann))          # as `mirrepro manifest` writes them: no duration
        write_manifest(repo / rel, tracks)
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    m = repo / 'outputs/paper/corpus/manifests'
    # Table 1: the modal key skipped with its reason, SMC's beats kept with their downbeats masked, every song's hours read from its audio
    t1 = {(r['dataset'], r['task'], r['split']): r for r in __import__('csv').DictReader((repo / 'outputs/paper/corpus/table1.csv').open())}
    assert (t1['beatles', 'key', 'train']['tracks'], t1['beatles', 'key', 'train']['tracks_skipped']) == ('1', '1')
    assert 'mixolydian' in t1['beatles', 'key', 'train']['reasons']
    assert (t1['smc', 'downbeat', 'train']['labels_kept'], t1['smc', 'downbeat', 'train']['labels_masked']) == ('4', '4')
    assert np.isclose(float(t1['smc', 'downbeat', 'train']['hours']), 2 / 3600)
    assert 'beatles_1' not in {t.track_id for t in read_manifest(m / 'key_train.jsonl')}
    assert all(t.duration == 1.0 for t in read_manifest(m / 'key_D3.jsonl'))
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


def test_the_corpus_takes_real_pools_from_debian_packages(tmp_path):
    """With `data.pools.source: debian` the corpus stage makes pools A and B of excerpts of real recordings (here two small
    packages built with dpkg-deb, as .deb paths relative to params.yaml): no synthetic pool songs, D2 = D1 + A and
    D3 = D2 + B, each excerpt's package, licence and source checksum in pools.csv and Table 1, the cache outside the outputs."""
    import csv
    from mirrepro.annotations import read_manifest
    from mirrepro.realmusic import example_deb
    repo = repo_copy(tmp_path / 'repo')
    for name in ('mirrepro-test-a', 'mirrepro-test-b'): example_deb(name, repo / 'debs', seconds=30.0)
    set_params(repo, lambda p: (p.update(profile='smoke'), p['smoke']['data'].update(pools=dict(
        source='debian', seconds=12, cache='cache/debian', packages=dict(pool_a=['debs/mirrepro-test-a.deb'], pool_b=['debs/mirrepro-test-b.deb'])))))
    r = run(['dvc', 'repro', 'corpus'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    c = repo / 'outputs/smoke/corpus'
    ids = lambda name: [t.track_id for t in read_manifest(c / 'manifests' / f'{name}.jsonl')]
    a, b = ids('pool_a'), ids('pool_b')
    assert a == ['mirrepro-test-a/0music.pk3.d/music/theme', 'mirrepro-test-a/music/song_one'] and len(b) == 2
    for task in ('downbeat', 'key'):
        assert ids(f'{task}_D2') == ids(f'{task}_D1') + a and ids(f'{task}_D3') == ids(f'{task}_D2') + b
        assert all(t.duration == 12.0 for t in read_manifest(c / 'manifests' / f'{task}_D3.jsonl')[-4:])
    assert not list((c / 'audio').glob('pool_*'))                      # no synthetic pool songs were made
    rows = list(csv.DictReader((c / 'pools.csv').open()))
    assert {(r['pool'], r['package'], r['licence']) for r in rows} == {('pool_a', 'mirrepro-test-a', 'CC-BY-SA-3.0'),
                                                                       ('pool_b', 'mirrepro-test-b', 'CC-BY-SA-3.0')}
    assert all(len(r['sha256']) == 64 for r in rows)
    t1 = {(r['dataset'], r['split']): r['tracks'] for r in csv.DictReader((c / 'table1.csv').open()) if r['task'] == '(unlabeled)'}
    assert t1 == {('mirrepro-test-a', 'pool_a'): '2', ('mirrepro-test-b', 'pool_b'): '2'}
    assert list((repo / 'cache/debian/excerpts').rglob('*.flac')) and not (c / 'pools/pool_a/unpacked').exists()


@pytest.mark.slow
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
    history = repo / 'outputs/smoke/models/chord/r1/history.json'
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
    assert 'starting it afresh' not in (repo / 'outputs/smoke/reports/notebooks/train-chord-r1.ipynb').read_text()
    assert 'Data and pipelines are up to date' in run(['dvc', 'status', 'teacher@chord'], repo).stdout


def stage_deps() -> dict:
    "{stage: (its notebook, the mirrepro modules among its deps)} as dvc.yaml writes them (before templating)."
    out = {}
    for name, st in yaml.safe_load((ROOT / 'dvc.yaml').read_text())['stages'].items():
        nb = st['cmd'].split()[1]
        deps = [d if isinstance(d, str) else next(iter(d)) for d in st['deps']]
        assert nb in deps, f"{name}: its notebook {nb} is not among its deps"
        out[name] = (nb, sorted(d for d in deps if d.startswith('mirrepro/')))
    return out


def test_every_stage_depends_on_exactly_the_modules_its_notebook_imports():
    """The closure of `mirrepro` imports of each stage's notebook (mirrepro.provenance) against its deps in dvc.yaml:
    a missing module would let a change go unrerun, a superfluous one reruns (and, for training, retrains) for nothing."""
    from mirrepro.provenance import closure
    deps = stage_deps()
    assert set(deps) == {'corpus', 'teacher', 'label', 'student', 'madmom', 'baseline', 'mert', 'realset', 'realmusic', 'report'}
    for name, (nb, mods) in deps.items():
        want = sorted(f"mirrepro/{m.split('.', 1)[1].replace('.', '/')}.py" for m in closure(ROOT / nb, root=ROOT / 'mirrepro'))
        missing, extra = sorted(set(want) - set(mods)), sorted(set(mods) - set(want))
        assert not missing and not extra, f"dvc.yaml stage {name} ({nb}): missing {missing}, superfluous {extra}"
    # the reporting code is apart from what trains: no training stage depends on it, and the report depends on no training code
    assert 'mirrepro/report.py' not in deps['teacher'][1] and 'mirrepro/train.py' not in deps['report'][1]


def _leaves(d, path=()):
    if isinstance(d, dict):
        for k, v in d.items(): yield from _leaves(v, path + (k,))
    else: yield path


def _unread_keys(params: dict) -> list[str]:
    """The keys of `params` (params.yaml's form) that no code reads: a training setting must be a TrainConfig field that
    mirrepro/train.py reads as an attribute, a corpus setting a CorpusConfig field that mirrepro/synth.py reads (a pools
    setting a PoolsConfig field that mirrepro/realmusic.py reads), the study's
    axes are read by dvc.yaml's templating, and every other key must be named (as a string) by the study's code, that is
    the stage notebooks, mirrepro/study.py and mirrepro/runs.py."""
    import ast, dataclasses
    from mirrepro.train import TrainConfig
    from mirrepro.synth import CorpusConfig
    from mirrepro.realmusic import PoolsConfig
    from mirrepro.study import SHARED_KEYS
    attrs = lambda f: {n.attr for n in ast.walk(ast.parse((ROOT / f).read_text())) if isinstance(n, ast.Attribute)}
    sources = [(ROOT / f).read_text() for f in ('mirrepro/study.py', 'mirrepro/runs.py')]
    sources += ['\n'.join(''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code')
                for nb in (ROOT / 'nbs/study').glob('*.ipynb')]
    strings = {n.value for s in sources for n in ast.walk(ast.parse(s.replace('\n%', '\n#'))) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    dvc = (ROOT / 'dvc.yaml').read_text()
    train_read, corpus_read, pools_read = attrs('mirrepro/train.py'), attrs('mirrepro/synth.py'), attrs('mirrepro/realmusic.py')
    train_fields, corpus_fields = {f.name for f in dataclasses.fields(TrainConfig)}, {f.name for f in dataclasses.fields(CorpusConfig)}
    pools_fields = {f.name for f in dataclasses.fields(PoolsConfig)}
    unread = []
    for top, value in params.items():
        if top in SHARED_KEYS:
            ok = f'${{{top}}}' in dvc or (top == 'profile' and '${profile}' in dvc)
            items = [k for item in (value if isinstance(value, list) else []) if isinstance(item, dict) for k in item]
            unread += [f'{top}[].{k}' for k in sorted(set(items)) if not any(f'${{item.{x}.{k}}}' in dvc for x in ('lab', 'st'))]
            if not ok: unread.append(top)
            continue
        for path in _leaves(value):
            key = path[-1]
            if path[0] == 'train':
                ok = key in train_fields and key in train_read and key not in ('task', 'round')
            elif path[:2] == ('data', 'corpus'):                 # a field, or valid's or test's {task: count}
                ok = path[2] in corpus_fields and path[2] in corpus_read and (len(path) == 3 or (path[2] in ('valid', 'test') and len(path) == 4 and path[3] in params['tasks']))
            elif path[:2] == ('data', 'pools'):
                ok = key in pools_fields and key in pools_read
            elif path[:2] == ('data', 'labeled'):        # {task: {split: entries}}: tasks and splits are read by name, entries below
                ok = path[3] in ('train', 'valid', 'test') and path[2] in params['tasks']
            else:
                ok = all(k in strings for k in path)
            if not ok: unread.append('.'.join((top,) + path))
    return unread


def test_the_reference_stages_are_the_systems_that_exist():
    "params.yaml's madmom_tasks and baseline_tasks (DVC's matrices cannot ask Python) are the study's tasks that have such a system."
    from mirrepro.references import MADMOM_TASKS, BASELINE_TASKS
    params = yaml.safe_load((ROOT / 'params.yaml').read_text())
    assert params['madmom_tasks'] == [t for t in params['tasks'] if t in MADMOM_TASKS]
    assert params['baseline_tasks'] == [t for t in params['tasks'] if t in BASELINE_TASKS]


def test_every_key_of_params_yaml_is_read():
    "Every key of params.yaml is read by some code (_unread_keys); one that nothing reads (as `label.batch_size` was) fails."
    import copy
    params = yaml.safe_load((ROOT / 'params.yaml').read_text())
    assert _unread_keys(params) == [], f"params.yaml keys that no code reads: {_unread_keys(params)}"
    # the walk finds keys that nothing reads, of each kind: a training setting, a corpus setting, a study key
    bad = copy.deepcopy(params)
    bad['cpu']['train']['common']['label_smoothing'] = 0.1
    bad['cpu']['data']['corpus']['reverb'] = 0.3
    bad['cpu']['data']['pools']['mirror'] = 'ftp.debian.org'
    bad['cpu']['label']['frobnicate'] = 1
    assert sorted(_unread_keys(bad)) == ['cpu.data.corpus.reverb', 'cpu.data.pools.mirror', 'cpu.label.frobnicate',
                                         'cpu.train.common.label_smoothing']


def _status(repo) -> set:
    r = run(['dvc', 'status', '--json'], repo)
    assert r.returncode == 0, r.stderr[-2000:]
    return set(json.loads(r.stdout))


def test_an_edit_reruns_what_it_touches_and_retrains_only_for_training_code(smoke, tmp_path):
    """On a copy of the finished smoke study: editing the report module reruns only the report; editing a plot reruns the
    stages whose notebooks draw it (training, reference systems, MERT), and the training stages keep their finished runs; editing the training module
    reruns them, but a comment or docstring keeps every run while a change to the loss retrains every model from scratch (the
    run's identity holds a fingerprint of the training code's syntax tree); a new lock retrains only where it pins another
    version of a package that changes numbers."""
    repo = tmp_path / 'repo'
    shutil.copytree(smoke, repo, symlinks=True)
    training = {f'teacher@{t}' for t in ('downbeat', 'chord', 'key', 'structure')}
    training |= {f'student@{t}-st{i}' for t in ('downbeat', 'chord', 'key', 'structure') for i in range(6)}
    labeling = {f'label@{t}-lab{i}' for t in ('downbeat', 'chord', 'key', 'structure') for i in range(4)}
    out = repo / 'outputs/smoke'
    notebook = out / 'reports/notebooks/train-chord-r1.ipynb'
    best = out / 'models/chord/r1/best.pt'
    append = lambda f, text: f.write_text(f.read_text() + text)

    append(repo / 'mirrepro/report.py', '\n# an edit\n')
    assert _status(repo) == {'report'}

    append(repo / 'mirrepro/plots.py', '\n# an edit\n')              # drawn by the training, reference and MERT notebooks
    mert = {f'mert@{t}-{k}' for t in ('downbeat', 'chord', 'key', 'structure') for k in ('mert_p', 'mert_f')}   # they train too
    references = {f'madmom@{t}' for t in ('downbeat', 'chord', 'key')} | {f'baseline@{t}' for t in ('chord', 'key', 'structure')}
    assert _status(repo) == {'report'} | training | mert | references
    before = best.read_bytes()
    r = run(['dvc', 'repro', '--single-item', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    text = notebook.read_text()
    assert 'finished earlier with the same settings and code; kept' in text and 'starting it afresh' not in text
    assert best.read_bytes() == before

    # a comment and a docstring in the training module: DVC reruns its stages, and they keep their runs (the code is the same);
    # the reference stages still wait for the plot edit (only teacher@chord was reproduced), and the training module is not theirs
    train_py = repo / 'mirrepro/train.py'
    train_py.write_text(train_py.read_text().replace('"Mean over examples of the masked mean', '"The mean over examples of the masked mean') + '\n# an edit\n')
    assert _status(repo) == training | labeling | mert | references | {'report'}
    r = run(['dvc', 'repro', '--single-item', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert 'and code; kept' in notebook.read_text() and best.read_bytes() == before

    # a change to the loss: every model retrains from scratch
    assert train_py.read_text().count('w = (mask > 0).to(ce.dtype)') == 1
    train_py.write_text(train_py.read_text().replace('w = (mask > 0).to(ce.dtype)', 'w = (mask > 0).to(ce.dtype) * 1.0'))
    r = run(['dvc', 'repro', '--single-item', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    text = notebook.read_text()
    assert 'left by a run with other code; starting it afresh' in text and 'and code; kept' not in text
    import torch
    state = torch.load(out / 'models/chord/r1/state.pt', map_location='cpu', weights_only=True)
    from mirrepro.provenance import fingerprint
    assert state['run']['code'] == fingerprint('mirrepro.train', root=repo / 'mirrepro') != fingerprint('mirrepro.train', root=ROOT / 'mirrepro')
    assert [h['epoch'] for h in state['st']['history']] == list(range(len(state['st']['history'])))   # trained from epoch 0

    # a new lock: DVC reruns every training stage; another pin of a package that changes no numbers keeps the runs, another
    # pin of torch retrains (the run's identity holds the lock's pins of those packages; nothing is installed here)
    lock = repo / 'requirements.txt'
    def pin(package, version):
        text = lock.read_text(); old = re.search(rf'^{package}==(\S+)', text, re.M)
        assert old, package
        lock.write_text(text.replace(old.group(0), f'{package}=={version}'))
    pending = _status(repo)                     # the other stages still wait for the loss change; teacher@chord is done
    assert 'teacher@chord' not in pending
    pin('tqdm', '0.0.1')
    assert _status(repo) - pending == {'teacher@chord'}
    before = best.read_bytes()
    r = run(['dvc', 'repro', '--single-item', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert 'and code; kept' in notebook.read_text() and best.read_bytes() == before
    pin('torch', '0.0.1')
    r = run(['dvc', 'repro', '--single-item', 'teacher@chord'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert 'left by a run with other env; starting it afresh' in notebook.read_text()


def test_the_corpus_defaults_are_the_cpu_profiles():
    """CorpusConfig() builds the cpu study's songs: its defaults once said 24/6/10 songs where params.yaml says 48/8/40. Only
    the rendering differs: the cpu profile's banks and mix bus, which a default would fetch 178 MB from Debian's archive for."""
    import dataclasses
    from mirrepro.synth import CorpusConfig
    from mirrepro.realmusic import SOUNDFONTS
    cpu = yaml.safe_load((ROOT / 'params.yaml').read_text())['cpu']['data']['corpus']
    assert dataclasses.asdict(CorpusConfig()) == {**cpu, 'banks': [], 'production': False}
    assert cpu['banks'] and set(cpu['banks']) <= set(SOUNDFONTS) and cpu['production']


def test_a_mert_baseline_runs_in_the_smoke_profile_when_switched_on(smoke, tmp_path):
    """MERT-P and MERT-F on the tiny random stand-in (baselines.mert: stand-in), one task each, then the report: their metrics
    reach Table 3, marked as the stand-in's (not meaningful). A checkpoint folder that is not there stops the stage, naming it."""
    repo = tmp_path / 'repo'
    shutil.copytree(smoke, repo, symlinks=True)
    set_params(repo, lambda p: p['smoke'].update(baselines={'mert': 'stand-in'}))
    for stage in ('mert@chord-mert_p', 'mert@key-mert_f', 'report'):
        r = run(['dvc', 'repro', '--single-item', stage], repo)
        assert r.returncode == 0, (stage, (r.stdout + r.stderr)[-3000:])
    out = repo / 'outputs/smoke'
    m = json.loads((out / 'metrics/chord/mert_p.json').read_text())
    assert 0 <= m['test'] <= 1 and len(m['per_track']) == m['n_test'] == 2 and 'not meaningful' in m['mert_weights']
    t3 = {row['task']: row for row in __import__('csv').DictReader((out / 'reports/table3.csv').open())}
    assert float(t3['chord']['MERT-P']) == m['test'] and float(t3['key']['MERT-F']) == json.loads((out / 'metrics/key/mert_f.json').read_text())['test']
    assert 'not meaningful' in t3['chord']['MERT weights'] and t3['downbeat']['MERT-P'] == '' and t3['chord']['paper: MERT-P'] == '0.723' and t3['key']['paper: MERT-P'] == '0.664'
    set_params(repo, lambda p: p['smoke'].update(baselines={'mert': 'no/such/MERT'}))
    r = run(['dvc', 'repro', '--single-item', 'mert@chord-mert_f'], repo)
    assert r.returncode != 0 and 'no/such/MERT: no such folder' in r.stdout + r.stderr


def test_another_corpus_retrains_the_teacher_on_it(smoke, tmp_path):
    """A run is what it learned from: with another corpus seed, the corpus is rebuilt at the same paths, and the teacher's
    stage must not keep the run trained on the old songs (its identity held the manifests' paths, and it was kept)."""
    repo = tmp_path / 'repo'
    shutil.copytree(smoke, repo, symlinks=True)
    set_params(repo, lambda p: p['smoke']['data']['corpus'].update(seed=1))
    for stage in ('corpus', 'teacher@chord'):
        r = run(['dvc', 'repro', '--single-item', stage], repo)
        assert r.returncode == 0, (stage, (r.stdout + r.stderr)[-3000:])
    text = (repo / 'outputs/smoke/reports/notebooks/train-chord-r1.ipynb').read_text()
    assert 'left by a run with other data; starting it afresh' in text and 'and code; kept' not in text
