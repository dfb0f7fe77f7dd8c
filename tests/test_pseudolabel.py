"""Soft-label runs end to end: killed and resumed, and sharded over two torchrun ranks."""
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pytest
import torch

from mirrepro.annotations import read_manifest
from mirrepro.model import MIRModel, preset, save_checkpoint
from mirrepro.pseudolabel import SoftLabelStore
from mirrepro.synth import CorpusConfig, build_corpus

BIN = Path(sys.executable).parent


@pytest.fixture(scope='module')
def pool(tmp_path_factory):
    root = tmp_path_factory.mktemp('pool')
    paths = build_corpus(root / 'corpus', CorpusConfig(seed=9, train=0, valid=0, test=0, pool_a=8, pool_b=0, workers=2, length=0.5), progress=False)
    torch.manual_seed(0)      # Table 2's chord teacher: slow enough on a CPU (~1 s a track) to be killed mid-run
    save_checkpoint(MIRModel(preset('chord', 1)), root / 'teacher.pt')
    return root, paths['pool_a']


def label_cmd(root, manifest, out, *extra):
    return [str(BIN / 'mirrepro-label'), '--checkpoint', str(root / 'teacher.pt'), '--manifest', str(manifest),
            '--out', str(out), '--shard-tracks', '1', *extra]


def index_lines(out):
    return [json.loads(l) for f in sorted(Path(out).glob('index-r*.jsonl')) for l in f.read_text().splitlines() if l.strip()]


@pytest.mark.slow
def test_killed_run_resumes_without_loss_or_duplicates(pool):
    root, manifest = pool
    out = root / 'killed'
    proc = subprocess.Popen(label_cmd(root, manifest, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(index_lines(out)) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)                      # polling for progress, not timing anything
    assert proc.poll() is None, "the run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL); proc.wait()
    done_before = len(index_lines(out))
    assert 3 <= done_before < 8

    r = subprocess.run(label_cmd(root, manifest, out), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    ids = [e['track_id'] for e in index_lines(out)]
    assert sorted(ids) == sorted(t.track_id for t in read_manifest(manifest)) and len(ids) == len(set(ids))
    store = SoftLabelStore(out)
    for tid in store.track_ids:
        p = store.get(tid)
        assert p.shape[1] == 25 and np.allclose(p.sum(-1), 1, atol=1e-3)
    assert not list(Path(out).glob('.*'))      # no temporary files left behind


@pytest.mark.slow
def test_two_torchrun_ranks_give_the_labels_of_one_process(pool):
    root, manifest = pool
    r = subprocess.run(label_cmd(root, manifest, root / 'one'), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run([str(BIN / 'torchrun'), '--standalone', '--nproc_per_node', '2', *label_cmd(root, manifest, root / 'two')],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert {p.name for p in (root / 'two').glob('index-r*.jsonl')} == {'index-r0.jsonl', 'index-r1.jsonl'}
    one, two = SoftLabelStore(root / 'one'), SoftLabelStore(root / 'two')
    assert one.track_ids == two.track_ids and len(one) == 8
    for tid in one.track_ids:
        assert np.abs(one.get(tid) - two.get(tid)).max() <= 1 / 255 + 1e-6


def test_corrupt_and_empty_files_are_reported_and_the_rest_labelled(pool):
    from mirrepro.annotations import Track, write_manifest
    root, manifest = pool
    (root / 'empty.wav').write_bytes(b'')
    (root / 'corrupt.flac').write_bytes(b'fLaC' + bytes(range(256)) * 8)
    tracks = read_manifest(manifest)[:3] + [Track('empty', root / 'empty.wav'), Track('corrupt', root / 'corrupt.flac')]
    write_manifest(root / 'bad.jsonl', tracks)
    r = subprocess.run(label_cmd(root, root / 'bad.jsonl', root / 'bad-store'), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert '3 tracks labelled' in r.stdout and '2 failed' in r.stdout
    assert 'empty.wav: file is empty' in r.stdout and 'corrupt.flac: cannot decode' in r.stdout
    store = SoftLabelStore(root / 'bad-store')
    assert store.track_ids == sorted(t.track_id for t in tracks[:3]) and set(store.failed) == {'empty', 'corrupt'}


@pytest.mark.parametrize('rank, local_rank', [(0, 0), (5, 3)])
def test_each_rank_labels_on_its_own_gpu(tmp_path, monkeypatch, rank, local_rank):
    """Under torchrun with device='cuda', rank r loads the teacher onto GPU LOCAL_RANK, not all onto GPU 0.
    CUDA is faked: the teacher's loader records where it is asked to map the weights, then stops the run."""
    import mirrepro.pseudolabel as pl
    asked = []

    class Stop(Exception): pass

    def fake_load(checkpoint, map_location=None):
        asked.append(torch.device(map_location)); raise Stop
    monkeypatch.setenv('RANK', str(rank)); monkeypatch.setenv('WORLD_SIZE', '8'); monkeypatch.setenv('LOCAL_RANK', str(local_rank))
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'set_device', lambda d: asked.append(('current', torch.device(d))))
    monkeypatch.setattr(pl, 'load_checkpoint', fake_load)
    with pytest.raises(Stop): pl.label_manifest(tmp_path / 'teacher.pt', tmp_path / 'pool.jsonl', tmp_path / 'soft', device='cuda', progress=False)
    gpu = torch.device('cuda', local_rank)
    assert asked[-1] == gpu and ('current', gpu) in asked, asked


def test_the_profiles_label_batch_size_reaches_the_model(pool, monkeypatch, tmp_path):
    "label.batch_size in params.yaml is the number of windows per forward pass, in one process and under torchrun."
    import mirrepro.pseudolabel as pl, mirrepro.runs as runs
    from mirrepro.annotations import write_manifest
    root, pool_manifest = pool
    manifest = write_manifest(tmp_path / 'two-songs.jsonl', read_manifest(pool_manifest)[:2])     # enough to see the batches
    seen, real = [], pl.frame_probs_many
    def spy(*args, **kw):
        seen.append(kw.get('batch_size')); return real(*args, **kw)
    monkeypatch.setattr(pl, 'frame_probs_many', spy)
    profile = dict(run=dict(nproc=1, device='cpu'), label=dict(shard_tracks=4, dtype='uint8', batch_size=3))
    store = runs.run_labeling(profile, root / 'teacher.pt', manifest, tmp_path / 'one')
    assert len(store) == len(read_manifest(manifest)) and seen and set(seen) == {3}
    # under torchrun: the command line it would launch, run here as one process
    seen.clear()
    monkeypatch.setattr(runs, '_torchrun', lambda nproc, script, args: pl.main(list(map(str, args))))
    store = runs.run_labeling(dict(profile, run=dict(nproc=2, device='cpu')), root / 'teacher.pt', manifest, tmp_path / 'two')
    assert len(store) == len(read_manifest(manifest)) and seen and set(seen) == {3}
