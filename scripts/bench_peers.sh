#!/usr/bin/env bash
# Runs scripts/bench_peers.py (make-report's training against JAX's, side by side; `make bench-peers`)
# in the venv .build-peers/ (git-ignored by .build-*/), which it makes, or remakes when
# scripts/bench_peers_requirements.txt (the pinned jax[cpu] and numpy) has changed. Arguments go to
# the script: --rounds N, --binary PATH (default .build/release/make-report), --skip-check, --check-only.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-peers requirements=scripts/bench_peers_requirements.txt
if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    python3 -m venv --clear "$venv" || { echo "bench_peers.sh: python3 -m venv failed: install Python 3 with its venv module (Debian: python3-venv)" >&2; exit 1; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi
exec "$venv/bin/python" scripts/bench_peers.py "$@"
