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
if ! have_libsox; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's libsox-dev (needed by torchaudio's sox effects)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsox-dev >/dev/null
  else
    echo "setup: libsox.so is missing. Install it first, e.g. 'sudo apt-get install libsox-dev' (Debian/Ubuntu)." >&2
    exit 1
  fi
fi

PY=$(command -v python3.11 || command -v python3)
[ -x .venv/bin/python ] || { echo "setup: creating .venv with $PY"; "$PY" -m venv .venv; }

stamp=.venv/.mirrepro-installed
want=$(cat requirements.txt setup.py settings.ini | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing the pinned requirements into .venv (several GB the first time)"
  .venv/bin/pip install -q -r requirements.txt
  # tinysoundfont declares pyaudio, only for live playback, which does not build here.
  .venv/bin/pip install -q --no-deps tinysoundfont==0.3.7
  .venv/bin/pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi
