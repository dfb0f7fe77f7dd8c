"""bench/barcues.py cuts labeled songs as the real recordings are cut, and their beats with them: an excerpt's audio is
the song's from the same sample on, and every beat in it keeps its bar position at its time less the cut."""
import importlib.util
from pathlib import Path
import numpy as np
from mirrepro.annotations import Track, write_annotation
from mirrepro.audio import load_audio, write_audio

spec = importlib.util.spec_from_file_location('barcues', Path(__file__).parents[1] / 'bench' / 'barcues.py')
barcues = importlib.util.module_from_spec(spec); spec.loader.exec_module(barcues)


def test_an_excerpt_keeps_its_beats_where_its_audio_has_them(tmp_path):
    sr, seconds = 16000, 36.0
    times = np.arange(0.25, seconds, 0.5); pos = np.arange(len(times)) % 3 + 1   # bars of 3
    audio = np.zeros(int(seconds * sr), np.float32)
    for t, p in zip(times, pos): audio[int(t * sr):int(t * sr) + 160] = 0.8 if p == 1 else 0.3   # a click per beat, louder on 1
    write_audio(tmp_path / 'song.flac', audio, sr)
    ann = write_annotation(tmp_path / 'song.beats', 'downbeat', (times, pos))
    song = Track('set/song', tmp_path / 'song.flac', seconds, 'test', {'downbeat': ann}, {})
    (cut,) = barcues.excerpts_of([song], tmp_path / 'cut', seconds=12.0)
    start = seconds / 3                                                # 12 s from a third of the way in
    assert abs(cut.duration - 12.0) < 1e-3
    ct, cp = cut.annotation('downbeat')
    inside = (times >= start) & (times < start + 12.0)
    assert np.allclose(ct, times[inside] - start, atol=1e-3) and np.array_equal(cp, pos[inside])
    x = load_audio(cut.audio, sr)
    on = np.flatnonzero(np.abs(x) > 0.5) / sr                          # the loud clicks: beat 1 of each bar
    assert len(on) and np.allclose(on[np.r_[True, np.diff(on) > 0.1]], ct[cp == 1], atol=2 / sr)
    assert barcues.excerpts_of([], tmp_path / 'cut')[0].track_id == 'set/song'   # made once, then read back
