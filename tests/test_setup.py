"""The set-up: its libsox check gives the same answer every time (it once said "missing" one run in three); the package
declares what `import mirrepro` needs; the lock pins every package of the environment with hashes."""
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


def _norm(name: str) -> str:
    import re
    return re.sub(r'[-_.]+', '-', name).lower()


def test_the_package_declares_every_library_its_modules_import():
    """`pip install .` brings what `import mirrepro` needs: every third-party module that mirrepro's source imports (at the
    top or inside a function) belongs to a distribution named in settings.ini's `requirements`, which setup.py installs.
    tinysoundfont is the one exception (synthesis only; it declares pyaudio, which does not build: README "Environment")."""
    import ast, re, sys
    from configparser import ConfigParser
    from importlib.metadata import packages_distributions
    root = SETUP.parents[1]
    cfg = ConfigParser(delimiters=['=']); cfg.read(root / 'settings.ini')
    declared = {_norm(re.split(r'[<>=!~;\[ ]', r)[0]) for r in cfg['DEFAULT']['requirements'].split()}
    imported = set()
    for f in (root / 'mirrepro').glob('*.py'):
        for n in ast.walk(ast.parse(f.read_text())):
            if isinstance(n, ast.Import): imported |= {a.name.split('.')[0] for a in n.names}
            elif isinstance(n, ast.ImportFrom) and not n.level and n.module: imported.add(n.module.split('.')[0])
    third = sorted(m for m in imported if m not in sys.stdlib_module_names and m != 'mirrepro')
    dists = packages_distributions()
    missing = [m for m in third if m != 'tinysoundfont' and not {_norm(d) for d in dists.get(m, [m])} & declared]
    assert 'torch' in third and 'yaml' in third
    assert missing == [], f"imported by mirrepro but not in settings.ini requirements: {missing}"
    assert 'install_requires=cfg[\'requirements\'].split()' in (root / 'setup.py').read_text()


def test_the_lock_pins_every_installed_package_with_hashes():
    """requirements.txt is uv's lock of requirements.in: each entry is `name==version` with at least one sha256, and it
    is what this environment holds: each locked package installed at its locked version."""
    import re
    from importlib.metadata import distributions
    root = SETUP.parents[1]
    text = (root / 'requirements.txt').read_text()
    assert 'uv pip compile requirements.in' in text.splitlines()[1]
    entries = re.findall(r'^([A-Za-z0-9_.-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+)', text, re.M)
    pins = {_norm(n): v for n, v, _ in entries}
    assert len(entries) == len([l for l in text.splitlines() if re.match(r'^[A-Za-z0-9]', l)]) > 100
    installed = {_norm(d.metadata['Name']): d.version for d in distributions()}
    assert {k: (v, installed.get(k)) for k, v in pins.items() if installed.get(k) != v} == {}      # what set-up installed
    assert {'torch', 'dvc', 'nbdev', 'tinysoundfont', 'uv', 'pip'} <= set(pins) and 'pyaudio' not in pins
