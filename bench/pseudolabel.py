"""Pseudo-labeling throughput and storage on this CPU, beside madmom's downbeat network.

Labels one pool of synthetic songs with every small CPU preset and every round-1 Table 2 preset
(untrained weights: speed does not depend on them), and prints audio hours labelled per hour of wall
time and store bytes per audio hour; then madmom's RNNDownBeatProcessor on the same files.
Usage: python bench/pseudolabel.py [songs]
"""
import sys, tempfile, time
from pathlib import Path
import numpy as np
import torch

from mirrepro.annotations import read_manifest
from mirrepro.audio import load_audio, resample
from mirrepro.model import MIRModel, preset, save_checkpoint
from mirrepro.pseudolabel import label_manifest
from mirrepro.synth import CorpusConfig, build_corpus


def main():
    n_songs = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    torch.set_num_threads(2)
    root = Path(tempfile.mkdtemp())
    manifest = build_corpus(root / 'pool', CorpusConfig(seed=11, train=0, valid=0, test=0, pool_a=n_songs, pool_b=0), progress=False)['pool_a']
    tracks = read_manifest(manifest)
    hours = sum(t.duration for t in tracks) / 3600
    print(f"pool: {n_songs} synthetic songs, {hours * 60:.1f} min of audio; 2 CPU cores")
    print(f"{'teacher':<24} {'params':>8} {'audio h / wall h':>17} {'store bytes / audio h':>22} {'% of 16-bit audio':>18}")
    for task in ('downbeat', 'chord', 'key', 'structure'):
        for rnd, size in ((1, 'cpu'), (2, 'cpu'), (3, 'cpu'), (1, 'paper')):
            model = MIRModel(preset(task, rnd, size))
            ck = save_checkpoint(model, root / f'{task}{rnd}{size}.pt')
            t = time.perf_counter()
            store = label_manifest(ck, manifest, root / f'store-{task}{rnd}{size}', progress=False)
            wall = time.perf_counter() - t
            per_h = store.nbytes() / hours
            print(f"{f'{task} r{rnd} {size}':<24} {sum(p.numel() for p in model.parameters()) / 1e6:>7.2f}M {hours * 3600 / wall:>17.0f} "
                  f"{per_h:>22,.0f} {100 * per_h / (2 * 16000 * 3600):>17.2f}%")

    import onnxruntime; onnxruntime.set_default_logger_severity(3)
    from madmom.audio.signal import Signal
    from madmom.features.downbeats import RNNDownBeatProcessor
    proc = RNNDownBeatProcessor()
    t = time.perf_counter()
    for tr in tracks: proc(Signal(resample(load_audio(tr.audio), 16000, 44100), sample_rate=44100, num_channels=1))
    wall = time.perf_counter() - t
    print(f"{'madmom RNNDownBeat':<24} {'':>8} {hours * 3600 / wall:>17.0f}")


if __name__ == '__main__':
    main()
