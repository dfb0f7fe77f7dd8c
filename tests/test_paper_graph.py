"""The `paper` profile's own graph, end to end to Table 3, on miniature replicas of every dataset it names (tests/replicas.py):
the manifests built with the README's `mirrepro manifest` commands, the same dvc.yaml and split logic (validation sampling,
test removal, D1 from other tasks' songs, pools), only the presets and the steps made tiny so that it runs on the CPU."""
import csv, json, os
from pathlib import Path
import numpy as np
import pytest

import replicas
from helpers import repo_copy, run, set_params

TASKS = ('downbeat', 'chord', 'key', 'structure')

# In `make test`: one xdist worker builds it while the other builds the smoke study (tests/conftest.py).


def tiny_paper(p):
    "The paper profile as it is, but CPU-sized: the cpu presets, two steps, one process, validation samples the replicas can give."
    p['profile'] = 'paper'
    pp = p['paper']
    lab = pp['data']['labeled']
    lab['downbeat']['valid'] = [dict(lab['downbeat']['valid'][0], sample=1)]     # 74 HarmonixSet songs -> 1
    lab['chord']['valid'] = [dict(lab['chord']['valid'][0], sample=1)]           # 2000 HookTheory test songs -> 1
    lab['key']['valid'] = [dict(lab['key']['valid'][0], sample=1)]
    lab['structure']['valid'] = [dict(lab['structure']['valid'][0], sample=2)]   # 200 random pieces -> 2
    pp['run'] = {'nproc': 1, 'device': 'cpu'}
    pp['label'] = {'shard_tracks': 4, 'dtype': 'uint8', 'batch_size': 2}
    pp['baselines'] = {'mert': None}
    pp['train']['common'].update(size='cpu', batch_size=2, steps_per_epoch=2, max_epochs=1, patience=1, workers=0, cache_songs=8,
                                 bf16=False, compile=False)


@pytest.fixture(scope='module')
def paper(tmp_path_factory):
    "A repository copy whose data/real holds manifests of the replicas, after `dvc repro` on the tiny paper profile."
    tmp = tmp_path_factory.mktemp('paper')
    repo = repo_copy(tmp / 'repo')
    from mirrepro.cli import main
    here = os.getcwd(); os.chdir(repo)          # the README's commands, run in one process (each would import torch again)
    try:
        for cmd in replicas.build(tmp / 'datasets'):
            with pytest.raises(SystemExit) as done: main(cmd)
            assert done.value.code == 0, cmd
    finally: os.chdir(here)
    set_params(repo, tiny_paper)
    r = run(['dvc', 'repro'], repo)
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    return repo


def test_every_dataset_of_the_paper_profile_reaches_a_manifest(paper):
    "Every manifest that params.yaml's paper profile names was built from its replica, and every track's files exist."
    from mirrepro.annotations import read_manifest
    from mirrepro.study import load_profile, paper_splits
    p = load_profile(paper / 'params.yaml')
    each = lambda e: [e] if isinstance(e, str) else e['manifest'] if isinstance(e['manifest'], list) else [e['manifest']]
    names = {Path(m).name for t in TASKS for s in ('train', 'valid', 'test') for e in p['data']['labeled'][t][s] for m in each(e)}
    names |= {Path(m).name for k in ('pool_a', 'pool_b') for m in p['data'][k]}
    assert len(names) == 18
    for n in names: assert read_manifest(paper / 'data/real' / n, check_files=True), n
    # HookTheory: a track per video; the clip with no alignment was skipped, the others merged
    ht = read_manifest(paper / 'data/real/hooktheory_train.jsonl')
    assert [len(t.meta['clips']) for t in ht] == [2, 2]


def test_table1_counts_what_the_replicas_hold(paper):
    "The corpus stage's Table 1: beats-only datasets kept with downbeats masked, modal and X keys skipped, SALAMI's functions read."
    rows = {(r['dataset'], r['task'], r['split']): r for r in csv.DictReader((paper / 'outputs/paper/corpus/table1.csv').open())}
    n_beats = lambda folder, pat: sum(len(f.read_text().split('\n')) - 1 for f in sorted(folder.glob(pat)))
    datasets = paper.parent / 'datasets'                     # beside the repository copy (the `paper` fixture)
    for ds, pat in (('smc', 'smc/SMC_MIREX_Annotations_05_08_2014/*.txt'), ('simac', 'simac/S_1.0/annotations/beats/*.beats')):
        r = rows[ds, 'downbeat', 'train']
        assert int(r['labels_kept']) == int(r['labels_masked']) == n_beats(datasets, pat) > 0, r
        assert 'beats without bar positions' in r['reasons'] and r['tracks'] == '2'
    k = rows['beatles', 'key', 'train']
    assert (k['tracks'], k['tracks_skipped']) == ('1', '2') and "mixolydian" in k['reasons'] and "'X'" in k['reasons']
    assert rows['billboard', 'key', 'train']['tracks'] == '2'                 # a key read from each tonic and its chords
    # Billboard's copy of a Beatles song (structure's test set) is found by its audio and kept out of structure's training and validation
    copies = [r for (d, t, s), r in rows.items() if (d, t) == ('billboard', 'structure') and 'same recording as' in r['reasons']]
    assert len(copies) == 1 and copies[0]['tracks_skipped'] == '1', copies
    # structure's validation songs are drawn from four datasets: count SALAMI and RWC over both splits
    of = lambda ds, col: sum(int(r[col]) for (d, t, _), r in rows.items() if (d, t) == (ds, 'structure'))
    reasons = ' '.join(r['reasons'] for (d, t, _), r in rows.items() if (d, t) == ('salami', 'structure'))
    assert of('salami', 'labels_kept') > 0 and sum(int(x) for x in __import__('re').findall(r"no function for 'no_function': (\d+)", reasons)) == 3
    assert of('rwc_popular', 'labels_kept') > 0 and of('rwc_popular', 'labels_masked') == 0     # 'verse A' is a verse
    assert all(float(r['hours']) > 0 for r in rows.values() if r['tracks'] != '0'), [r for r in rows.values() if not float(r['hours'])]
    assert rows['gtzan_genre', 'downbeat', 'test']['tracks'] == '2' and rows['pool_a', '(unlabeled)', 'pool_a']['tracks'] == '2'


def test_the_paper_graph_ends_in_table3_on_the_real_test_sets(paper):
    out = paper / 'outputs/paper'
    t3 = {r['task']: r for r in csv.DictReader((out / 'reports/table3.csv').open())}
    assert set(t3) == set(TASKS)
    assert {t: t3[t]['paper: test set'] for t in TASKS} == {'downbeat': 'GTZAN', 'chord': 'JayChou', 'key': 'GiantSteps', 'structure': 'Isophonics'}
    for t in TASKS:
        m = json.loads((out / f'metrics/{t}/r1.json').read_text())
        assert 0 <= m['test'] <= 1 and m['n_test'] == (3 if t == 'structure' else 2), (t, m)
    # the test songs are the named test sets, and none of them trained anything
    from mirrepro.annotations import read_manifest
    man = out / 'corpus/manifests'
    for t in TASKS:
        test = {x.recording for x in read_manifest(man / f'{t}_test.jsonl')}
        others = {x.recording for name in ('train', 'valid', 'D3') for x in read_manifest(man / f'{t}_{name}.jsonl')}
        assert test and not test & others, t                     # by recording: no copy under another path either
    # what the report says (its outputs, not its code, which holds both sentences) names the real test sets
    cells = json.loads((out / 'reports/notebooks/report.ipynb').read_text())['cells']
    said = ''.join(''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', '')) for c in cells for o in c.get('outputs', []))
    assert 'synthetic test songs' not in said and 'gtzan_genre.jsonl' in said, said[:2000]
