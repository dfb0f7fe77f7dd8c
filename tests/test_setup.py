"""The set-up: its libsox check gives the same answer every time (it once said "missing" one run in three); the package
declares what `import mirrepro` needs and its wheel and sdist install without the extras; the lock pins every package of
the environment with hashes."""
import os, stat, subprocess, sys
from pathlib import Path
import pytest

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


def _declared(root: Path) -> tuple[set, dict]:
    "The distributions settings.ini's `requirements` names, and its extras as {extra: distributions}."
    import re
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=['=']); cfg.read(root / 'settings.ini')
    dist = lambda r: _norm(re.split(r'[<>=!~;\[ ]', r)[0])
    extras = {}
    for e in cfg['DEFAULT']['extras'].split():
        name, req = e.split(':', 1); extras.setdefault(name, set()).add(dist(req))
    return {dist(r) for r in cfg['DEFAULT']['requirements'].split()}, extras


def test_the_package_declares_every_library_its_modules_import():
    """`pip install .` brings what `import mirrepro` needs: every third-party module that mirrepro's source imports (at the
    top or inside a function) belongs to a distribution named in settings.ini's `requirements`, and every module it
    imports through `core.need(module, extra, …)` to one of that extra's. tinysoundfont is the one exception (synthesis
    only; it declares pyaudio, which does not build: README "Environment")."""
    import ast
    from importlib.metadata import packages_distributions
    root = SETUP.parents[1]
    core, extras = _declared(root)
    assert set(extras) == {'mert', 'datasets', 'references', 'synth'}, extras
    imported, needed = set(), set()
    for f in (root / 'mirrepro').glob('*.py'):
        for n in ast.walk(ast.parse(f.read_text())):
            if isinstance(n, ast.Import): imported |= {a.name.split('.')[0] for a in n.names}
            elif isinstance(n, ast.ImportFrom) and not n.level and n.module: imported.add(n.module.split('.')[0])
            elif isinstance(n, ast.Call) and getattr(n.func, 'id', None) == 'need' and len(n.args) >= 2:
                needed.add((n.args[0].value.split('.')[0] if isinstance(n.args[0], ast.Constant) else None, n.args[1].value))
    dists = packages_distributions()
    of = lambda m: {_norm(d) for d in dists.get(m, [m])}
    third = sorted(m for m in imported if m not in sys.stdlib_module_names and m != 'mirrepro')
    optional = {m for m, _ in needed}                                    # asked for through need(): an extra's
    missing = [m for m in third if m != 'tinysoundfont' and m not in optional and not of(m) & core]
    assert 'torch' in third and 'yaml' in third
    assert missing == [], f"imported by mirrepro but not in settings.ini requirements: {missing}"
    assert {e for _, e in needed} == set(extras), needed                 # every extra is asked for somewhere
    wrong = [(m, e) for m, e in needed if m is None or not of(m) & extras[e]]
    assert wrong == [], f"need(module, extra) where settings.ini's extra does not hold the module: {wrong}"


@pytest.mark.slow
def test_the_wheel_and_the_sdist_install_in_a_clean_venv_without_the_extras(tmp_path):
    """Both build (uv build), and each installs into a fresh venv with the core requirements only (from uv's cache, at the
    lock's versions): `import mirrepro`, `mirrepro.predict` and the training module work, the extras are absent, and the
    MERT baselines say which extra to install."""
    root = SETUP.parents[1]
    uv = [str(Path(sys.executable).parent / 'uv')]
    r = subprocess.run(uv + ['build', '--offline', '--no-build-isolation', '--python', sys.executable, '--out-dir', str(tmp_path / 'dist'), str(root)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    built = sorted(p.name for p in (tmp_path / 'dist').iterdir() if p.suffix in ('.whl', '.gz'))
    assert len(built) == 2, built
    check = ("import importlib.util as u, mirrepro, mirrepro.train, mirrepro.mert\n"
             "assert mirrepro.predict.__module__ == 'mirrepro.inference'\n"
             "absent = [m for m in ('transformers', 'mirdata', 'librosa', 'pretty_midi') if u.find_spec(m) is None]\n"
             "assert absent == ['transformers', 'mirdata', 'librosa', 'pretty_midi'], absent\n"
             "try: mirrepro.mert._transformers()\n"
             "except ImportError as e: assert \"pip install 'mirrepro[mert]'\" in str(e), e\n"
             "else: raise AssertionError('no ImportError')\n")
    for name in built:
        venv = tmp_path / f'venv-{name.rsplit(".", 1)[-1]}'
        r = subprocess.run(uv + ['venv', '-q', str(venv), '--python', sys.executable], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]
        # not --offline: `make test`'s `uv pip sync` installs from the lock without resolving, so uv's cache holds the wheels
        # but not always their metadata, which resolving needs (torch's was absent on one fresh machine: "needs to be
        # downloaded from a registry"); uv fetches just that, and takes the wheels from its cache
        r = subprocess.run(uv + ['pip', 'install', '-q', '--python', str(venv / 'bin/python'), '-c', str(root / 'requirements.txt'),
                                 str(tmp_path / 'dist' / name)], capture_output=True, text=True)
        assert r.returncode == 0, (name, r.stderr[-3000:])
        r = subprocess.run([str(venv / 'bin/python'), '-c', check], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode == 0, (name, r.stderr[-3000:])


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
    # the environment's own site-packages: once anything has imported setuptools (torch.compile does), sys.path also holds
    # setuptools/_vendor, whose vendored packaging, wheel and platformdirs would otherwise stand in for the installed ones
    import sysconfig
    installed = {_norm(d.metadata['Name']): d.version for d in distributions(path=sorted({sysconfig.get_paths()[k] for k in ('purelib', 'platlib')}))}
    assert {k: (v, installed.get(k)) for k, v in pins.items() if installed.get(k) != v} == {}      # what set-up installed
    assert {'torch', 'dvc', 'nbdev', 'tinysoundfont', 'uv', 'pip'} <= set(pins) and 'pyaudio' not in pins
