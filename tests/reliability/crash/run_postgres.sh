#!/usr/bin/env bash
# Runs crash_test.py in a PostgreSQL mode; exits 77 (skipped) unless ACTIONLOG_TEST_PG_DSN names
# a server (scripts/with-postgres.sh).
#
#   run_postgres.sh PYTHON crash_test.py --binary BIN --mode pg-kill|pg-db-kill [ARGS...]
#
# pg-kill runs on a fresh database of that server. pg-db-kill kills the database server itself,
# so it runs on a throwaway server of its own (scripts/with-postgres.sh again, which exports the
# data directory and pg_ctl's directory), never on the shared one.
set -u
[ $# -ge 3 ] || { echo "usage: $0 PYTHON crash_test.py ARGS..." >&2; exit 64; }
if [ -z "${ACTIONLOG_TEST_PG_DSN:-}" ]; then
  echo "ACTIONLOG_TEST_PG_DSN is not set: skipped"
  exit 77
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
case " $* " in
  *" pg-db-kill "*)
    exec bash "$root/scripts/with-postgres.sh" \
      bash -c 'exec "$@" --db-url "$ACTIONLOG_TEST_PG_DSN"' crash "$@"
    ;;
esac
db="actionlog_crash_$$"
base=${ACTIONLOG_TEST_PG_DSN%%\?*}
query=""
case "$ACTIONLOG_TEST_PG_DSN" in *\?*) query="?${ACTIONLOG_TEST_PG_DSN#*\?}" ;; esac
psql "$ACTIONLOG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null || exit 1
"$@" --db-url "${base%/*}/$db$query"
status=$?
psql "$ACTIONLOG_TEST_PG_DSN" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null || true
exit $status
