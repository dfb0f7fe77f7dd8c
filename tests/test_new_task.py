"""A fifth task, added the way a maintainer would: the song's meter (3/4 or 4/4), a task of an existing annotation
form (one label per song, `tasks.Label`). What it takes is one `TaskSpec` and the model's presets for it (data in
`mirrepro.model`); no other module changes. The task is then read and written as text and JAMS, audited, encoded,
trained, predicted, decoded, scored, evaluated and drawn by the library's own code."""
import re
import numpy as np
import pytest

from mirrepro import model
from mirrepro.tasks import TASKS, TaskSpec, Label, LabelError
from mirrepro.annotations import AnnotationError, Track, read_annotation, read_manifest, write_annotation, write_manifest
from mirrepro.evaluate import evaluate, score
from mirrepro.train import TrainConfig, labeled_targets, train

METERS = ('3/4', '4/4')


def meter_class(label: str):
    "Class of a meter label; another meter (5/4) has no class (masked); anything else cannot be read."
    s = label.strip()
    if s in METERS: return METERS.index(s)
    if re.fullmatch(r'\d+/\d+', s): return None
    raise LabelError(f"cannot parse meter {label!r}")


@pytest.fixture
def meter(monkeypatch):
    "The whole addition: one TaskSpec, and the model's presets for it (the key task's frame grid: one frame per 2 s)."
    spec = TaskSpec('meter', METERS, hop=320, time_pool=100, chunk_frames=10, metric='meter accuracy', transposable=False,
                    form=Label(meter_class, lambda label: f"meter {label!r}: neither 3/4 nor 4/4", noun='meter'),
                    score=lambda ref, est: float(ref == est), suffix='.meter', jams=('tag_open',))
    monkeypatch.setitem(TASKS, 'meter', spec)
    monkeypatch.setitem(model._TASK_FIXED, 'meter', dict(hop=320, pool=(4, 100), res_units=1))
    monkeypatch.setitem(model._CPU_FRONT, 'meter', dict(hop=1600, pool=(1, 20)))
    return spec


def test_a_new_task_reads_writes_audits_encodes_and_scores(meter, tmp_path):
    path = write_annotation(tmp_path / f'song{meter.suffix}', 'meter', '3/4')
    assert path.read_text() == '3/4\n'
    assert read_annotation(path, 'meter') == '3/4'
    (tmp_path / 'bad.meter').write_text('three four\n')
    with pytest.raises(AnnotationError, match=r"bad.meter:1: cannot parse meter 'three four'"):
        read_annotation(tmp_path / 'bad.meter', 'meter')
    audit = meter.audit('5/4')
    assert audit.reasons == {"meter '5/4': neither 3/4 nor 4/4": 1}
    assert audit.skip == "meter '5/4' has neither 3/4 nor 4/4"
    y, boundary = meter.encode('4/4', 5)
    assert boundary is None and y.tolist() == [1] * 5
    targets, mask = labeled_targets('4/4', 'meter', 5)
    assert targets.tolist() == [[0.0, 1.0]] * 5 and mask.tolist() == [1] * 5
    assert meter.decode(np.tile([0.3, 0.7], (5, 1))) == '4/4'
    assert score('meter', '3/4', '4/4') == 0.0 and score('meter', '4/4', '4/4') == 1.0
    # a manifest may name it: its tracks have the task
    write_manifest(tmp_path / 'm.jsonl', [Track('song', tmp_path / 'song.flac', 1.0, 'train', {'meter': path})])
    assert read_manifest(tmp_path / 'm.jsonl')[0].annotation('meter') == '3/4'


@pytest.mark.slow
def test_a_new_task_trains_predicts_and_is_evaluated(meter, tmp_path):
    from mirrepro.synth import song_paths, write_song
    from mirrepro.inference import Predictor, to_jams
    from mirrepro.plots import plot_example
    tracks = []
    for seed in range(4):
        rec = write_song(tmp_path / 'corpus', f's{seed}', seed, 'labeled', length=0.5)
        label = write_annotation(tmp_path / 'corpus' / f's{seed}.meter', 'meter', f"{rec['meter']}/4")
        tracks.append(Track(f's{seed}', song_paths(tmp_path / 'corpus', f's{seed}')['audio'], annotations={'meter': label}))
    train_set, valid_set = (write_manifest(tmp_path / f'{n}.jsonl', ts) for n, ts in (('train', tracks[:3]), ('valid', tracks[3:])))
    cfg = TrainConfig(task='meter', size='cpu', batch_size=2, steps_per_epoch=2, max_epochs=1, workers=0, augment={})
    result = train(cfg, tmp_path / 'run', train_set, valid_set, progress=False)
    assert 0.0 <= result['best_valid'] <= 1.0

    predictor = Predictor(tmp_path / 'run' / 'best.pt')
    prediction = predictor(tracks[3].audio)
    assert predictor.task == 'meter' and prediction.annotation in METERS and prediction.probs.shape[1] == 2
    back = read_annotation(to_jams([prediction], tmp_path / 'out.jams'), 'meter')
    assert back == prediction.annotation
    result = evaluate(predictor.model, valid_set, 'meter', progress=False, keep_outputs=True)
    assert result['metric'] == 'meter accuracy' and result['per_track']['s3'] == float(prediction.annotation == tracks[3].annotation('meter'))
    fig = plot_example(prediction.probs, 'meter', tracks[3].annotation('meter'), prediction.annotation, 'meter')
    assert fig.axes[0].get_xticklabels()[1].get_text() == '4/4'
