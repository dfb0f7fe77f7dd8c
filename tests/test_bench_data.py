"""bench/data.py cannot rot: its quick mode reads every format through the code that training uses, and every chunk it
reads is the same samples as the whole file decoded and cut (the bench prints the largest difference)."""
import subprocess, sys
from pathlib import Path

BENCH = Path(__file__).parents[1] / 'bench' / 'data.py'


def test_quick_mode_reads_every_format_as_the_whole_decode():
    r = subprocess.run([sys.executable, str(BENCH), '--quick'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [l.split() for l in r.stdout.splitlines() if l.startswith('downbeat')]
    formats = [' '.join(x[2:6]) for x in rows]
    assert formats == ['WAV 44.1 kHz stereo', 'FLAC 44.1 kHz stereo', 'FLAC 16 kHz mono', 'MP3 44.1 kHz stereo', 'OGG 44.1 kHz stereo'], r.stdout
    for x in rows:
        before, after, example, diff = float(x[6]), float(x[7]), float(x[9]), float(x[12])
        assert before > 0 and after > 0 and example > 0, x
        assert diff < 1e-5, x                                   # a chunk read alone = the same samples of the whole decode
        assert float(x[11]) < float(x[10]), x                  # a chunk allocates less than the whole song
