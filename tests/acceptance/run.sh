#!/usr/bin/env bash
# Golden replay of the HTTP service against real Nova 26.2.2's recorded answers, in both auth
# modes:
#   token   (--auth noauth):  cases.jsonl + client_support_cases.jsonl + the real OpenStack
#                             clients (openstacksdk, novaclient, openstack CLI, tempest) compared
#                             with their output against real Nova;
#   headers (--auth headers): cases.jsonl + client_support_cases.jsonl (the client libraries
#                             can only carry a token, so they run in token mode only).
#
#   tests/acceptance/run.sh <dir-with-actionlog-binary>
#
# Each mode imports golden/nova-db.sqlite into a fresh database and starts its own server on a
# free loopback port (run_candidate.sh, copied verbatim from the acceptance material).
# Exit status 0 only if every case of every mode passed. The material's oracle (the Nova
# fixtures that recorded golden/) is not copied: it needs python3-nova and is only for
# regenerating the data.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 <dir-with-actionlog-binary>" >&2; exit 64; }
BIN=$1
status=0
echo "=== auth mode token (actionlog serve --auth noauth)"
ACCEPTANCE_AUTH_MODE=token bash "$HERE/run_candidate.sh" "$BIN" golden || status=1
echo
echo "=== auth mode headers (actionlog serve --auth headers, loopback trusted)"
ACCEPTANCE_AUTH_MODE=headers SKIP_CLIENTS=1 bash "$HERE/run_candidate.sh" "$BIN" golden || status=1

# On PostgreSQL too, when a server is available (scripts/with-postgres.sh sets the DSN) and the
# binary has the backend (ACTIONLOG_HAVE_POSTGRES, set by CMake): the golden database is imported
# into a fresh PostgreSQL database and served from there.
if [ -n "${ACTIONLOG_TEST_PG_DSN:-}" ] && [ "${ACTIONLOG_HAVE_POSTGRES:-1}" = 0 ]; then
  echo
  echo "=== PostgreSQL skipped: this build has no PostgreSQL backend (ACTIONLOG_WITH_POSTGRES=OFF)"
elif [ -n "${ACTIONLOG_TEST_PG_DSN:-}" ]; then
  db="actionlog_golden_$$"
  base=${ACTIONLOG_TEST_PG_DSN%%\?*}
  query=""
  case "$ACTIONLOG_TEST_PG_DSN" in *\?*) query="?${ACTIONLOG_TEST_PG_DSN#*\?}" ;; esac
  pg_url="${base%/*}/$db$query"
  echo
  echo "=== auth mode token on PostgreSQL ($db)"
  if psql "$ACTIONLOG_TEST_PG_DSN" -qc "CREATE DATABASE $db" >/dev/null; then
    ACCEPTANCE_DB_URL=$pg_url ACCEPTANCE_AUTH_MODE=token \
      bash "$HERE/run_candidate.sh" "$BIN" golden || status=1
    psql "$ACTIONLOG_TEST_PG_DSN" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null || true
  else
    echo "cannot create database $db"
    status=1
  fi
fi
exit $status
