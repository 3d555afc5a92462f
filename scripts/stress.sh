#!/usr/bin/env bash
# Runs the long forms of the reliability stress tests (docs/reliability.md). CI runs their short
# forms through CTest (label `stress`); this script runs them for as long as asked and prints
# the figures recorded in docs/reliability.md.
#
#   scripts/stress.sh [OPTIONS] [TEST...]
#
# Tests (default: all):
#   crash-kill     SIGKILL of `actionlog serve` on SQLite, --rounds rounds
#   crash-term     SIGTERM (graceful stop) on SQLite, --rounds rounds
#   crash-pg-kill  SIGKILL of the service on PostgreSQL, --rounds rounds
#   crash-pg-db    SIGKILL / immediate stop of the PostgreSQL server itself, --rounds rounds
#   soak           mixed reads and writes on SQLite for --duration seconds
#
# Options:
#   --build DIR      build directory holding bin/actionlog (default: build/dev; built if missing)
#   --rounds N       crash rounds per test (default 25)
#   --duration S     soak duration in seconds (default 600)
#   --seed S         random seed for every test (default: time-based, printed)
#
# The PostgreSQL tests run on throwaway servers started by scripts/with-postgres.sh (Debian's
# postgresql package). Exit status 0 only if every test passed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=build/dev
ROUNDS=25
DURATION=600
SEED=()
TESTS=()

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($#)); do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --seed) SEED=(--seed "$2"); shift 2 ;;
    -h | --help) usage 0 ;;
    crash-kill | crash-term | crash-pg-kill | crash-pg-db | soak) TESTS+=("$1"); shift ;;
    all) TESTS+=(crash-kill crash-term crash-pg-kill crash-pg-db soak); shift ;;
    *) echo "stress.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
done
((${#TESTS[@]})) || TESTS=(crash-kill crash-term crash-pg-kill crash-pg-db soak)

cd "$ROOT"
BIN="$BUILD/bin/actionlog"
if [[ ! -x "$BIN" ]]; then
  cmake --preset dev -B "$BUILD" >/dev/null
  cmake --build "$BUILD" --target actionlog
fi
BIN=$(readlink -f "$BIN")
PY=/usr/bin/python3
CRASH=(tests/reliability/crash/crash_test.py --binary "$BIN" --rounds "$ROUNDS" "${SEED[@]}")

status=0
run() {
  local name=$1
  shift
  echo "=== $name ($(date -u +%H:%M:%S) UTC)"
  if "$@"; then
    echo "=== $name: passed"
  else
    echo "=== $name: FAILED"
    status=1
  fi
  echo
}

for t in "${TESTS[@]}"; do
  case "$t" in
    crash-kill) run "$t" "$PY" "${CRASH[@]}" --mode sqlite-kill ;;
    crash-term) run "$t" "$PY" "${CRASH[@]}" --mode sqlite-term ;;
    crash-pg-kill)
      run "$t" bash scripts/with-postgres.sh \
        bash tests/reliability/crash/run_postgres.sh "$PY" "${CRASH[@]}" --mode pg-kill
      ;;
    crash-pg-db)
      run "$t" bash scripts/with-postgres.sh \
        bash tests/reliability/crash/run_postgres.sh "$PY" "${CRASH[@]}" --mode pg-db-kill
      ;;
    soak)
      run "$t" "$PY" tests/reliability/soak/soak_test.py --binary "$BIN" \
        --duration "$DURATION" "${SEED[@]}"
      ;;
  esac
done
exit "$status"
