#!/usr/bin/env bash
# Create or reuse .venv with the pinned environment of requirements.txt.
# Prints nothing and changes nothing when it is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

# torchaudio-augmentations imports torchaudio.sox_effects, which needs the system's libsox.
# The linker cache is read into a variable first: piping ldconfig into `grep -q` lets grep exit at the first
# match, ldconfig then dies of SIGPIPE, and pipefail turned that into "missing" about one run in three.
have_libsox() {
  local libs
  libs=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)
  grep -q 'libsox\.so' <<<"$libs"
}
if [ "${1:-}" = --check-libsox ]; then have_libsox; exit; fi     # the check alone (tests/test_setup.py)

# Debian packages: installed with apt-get when missing and we are root; otherwise say what to install.
apt_install() {   # apt_install WHAT PACKAGE...
  local what=$1; shift
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's $* ($what)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "setup: $what is missing. Install it first, e.g. 'sudo apt-get install $*' (Debian/Ubuntu)." >&2
    exit 1
  fi
}
have_libsox || apt_install "libsox.so, needed by torchaudio's sox effects," libsox-dev
# `make test` only: the website's test reads pages in headless Chromium
if [ "${1:-}" = --with-browser ] && ! { command -v chromium && command -v chromedriver; } >/dev/null; then
  apt_install "Chromium, for the website's test," chromium chromium-driver
fi

PY=$(command -v python3.11 || command -v python3)
[ -x .venv/bin/python ] || { echo "setup: creating .venv with $PY"; "$PY" -m venv .venv; }

# requirements.txt is the lock: every package pinned with its hashes, generated from requirements.in by `make lock`.
# uv installs it (its own pinned, hash-checked wheel is taken from the lock first) and compiles every module to
# bytecode once, then mirrepro itself, editable. Bytecode: unlike pip, uv writes no .pyc files, and where PYTHONDONTWRITEBYTECODE is
# set (as on our machines) Python then compiles torch, scipy and pandas from source in every process: each of the
# study's ~60 notebook kernels spent about 40 s importing instead of about 15 s.
stamp=.venv/.mirrepro-installed
want=$( (cat requirements.txt setup.py settings.ini; echo bytecode; echo numba-caches) | sha256sum | cut -d' ' -f1)
# (the stamp alone is not enough: a `uv pip sync` by hand removes mirrepro, which the lock does not list)
installed() { (cd / && "$OLDPWD/.venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("mirrepro") is None)'); }
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! installed; then
  echo "setup: installing the locked requirements into .venv (several GB the first time)"
  if [ ! -x .venv/bin/uv ]; then
    awk '/^uv==/{p=1} p&&/^[^ ]/&&!/^uv==/{exit} p' requirements.txt | grep -v '^ *#' > .venv/uv-lock.txt
    .venv/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps -r .venv/uv-lock.txt \
      2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)   # this machine's pip.conf names local indexes uv is not in
  fi
  .venv/bin/uv pip sync -q --python .venv/bin/python --require-hashes --compile-bytecode requirements.txt
  .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
  # librosa compiles its numba gufuncs as it is imported and caches them beside its sources (cache=True). Two processes
  # that first import it at once (two test workers, two notebook kernels) can leave a gufunc's two cache files from
  # different compilations, and every later process that calls that gufunc dies of a segmentation fault
  # (numba/numba#10128): CI lost two notebook kernels to it. The caches are written here, once, before anything runs in
  # parallel; ones a race may have left are removed first.
  find .venv/lib/python3*/site-packages/librosa -name '*.nb[ic]' -delete
  .venv/bin/python - <<'PY'         # every librosa module that defines a gufunc (0.11: util.utils, beat, core.audio)
import importlib, pathlib, librosa
root = pathlib.Path(librosa.__file__).parent
for f in sorted(root.rglob('*.py')):
    if 'guvectorize' in f.read_text() and f.stem != '__init__':
        importlib.import_module('.'.join(('librosa',) + f.relative_to(root).with_suffix('').parts))
PY
  echo "$want" > "$stamp"
fi
