#!/usr/bin/env bash
# Checks formatting and clang-tidy, builds actionlog and runs every test: unit, store
# conformance (SQLite and a real PostgreSQL server started for the run), CLI, HTTP, the Nova
# golden replay and the OpenStack clients — in the dev, asan (ASan+UBSan) and tsan
# (ThreadSanitizer, clang) presets.
#
#   bash scripts/test.sh                 # everything
#   PRESETS="dev" bash scripts/test.sh   # one preset
#   FUZZ=0 bash scripts/test.sh          # skip the short fuzzing runs
#   TIDY=0 bash scripts/test.sh          # skip clang-tidy (scripts/tidy.sh, after the dev build)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/check-format.sh

PRESETS=${PRESETS:-"dev asan tsan"}
JOBS=${JOBS:-$(nproc)}
for preset in $PRESETS; do
  echo "=== preset $preset ==="
  cmake --preset "$preset"
  cmake --build --preset "$preset" -j "$JOBS"
  if [[ $preset == dev && ${TIDY:-1} == 1 ]]; then
    bash scripts/tidy.sh build/dev  # clang-tidy over src/ (TIDY=0 skips)
  fi
  bash scripts/with-postgres.sh ctest --preset "$preset" -j "$JOBS"
done

# libFuzzer targets, each for a short bounded time (FUZZ=0 skips; scripts/fuzz.sh for long runs).
if [[ ${FUZZ:-1} == 1 && -f scripts/fuzz.sh ]]; then
  bash scripts/fuzz.sh --short
fi
