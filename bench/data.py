"""The training data path: chunks per second per DataLoader worker, before and after reading only the chunk.

For each task's chunk length (6 s downbeat, 12 s chord, 20 s key, 24.6 s structure) and each format a dataset
ships in (WAV and FLAC at 44.1 kHz stereo, FLAC at 16 kHz mono as the cpu corpus, MP3 and Ogg Vorbis at 44.1 kHz
stereo), what one worker (one thread, as the DataLoader's workers are set up) does per second:
  before   decode the whole song and cut the chunk: what a worker did whenever its song cache missed, that is for
           almost every chunk once the dataset is much larger than `cache_songs` songs
  after    `AudioSource.read`: a seek into WAV/FLAC; MP3 and Ogg read from their decoded, memory-mapped copy
           (decoded once, before timing: the first epoch pays for that once per file)
  example  a whole training example, after: the chunk plus Table 2's round-1 augmentations (pitch shift and the
           audio chain, which the workers run), as `ChunkDataset` makes it
with the numpy memory one read allocates, beside the samples per second that one GPU trains at in
`bench/gpu.py --estimate` (the assumed achieved TFLOP/s over the counted FLOPs of one chunk of the paper's
round-1 preset, the smallest and so the most demanding model) and the workers per GPU that this takes.
It prints one table and asserts nothing about speed; every read is checked against the whole decode.

  python bench/data.py              # 3.5-minute songs
  python bench/data.py --quick      # downbeat only, 20-s songs, short timings (the tests run it)
"""
import argparse, math, os, sys, tempfile, time, tracemalloc
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from gpu import flops_per_chunk                     # noqa: E402  (bench/gpu.py: the cost table's FLOP count)
from mirrepro.audio import SR, AudioSource, load_audio, write_audio   # noqa: E402
from mirrepro.augment import Augment, AugmentConfig  # noqa: E402
from mirrepro.tasks import TASKS                     # noqa: E402

FORMATS = [('wav', 44100, 2), ('flac', 44100, 2), ('flac', SR, 1), ('mp3', 44100, 2), ('ogg', 44100, 2)]


def song(seconds, sr, channels, seed=0):
    "Music-like test audio: a few drifting partials over noise, so that FLAC and MP3 work as hard as on music."
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    x = sum(a * np.sin(2 * np.pi * f * t * (1 + 0.01 * np.sin(0.3 * t))) for a, f in zip(rng.uniform(0.05, 0.15, 6), rng.uniform(80, 2000, 6)))
    x = x + 0.05 * rng.standard_normal(len(t))
    return np.stack([x, np.roll(x, 13)], 1)[:, :channels].squeeze() * 0.8


def rate(fn, min_seconds):
    "Calls per second of `fn` over at least `min_seconds` (at least two calls)."
    n, t0 = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - t0 < min_seconds: fn(); n += 1
    return n / (time.perf_counter() - t0)


def numpy_peak(fn):
    "MiB of numpy buffers at the peak of one call (tracemalloc follows numpy's allocations, not torch's)."
    tracemalloc.start(); fn(); peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
    return peak / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--quick', action='store_true', help="downbeat only, 20-s songs and short timings (the tests run it)")
    ap.add_argument('--seconds', type=float, default=210.0, help="song length (default 3.5 minutes)")
    ap.add_argument('--min-time', type=float, default=2.0, help="seconds of timing per cell")
    ap.add_argument('--tasks', nargs='+', choices=list(TASKS), help="only these tasks (default: all)")
    ap.add_argument('--assume-tflops', type=float, default=300.0, help="achieved TFLOP/s of bench/gpu.py --estimate")
    a = ap.parse_args()
    seconds, min_time = (20.0, 0.05) if a.quick else (a.seconds, a.min_time)
    tasks = {t: TASKS[t] for t in (['downbeat'] if a.quick else a.tasks or TASKS)}
    torch.set_num_threads(1)
    tmp = Path(tempfile.mkdtemp(prefix='mirrepro-bench-data-'))
    os.environ['MIRREPRO_CACHE'] = str(tmp / 'cache')
    files = {}
    for ext, sr, ch in FORMATS:
        f = tmp / f'song-{sr // 1000}k-{ch}ch.{ext}'
        write_audio(f, song(seconds, sr, ch), sr)
        files[f'{ext.upper()} {sr / 1000:g} kHz {"stereo" if ch == 2 else "mono"}'] = f
    print(f"one worker, one thread; {seconds:g}-s songs; GPU rate assumed: {a.assume_tflops:.0f} TFLOP/s achieved (bench/gpu.py --estimate) "
          f"over the FLOPs of one chunk of the paper's round-1 preset")
    print(f"{'task':<10} {'chunk':>6} {'format':<22} {'before/s':>9} {'after/s':>9} {'×':>6} {'example/s':>10} "
          f"{'MiB before':>10} {'MiB after':>9} {'max |diff|':>10} {'GPU samples/s':>13} {'workers before':>14} {'after':>6}")
    for task, spec in tasks.items():
        gpu = a.assume_tflops * 1e12 / flops_per_chunk(task, 1)[0]
        n = spec.chunk_samples
        augment = Augment(AugmentConfig.table2(task, 1), spec)
        targets = torch.zeros(spec.chunk_frames, spec.n_outputs)
        for name, f in files.items():
            src = AudioSource(f)                       # MP3 and Ogg: decoded into the cache here, once
            whole = load_audio(f)
            starts = np.random.default_rng(0).integers(0, max(src.n - n, 1), 64)
            diff = max(float(np.abs(src.read(int(s), n) - whole[s:s + n]).max()) for s in starts[:8])
            it = iter(np.tile(starts, 1000))
            before = rate(lambda: load_audio(f)[(s := next(it)):s + n].copy(), min_time)
            after = rate(lambda: src.read(int(next(it)), n), min_time)
            rng = np.random.default_rng(0)
            example = rate(lambda: augment(torch.from_numpy(src.read(int(next(it)), n)), targets, rng, True), min_time)
            mib_before = numpy_peak(lambda: load_audio(f)[:n].copy())
            mib_after = numpy_peak(lambda: src.read(int(starts[0]), n))
            w_before = math.ceil(gpu / (1 / (1 / before + 1 / example - 1 / after)))   # augmentation's cost on top of the whole decode
            print(f"{task:<10} {spec.chunk_seconds:>5.1f}s {name:<22} {before:>9.2f} {after:>9.1f} {after / before:>6.0f} {example:>10.1f} "
                  f"{mib_before:>10.1f} {mib_after:>9.2f} {diff:>10.1e} {gpu:>13,.0f} {w_before:>14} {math.ceil(gpu / example):>6}")
        print()


if __name__ == '__main__':
    main()
