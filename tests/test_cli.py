"""`mirrepro predict` on a folder of mixed files, as a user runs it."""
import subprocess, sys
from pathlib import Path
import numpy as np
import soundfile as sf
import torch

from mirrepro.annotations import SUFFIXES, read_annotation
from mirrepro.audio import SR, resample
from mirrepro.model import MIRModel, preset, save_checkpoint
from mirrepro.synth import synthesize

BIN = Path(sys.executable).parent
TASKS = ('downbeat', 'chord', 'key', 'structure')


def test_predict_folder_writes_every_format_and_reports_failures(tmp_path):
    torch.manual_seed(0)
    args = []
    for t in TASKS:
        save_checkpoint(MIRModel(preset(t, 1, 'cpu')), tmp_path / f'{t}.pt')
        args += ['--task', t, '--checkpoint', str(tmp_path / f'{t}.pt')]
    _, audio = synthesize(3, 'labeled')
    audio = audio[:30 * SR]
    songs = tmp_path / 'songs'; (songs / 'sub').mkdir(parents=True)
    sf.write(songs / 'a.flac', audio, SR)
    sf.write(songs / 'sub' / 'b.ogg', audio, SR, format='OGG', subtype='VORBIS')
    hi = resample(audio, SR, 44100)
    sf.write(songs / 'c.wav', np.stack([hi, 0.5 * hi], axis=1), 44100)          # stereo, 44.1 kHz
    (songs / 'corrupt.mp3').write_bytes(b'ID3' + bytes(range(256)) * 8)
    (songs / 'empty.wav').write_bytes(b'')
    out = tmp_path / 'out'
    r = subprocess.run([str(BIN / 'mirrepro'), 'predict', *args, '--jams', '--out', str(out), str(songs)], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert '3 of 5 files done' in r.stdout and '2 failed' in r.stderr
    assert 'corrupt.mp3' in r.stderr and 'empty.wav' in r.stderr
    for stem in ('a', 'sub/b', 'c'):
        for t in TASKS:
            ann = read_annotation(out / f'{stem}{SUFFIXES[t]}', t)                   # every output reads back in its format
            if t == 'key': assert ann.split()[1] in ('major', 'minor')
            elif t == 'downbeat': assert len(ann[0]) == len(ann[1])
            else: assert ann and ann[-1][1] <= 30.5
        assert read_annotation(out / f'{stem}.jams', 'chord') is not None
    assert not list(out.glob('corrupt*')) and not list(out.glob('empty*'))          # nothing for the failed files
    assert sorted(p.name for p in out.iterdir()) == sorted(['sub'] + [f'{s}{x}' for s in 'ac' for x in [*SUFFIXES.values(), '.jams']])


def test_predict_from_python_on_a_corpus_file(tmp_path):
    import mirrepro
    torch.manual_seed(0)
    save_checkpoint(MIRModel(preset('key', 1, 'cpu')), tmp_path / 'key.pt')
    _, audio = synthesize(4, 'labeled')
    sf.write(tmp_path / 'song.flac', audio, SR)
    p = mirrepro.predict(tmp_path / 'song.flac', 'key', tmp_path / 'key.pt')
    assert p.task == 'key' and p.probs.shape[1] == 25 and np.allclose(p.probs.sum(1), 1, atol=1e-4)
    assert p.annotation == mirrepro.predict(audio, 'key', tmp_path / 'key.pt').annotation


def test_bad_arguments_give_one_line(tmp_path):
    r = subprocess.run([str(BIN / 'mirrepro'), 'predict', '--task', 'chord', '--checkpoint', str(tmp_path / 'nope.pt'),
                        '--out', str(tmp_path), str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and 'nope.pt' in r.stderr and 'Traceback' not in r.stderr
    r = subprocess.run([str(BIN / 'mirrepro'), 'manifest', 'mirdata', 'ballroom', '--out', 'x.jsonl'], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and '--data-home' in r.stderr
    # a missing .deb is named, and no manifest is written
    r = subprocess.run([str(BIN / 'mirrepro'), 'manifest', 'debian', str(tmp_path / 'gone.deb'), '--out', str(tmp_path / 'pool.jsonl')],
                       capture_output=True, text=True)
    assert r.returncode == 2 and 'gone.deb: no such file' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path / 'pool.jsonl').exists()
