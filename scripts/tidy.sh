#!/usr/bin/env bash
# Runs clang-tidy over every source file under src/ with the checks of .clang-tidy (warnings are
# errors), using the compile commands of a configured build.
#
#   bash scripts/tidy.sh              # build/dev (configure it first: cmake --preset dev)
#   bash scripts/tidy.sh build/other  # another build directory with compile_commands.json
#
# Exits non-zero when any file has a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/dev}
if [[ ! -f "$BUILD/compile_commands.json" ]]; then
  echo "tidy: no $BUILD/compile_commands.json; configure the build first" >&2
  exit 2
fi
run-clang-tidy -p "$BUILD" -j "${JOBS:-$(nproc)}" -quiet "$PWD/src/" >"$BUILD/clang-tidy.log" 2>&1 || {
  grep -E "(error|warning):" "$BUILD/clang-tidy.log" | sed 's/\x1b\[[0-9;]*m//g' | sort -u >&2
  echo "tidy: findings above (full output: $BUILD/clang-tidy.log)" >&2
  exit 1
}
echo "tidy: clean ($(grep -c "\"file\": \"$PWD/src/" "$BUILD/compile_commands.json") files)"
