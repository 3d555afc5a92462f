#!/usr/bin/env bash
# Runs two_servers.py on a fresh database of the PostgreSQL server named by
# ACTIONLOG_TEST_PG_DSN (scripts/with-postgres.sh); exits 77 (skipped) without one.
set -u
[ $# -eq 1 ] || { echo "usage: $0 <actionlog binary>" >&2; exit 64; }
if [ -z "${ACTIONLOG_TEST_PG_DSN:-}" ]; then
  echo "ACTIONLOG_TEST_PG_DSN is not set: skipped"
  exit 77
fi
db="actionlog_two_$$"
base=${ACTIONLOG_TEST_PG_DSN%%\?*}
query=""
case "$ACTIONLOG_TEST_PG_DSN" in *\?*) query="?${ACTIONLOG_TEST_PG_DSN#*\?}" ;; esac
psql "$ACTIONLOG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null || exit 1
/usr/bin/python3 "$(dirname "$0")/two_servers.py" "$1" "${base%/*}/$db$query"
status=$?
psql "$ACTIONLOG_TEST_PG_DSN" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null || true
exit $status
