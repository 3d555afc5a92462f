#!/usr/bin/env bash
# Installs the dependencies, builds the release preset and runs `actionlog serve` on the
# embedded SQLite default (./actionlog.db), listening on 127.0.0.1:8774 with noauth tokens.
# Extra arguments go to `actionlog serve` (e.g. --listen 127.0.0.1:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target actionlog
exec build/release/bin/actionlog --db "sqlite://$PWD/actionlog.db" serve --auth noauth "$@"
