# Shared by scripts/demo, scripts/test and scripts/bench: make .venv if missing, install.
# Sourced, not run. Needs only Python 3.11+ on PATH (python3.11, python3 or python).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "crossings needs Python 3.11 or newer on PATH" >&2; return 1
}
if [ ! -x "$VENV/bin/python" ]; then
  "$(find_python)" -m venv "$VENV"
fi
STAMP="$VENV/.installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/setup.cfg" -nt "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ] ||
   [ "${BASH_SOURCE[0]}" -nt "$STAMP" ]; then
  # editable_mode=compat: a plain path in a .pth file. The default mode installs an import
  # hook that site runs at every start-up (about 10 ms of each crossings command).
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --config-settings editable_mode=compat -e "$ROOT[${EXTRAS:-test}]"
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
