#!/usr/bin/env bash
# Set up (or refresh) the project's virtualenv from requirements.lock.
#
#   bash scripts/bootstrap.sh          # idempotent; a no-op when nothing changed
#   BOOTSTRAP_FORCE=1 bash scripts/bootstrap.sh   # reinstall even if up to date
#
# Creates .venv with Python 3.11 if missing, installs a pinned uv into it,
# makes .venv match requirements.lock exactly (uv pip sync, hashes checked),
# then installs this project editable without dependencies. A stamp in .venv
# records what was installed; a later run with the same inputs exits at once.
# See docs/environment.md.
set -euo pipefail

UV_VERSION=0.13.9
PYTHON="${PYTHON:-python3.11}"
PACKAGES=(synthcity ingest expectations reports)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
STAMP="$VENV/.bootstrap-stamp"
LOCK=requirements.lock

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

[ -f "$LOCK" ] || die "$LOCK not found in $ROOT"

# Everything that decides what ends up in .venv. The editable install maps
# the packages present at install time, so their presence is part of it.
inputs_hash() {
    {
        echo "uv=$UV_VERSION"
        sha256sum "$LOCK" pyproject.toml scripts/bootstrap.sh
        for pkg in "${PACKAGES[@]}"; do
            if [ -f "$pkg/__init__.py" ]; then echo "package=$pkg"; fi
        done
    } | sha256sum | cut -d' ' -f1
}

is_py311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1
}

# A venv from another Python (or a broken one) is rebuilt from scratch.
if [ -e "$VENV" ] && ! is_py311 "$VENV/bin/python"; then
    say ".venv is not a working Python 3.11 venv; recreating it"
    rm -rf "$VENV"
fi

want="$(inputs_hash)"
if [ -z "${BOOTSTRAP_FORCE:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    say ".venv is up to date"
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    command -v "$PYTHON" >/dev/null 2>&1 \
        || die "$PYTHON not found (Debian: apt-get install python3.11 python3.11-venv; or set PYTHON=/path/to/python3.11)"
    is_py311 "$PYTHON" || die "$PYTHON is not Python 3.11"
    say "creating .venv with $("$PYTHON" -V 2>&1)"
    "$PYTHON" -m venv "$VENV"
fi

UV="$VENV/bin/uv"
if [ ! -x "$UV" ] || [ "$("$UV" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$VENV/bin/python" -m pip --version >/dev/null 2>&1 \
        || "$VENV/bin/python" -m ensurepip --default-pip >/dev/null
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check "uv==$UV_VERSION"
fi

# The stamp goes first so that a failure below leaves no stale "up to date".
rm -f "$STAMP"
export UV_PYTHON_DOWNLOADS=never
say "syncing .venv with $LOCK (uv $UV_VERSION)"
# sync removes anything not in the lock (uv, pip and setuptools are kept).
"$UV" pip sync --quiet --python "$VENV/bin/python" --require-hashes "$LOCK"
"$UV" pip install --quiet --python "$VENV/bin/python" --no-deps -e .
echo "$want" > "$STAMP"
say "done: $(grep -cE '^[A-Za-z0-9]' "$LOCK") locked packages + this project (editable)"
