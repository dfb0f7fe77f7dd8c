"""The set-up's libsox check gives the same answer every time (it once said "missing" one run in three)."""
import os, stat, subprocess
from pathlib import Path

SETUP = Path(__file__).parents[1] / 'scripts' / 'setup.sh'


def fake_ldconfig(folder: Path, has_sox: bool) -> dict:
    "A PATH whose ldconfig lists 20,000 libraries, libsox (or not) first: the case where an early `grep -q` exit hurt."
    folder.mkdir()
    first = '\tlibsox.so.3 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libsox.so.3' if has_sox else '\tlibz.so.1 => /lib/libz.so.1'
    script = folder / 'ldconfig'
    script.write_text('#!/bin/sh\necho "20001 libs found in cache"\n'
                      f'echo "{first}"\n'
                      'i=0; while [ $i -lt 20000 ]; do echo "\tlibfake$i.so.1 (libc6,x86-64) => /usr/lib/libfake$i.so.1"; i=$((i+1)); done\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return dict(os.environ, PATH=f"{folder}:{os.environ['PATH']}")


def test_libsox_check_is_stable(tmp_path):
    for has_sox in (True, False):
        env = fake_ldconfig(tmp_path / str(has_sox), has_sox)
        codes = {subprocess.run(['bash', str(SETUP), '--check-libsox'], env=env).returncode for _ in range(15)}
        assert codes == ({0} if has_sox else {1}), (has_sox, codes)
