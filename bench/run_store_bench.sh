#!/bin/bash
# Core journal + SQLite store benchmarks: builds the `release` preset, runs journal_bench phase by
# phase (one process per phase, so each phase's peak RSS is its own), writes Google Benchmark JSON
# to bench/results/store/ and prints a summary table (bench/results/store/summary.md).
#
#   bench/run_store_bench.sh                   # full run (see docs/performance.md)
#   QUICK=1 bench/run_store_bench.sh           # smoke test: small sizes, a minute or two
#   WITH_NOVA=1 bench/run_store_bench.sh       # also run Nova's own harness (sqlite) for a
#                                              # side-by-side measured in the same run
# Env: OUT (results dir), DATA (cached read databases; default build/release/bench-data),
#      READ_SIZES (default 200000,2000000), NOVA_DIR (default ../shared/peers/nova-db).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build/release
QUICK=${QUICK:-0}
WITH_NOVA=${WITH_NOVA:-0}
OUT=${OUT:-$ROOT/bench/results/store}
DATA=${DATA:-$BUILD/bench-data}
NOVA_DIR=${NOVA_DIR:-$ROOT/../shared/peers/nova-db}
if [ "$QUICK" = 1 ]; then
    READ_SIZES=${READ_SIZES:-2000,20000}
    SIZES=(--baseline_commits=1000 --write_actions=200 --concurrent_actions=100 --read_seconds=0.3 --read_warmup_seconds=0.3)
    REPS=1
else
    READ_SIZES=${READ_SIZES:-200000,2000000}
    SIZES=(--baseline_commits=5000 --write_actions=2000 --concurrent_actions=1000 --read_seconds=2)
    REPS=3
fi
BIN=$BUILD/bench/store/journal_bench
T0=$(date +%s)

log() { echo "[run_store_bench $(date +%T)] $*" >&2; }
load1() { cut -d' ' -f1 /proc/loadavg; }

machine_info() {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "nproc: $(nproc)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "filesystem: $(findmnt -n -o SOURCE,FSTYPE -T "$DATA" | tr -s ' ')"
    echo "kernel: $(uname -r)"
    echo "compiler: $(c++ --version | head -1)"
    echo "loadavg_before: $(cat /proc/loadavg)"
}

run_phase() {  # name filter extra-args...
    local name=$1 filter=$2; shift 2
    log "$name (load $(load1))"
    "$BIN" --data_dir="$DATA" --read_sizes="$READ_SIZES" "${SIZES[@]}" "$@" \
        --benchmark_filter="$filter" --benchmark_out="$OUT/$name.json" \
        --benchmark_out_format=json | tee "$OUT/$name.txt"
    echo "$name: $(cat /proc/loadavg)" >> "$OUT/loadavg.txt"
}

median_rate() {  # json-file -> median items_per_second of its repetitions
    python3 -c '
import json, statistics, sys
d = json.load(open(sys.argv[1]))
xs = [b["items_per_second"] for b in d["benchmarks"] if b.get("run_type") == "iteration"]
print(statistics.median(xs))' "$1"
}

nova_value() {  # json-file key -> Nova rate (write | get | list at 200k actions)
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] == "write":
    print(d["write"]["actions_per_s"])
else:
    r = [r for r in d["reads"] if r["actions"] == 200000][0]
    key = {"get": "get_action_with_events", "list": "list_actions_limit50"}[sys.argv[2]]
    print(r[key]["ops_s"])' "$1" "$2"
}

run_nova() {
    local dir=$OUT/nova
    mkdir -p "$dir"
    log "Nova's own harness (sqlite), results in $dir"
    dpkg -s python3-nova >/dev/null 2>&1 || apt-get install -y -qq python3-nova >/dev/null
    (cd "$NOVA_DIR" && BACKENDS=sqlite RAW=0 OUTDIR="$dir" bash run.sh) > "$dir/console.log" 2>&1
    rm -f "$dir"/barrier*         # the harness's 2-writer rendezvous files
    NOVA_JSON=$dir/nova_sqlite.json
}

mkdir -p "$OUT" "$DATA"
rm -f "$OUT"/*.json "$OUT"/*.txt "$OUT/summary.md"
machine_info | tee "$OUT/machine.txt"

log "build (release preset)"
(cd "$ROOT" && cmake --preset release >/dev/null && \
    cmake --build --preset release -j2 --target journal_bench >/dev/null)

log "read databases ($READ_SIZES actions; built once, cached in $DATA)"
FILL_T0=$(date +%s)
"$BIN" --data_dir="$DATA" --read_sizes="$READ_SIZES" --fill_only=1 2>&1 | tee "$OUT/fill.txt"
echo "fill_wall_seconds_this_run: $(( $(date +%s) - FILL_T0 ))" | tee -a "$OUT/fill.txt"

if [ "$WITH_NOVA" = 1 ]; then
    run_nova
fi

REP=(--benchmark_repetitions=$REPS)
run_phase baseline '^raw_sqlite_commit' "${REP[@]}"
BASE=$(median_rate "$OUT/baseline.json")
NOVA_JSON=${NOVA_JSON:-$NOVA_DIR/results/nova_sqlite.json}
REFS=(--baseline_commits_per_s="$BASE" --nova_actions_per_s="$(nova_value "$NOVA_JSON" write)"
      --nova_get_per_s="$(nova_value "$NOVA_JSON" get)"
      --nova_list_per_s="$(nova_value "$NOVA_JSON" list)")
run_phase write_sequential '^journal_write/sequential' "${REP[@]}" "${REFS[@]}"
run_phase write_concurrent '^journal_write/concurrent' "${REP[@]}" "${REFS[@]}"
run_phase baseline_after '^raw_sqlite_commit' "${REP[@]}"
for n in ${READ_SIZES//,/ }; do
    # Warm the OS page cache with the database (the read phases measure a warm cache).
    cat "$DATA/fill-v1-$n.db" > /dev/null
    run_phase "read_get_$n" "^journal_get/actions:$n/" "${REFS[@]}"
    run_phase "read_list_$n" "^journal_list/actions:$n/" "${REFS[@]}"
done

python3 "$ROOT/bench/store/summarize.py" "$OUT" --nova-json "$NOVA_JSON" --data-dir "$DATA" \
    | tee "$OUT/summary.md"
{
    echo
    echo "Load average (1/5/15 min) at the end of each phase:"
    sed 's/^/    /' "$OUT/loadavg.txt"
    echo
    echo "Total wall time: $(( $(date +%s) - T0 )) s"
} | tee -a "$OUT/summary.md"
