#!/usr/bin/env bash
# Runs replica.py against a hot standby of the PostgreSQL server named by ACTIONLOG_TEST_PG_DSN
# (scripts/with-postgres.sh): creates a fresh database on the primary, clones the cluster with
# pg_basebackup into a temporary directory, starts it as a streaming-replication standby on a
# unix socket there, runs the test, then stops the standby and removes everything. Exits 77
# (skipped) without a server.
set -u
[ $# -eq 1 ] || { echo "usage: $0 <actionlog binary>" >&2; exit 64; }
if [ -z "${ACTIONLOG_TEST_PG_DSN:-}" ] || [ -z "${ACTIONLOG_TEST_PG_BIN:-}" ]; then
  echo "ACTIONLOG_TEST_PG_DSN / ACTIONLOG_TEST_PG_BIN are not set: skipped"
  exit 77
fi
PG_BIN=$ACTIONLOG_TEST_PG_BIN
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  RUN_AS=(runuser -u postgres --)
fi
db="actionlog_replica_$$"
base=${ACTIONLOG_TEST_PG_DSN%%\?*}
query=""
case "$ACTIONLOG_TEST_PG_DSN" in *\?*) query="?${ACTIONLOG_TEST_PG_DSN#*\?}" ;; esac
primary_url="${base%/*}/$db$query"

standby=$(mktemp -d "${TMPDIR:-/tmp}/actionlog-standby.XXXXXX")
chmod 755 "$standby"
if [ ${#RUN_AS[@]} -gt 0 ]; then
  chown postgres "$standby"
fi
cleanup() {
  if [ -f "$standby/data/postmaster.pid" ]; then
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$standby/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$standby"
  psql "$ACTIONLOG_TEST_PG_DSN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

psql "$ACTIONLOG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null || exit 1
# The schema is created on the primary before the clone; the standby replays everything after.
"$1" --db "$primary_url" db upgrade >/dev/null || exit 1
"${RUN_AS[@]}" "$PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres \
  -D "$standby/data" -R -X stream -c fast --no-sync >"$standby/basebackup.log" 2>&1 || {
  cat "$standby/basebackup.log" >&2
  exit 1
}
# A standby needs at least the primary's max_connections (and the like) to replay its WAL.
max_connections=$(psql "$ACTIONLOG_TEST_PG_DSN" -qAtc "SHOW max_connections") || exit 1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$standby/data" -l "$standby/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$standby' -c port=$port" \
  -o "-c hot_standby=on -c max_connections=$max_connections" start >/dev/null || {
  cat "$standby/server.log" >&2
  exit 1
}
standby_url="postgresql://postgres@/$db?host=$standby&port=$port"
/usr/bin/python3 "$(dirname "$0")/replica.py" "$1" "$primary_url" "$standby_url"
