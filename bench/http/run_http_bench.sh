#!/usr/bin/env bash
# HTTP benchmarks with wrk on loopback, bounded in time (docs: bench/http/README.md).
#
#   bench/http/run_http_bench.sh <actionlog-binary> [work-dir]
#
# 1. builds a Nova-format database with 200k actions (make_nova_db.py) and imports it once;
# 2. starts `actionlog serve` on 127.0.0.1 (access log off, or to a file with ACCESS_LOG=file);
# 3. runs list (50 actions, 2.58), show (5 events, 2.84, admin), write (one durable action
#    start per request, 64 connections), record (start action, start event, finish event,
#    finish action per connection, 64 connections) and mixed (list on 32 connections while
#    writes arrive on 4 more) for DURATION seconds each (default 10);
# 4. prints requests/s, p50/p99 and the server's peak RSS, then stops the server by its PID.
set -euo pipefail
BIN=$(realpath "$1")
WORK=${2:-/tmp/actionlog-http-bench}
DURATION=${DURATION:-10}
PORT=${PORT:-18780}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$WORK"
if [ ! -f "$WORK/al.db" ]; then
  /usr/bin/python3 "$HERE/make_nova_db.py" "$WORK/nova.sqlite"
  "$BIN" import --from-nova "sqlite://$WORK/nova.sqlite" --db "sqlite://$WORK/al.db"
fi
ACCESS=${ACCESS_LOG:-none}
"$BIN" serve --db "sqlite://$WORK/al.db" --listen "127.0.0.1:$PORT" --access-log "$ACCESS" \
  --write-threads "${WRITE_THREADS:-64}" >"$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$PORT/v2.1" >/dev/null && break
  sleep 0.2
done
wrk_run() {  # threads, connections, script: wrk's whole output
  wrk -t"$1" -c"$2" -d"${DURATION}s" --latency -s "$HERE/$3" "http://127.0.0.1:$PORT" 2>&1
}
report() {  # name, wrk output
  printf '%-12s %10s req/s  p50 %8s  p99 %8s  errors %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$2")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$2")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$2")" \
    "$(grep -c 'unexpected status' <<<"$2" || true)"
}
run() {  # name, threads, connections, script
  report "$1" "$(wrk_run "$2" "$3" "$4")"
}
# list while durable writes arrive on 4 other connections: reads under write load (each commit
# also makes every SQLite reader start its next read with an empty page cache).
run_mixed() {
  wrk_run 1 4 write.lua >"$WORK/mixed-write.out" &
  local writer=$!
  local list
  list=$(wrk_run 2 32 list.lua)
  wait "$writer"
  report mixed-list "$list"
  report mixed-write "$(cat "$WORK/mixed-write.out")"
}
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${DURATION}s per run, access log: $ACCESS"
run list 2 32 list.lua
run show 2 32 show.lua
run write 2 64 write.lua
run record 64 64 record.lua
run_mixed
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$PID/status)"
