#!/usr/bin/env bash
# Core journal benchmarks on the PostgreSQL store: builds the `release` preset's postgres_bench,
# starts a throwaway PostgreSQL 15 server with stock durable settings (scripts/with-postgres.sh:
# fsync on, synchronous_commit on, unix socket), and measures, each for DURATION seconds:
#   fully recorded actions/s with 1 and 16 writers (8 durable journal writes per action),
#   get-with-events/s and list-50/s with 16 readers at each size in SIZES (filled directly by
#   bench/store/postgres_fill.sql).
# With WITH_NOVA=1 it also runs Nova's own DB code on a PostgreSQL server (../shared/peers).
# With BEFORE_BIN=<another postgres_bench> the write workloads also run that binary (e.g. one
# built from an older commit), alternating with this one on the same server, ROUNDS times: on a
# shared, noisy machine only such side-by-side ratios are meaningful.
#
#   bench/run_postgres_bench.sh            # DURATION=8 SIZES="200000 2000000"
#   BUILD_DIR=build/mine DURATION=10 SIZES=20000 BEFORE_BIN=/tmp/old/postgres_bench \
#     bench/run_postgres_bench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$ROOT/bench/results/postgres}
BUILD_DIR=${BUILD_DIR:-$ROOT/build/release}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
export BUILD_DIR
mkdir -p "$OUT"
if [ "${INSIDE_PG:-0}" != 1 ]; then
  cmake --preset release -B "$BUILD_DIR" -DACTIONLOG_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target postgres_bench
  INSIDE_PG=1 bash "$ROOT/scripts/with-postgres.sh" bash "$0" "$@"
  if [ "${WITH_NOVA:-0}" = 1 ]; then
    (cd "$ROOT/../shared/peers/nova-db" && BACKENDS=postgresql RAW=0 OUTDIR="$OUT/nova" bash run.sh)
  fi
  exit 0
fi

BIN=$BUILD_DIR/bench/store/postgres_bench
SECONDS_EACH=${DURATION:-8}
SIZES=${SIZES:-"200000 2000000"}
url() { echo "postgresql://postgres@/$1?host=$PGHOST&port=$PGPORT"; }
fresh() { psql -q -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ) git: $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "server: $(psql -tAc 'SELECT version()') fsync=$(psql -tAc 'SHOW fsync')" \
    "synchronous_commit=$(psql -tAc 'SHOW synchronous_commit')"
  echo "load before: $(cat /proc/loadavg)"
  for round in $(seq "${ROUNDS:-1}"); do
    for threads in 1 16; do
      for bin in ${BEFORE_BIN:+"$BEFORE_BIN"} "$BIN"; do
        fresh w
        psql -q -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
        [ -n "${BEFORE_BIN:-}" ] && { [ "$bin" = "$BIN" ] && echo -n "after:  " || echo -n "before: "; }
        echo "$("$bin" "$(url w)" write "$threads" "$SECONDS_EACH")" \
          "wal_syncs=$(psql -tAc 'SELECT wal_sync FROM pg_stat_wal')"
      done
    done
  done
  for n in $SIZES; do
    fresh r
    "$BIN" "$(url r)" get 1 0.1 1 >/dev/null 2>&1 || true   # creates the schema
    start=$(date +%s)
    psql -q -d r -v n="$n" -f "$ROOT/bench/store/postgres_fill.sql" >/dev/null
    echo "fill $n actions: $(($(date +%s) - start)) s"
    echo "size $n: $("$BIN" "$(url r)" get 16 "$SECONDS_EACH" "$n")"
    echo "size $n: $("$BIN" "$(url r)" list 16 "$SECONDS_EACH")"
  done
  echo "load after: $(cat /proc/loadavg)"
} 2>&1 | tee "$OUT/results.txt"
