# Installs what Inddrag needs; sourced by ./run and ./test. Safe and fast to run again.
# Python 3.12 comes from pyenv via .python-version; uv makes the .venv from uv.lock; npm installs
# DKFDS and htmx from package-lock.json; static/dist/ is rebuilt when its sources change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="$(pyenv which python3 2>/dev/null || command -v python3.12 || command -v python3)"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
  echo "Inddrag needs Python 3.12 (see .python-version); found $("$PYTHON" --version)." >&2
  exit 1
fi
if ! "$PYTHON" -m uv --version >/dev/null 2>&1; then
  echo "· installing uv"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check uv 2>&1 | grep -v "^WARNING" || true
fi
UV_PYTHON="$PYTHON" "$PYTHON" -m uv sync --frozen --quiet

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "· installing front-end packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -f static/dist/inddrag.css ] || [ -n "$(find scss scripts/build-assets.mjs package-lock.json -newer static/dist/inddrag.css 2>/dev/null)" ]; then
  npm run --silent build
fi
PY=.venv/bin/python
# WeasyPrint (the PDFs) needs Pango from the system; Debian 12 usually has it already.
if ! "$PY" -c "import weasyprint" >/dev/null 2>&1; then
  echo "· installing Pango for the PDFs"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
fi
