"""Model speed and memory on this CPU, beside madmom's downbeat network on the same audio.

For every round-1 Table 2 preset and every small CPU preset: whole-song inference (batch 1, `frame_probs`
over a 60 s synthetic song) and a training step (forward + backward on a batch of 4 training chunks), in
seconds of audio per second, with the peak resident memory each run adds. Then `frame_probs` on 1 and 20
minutes of audio (memory must not grow with the song beyond the output), and madmom's
RNNDownBeatProcessor on the same 60 s song. Each measurement runs in its own process.
Usage: python bench/model.py [--quick]
"""
import multiprocessing as mp, resource, sys, time
import numpy as np

BATCH = 4   # training chunks per step


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(kind, task, rnd, size, seconds, q):
    import torch
    torch.set_num_threads(2)
    from mirrepro.audio import resample
    from mirrepro.synth import synthesize
    song, audio44 = synthesize(7, 'labeled', sr=44100)
    audio44 = np.tile(audio44, int(np.ceil(seconds * 44100 / len(audio44))))[: int(seconds * 44100)]
    if kind == 'madmom':
        import onnxruntime; onnxruntime.set_default_logger_severity(3)
        from madmom.audio.signal import Signal
        from madmom.features.downbeats import RNNDownBeatProcessor
        proc = RNNDownBeatProcessor(); sig = Signal(audio44, sample_rate=44100, num_channels=1)
        proc(Signal(audio44[:44100 * 5], sample_rate=44100, num_channels=1))
        base = _rss_mb(); t = time.perf_counter(); proc(sig); dt = time.perf_counter() - t
        return q.put((seconds / dt, _rss_mb() - base))
    from mirrepro.model import MIRModel, preset, frame_probs, n_params
    audio = resample(audio44, 44100, 16000)
    torch.manual_seed(0)
    model = MIRModel(preset(task, rnd, size))
    if kind == 'predict':
        frame_probs(model, audio[:16000 * 5])                       # warm-up
        base = _rss_mb(); t = time.perf_counter(); frame_probs(model, audio); dt = time.perf_counter() - t
        return q.put((seconds / dt, _rss_mb() - base, n_params(model)))
    spec = model.spec
    audio = np.resize(audio, BATCH * spec.chunk_samples)      # the song, repeated as needed
    x = torch.from_numpy(audio.reshape(BATCH, spec.chunk_samples))
    model.train(); model(x[:1]).mean().backward()               # warm-up
    base = _rss_mb(); t = time.perf_counter()
    model(x).logsumexp(-1).mean().backward()
    dt = time.perf_counter() - t
    q.put((BATCH * spec.chunk_seconds / dt, _rss_mb() - base, n_params(model)))


def measure(*args):
    import queue
    ctx = mp.get_context('spawn')
    q = ctx.Queue(); p = ctx.Process(target=_run, args=(*args, q)); p.start()
    while True:
        try: r = q.get(timeout=5); break
        except queue.Empty:
            if not p.is_alive(): raise RuntimeError(f"measurement {args} died with exit code {p.exitcode}")
    p.join()
    return r


if __name__ == '__main__':
    quick = '--quick' in sys.argv
    song_s = 30 if quick else 60
    print(f"one 2-core CPU; audio: a {song_s} s synthetic song; throughput in seconds of audio per second; "
          f"memory = peak RSS added by the run")
    sys.stdout.reconfigure(line_buffering=True)
    print(f"{'model':<26} {'params':>8} {'infer s/s':>10} {'infer MB':>9} {'train s/s':>10} {'train MB':>9}")
    tasks = ['downbeat', 'chord', 'key', 'structure']
    rows = [(t, 1, 'paper') for t in tasks] + [(t, r, 'cpu') for t in tasks for r in (1, 2, 3)]
    if quick: rows = [(t, 1, 'paper') for t in tasks[:1]] + [(t, 1, 'cpu') for t in tasks[:1]]
    for task, rnd, size in rows:
        inf, inf_mb, n = measure('predict', task, rnd, size, song_s)
        tr, tr_mb, _ = measure('train', task, rnd, size, song_s)
        print(f"{f'{task} r{rnd} {size}':<26} {n / 1e6:>7.2f}M {inf:>10.1f} {inf_mb:>9.0f} {tr:>10.1f} {tr_mb:>9.0f}")
    mm, mm_mb = measure('madmom', None, None, None, song_s)
    print(f"{'madmom RNNDownBeat':<26} {'':>8} {mm:>10.1f} {mm_mb:>9.0f} {'':>10} {'':>9}")
    print("\npredict() memory against song length (downbeat r1 paper preset):")
    for minutes in (1, 20):
        s, mb, _ = measure('predict', 'downbeat', 1, 'paper', 60 * minutes)
        print(f"  {minutes:>2} min: {s:6.1f} s/s, peak RSS added {mb:6.0f} MB (the output itself: {60 * minutes * 50 * 3 * 4 / 1e6:.2f} MB)")
