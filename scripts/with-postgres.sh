#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server, then stops it and deletes its files.
#
#   scripts/with-postgres.sh build/dev/tests/store/store_test
#   scripts/with-postgres.sh ctest --test-dir build/dev -L postgres
#
# The server (Debian's `postgresql` package, see scripts/install-deps.sh) is initialized in a
# fresh temporary directory, listens only on a unix socket in that directory (and, with
# ACTIONLOG_PG_TCP=1, on 127.0.0.1 at a free port), and runs with stock durable settings
# (fsync and synchronous_commit on). The command runs with
#   ACTIONLOG_TEST_PG_DSN=postgresql://postgres@/actionlog_test?host=<dir>&port=<port>
# and PGHOST/PGPORT/PGUSER/PGDATABASE set to the same server, ACTIONLOG_TEST_PG_DATA to its data
# directory and ACTIONLOG_TEST_PG_BIN to the directory of pg_ctl (for tests that stop and restart
# the server; its log is server.log next to the data directory). The server is stopped and the
# directory removed when the command ends, fails or is interrupted. Exits with the command's
# status. As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
#
# Environment: PG_BIN (directory of initdb/pg_ctl; default: newest /usr/lib/postgresql/*/bin),
# ACTIONLOG_PG_TCP=1, ACTIONLOG_PG_KEEP_LOG=1 (print the server log on exit),
# ACTIONLOG_PG_OPTIONS (extra server options, e.g. "-c log_min_duration_statement=0").
set -euo pipefail

if (($# == 0)); then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

find_pg_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  echo "with-postgres: no PostgreSQL server found; run scripts/install-deps.sh" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

PG_BIN=$(find_pg_bin)
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root needs the 'postgres' user (Debian's postgresql package)" >&2
    exit 1
  fi
  RUN_AS=(runuser -u postgres --)
fi

PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/actionlog-pg.XXXXXX")
chmod 755 "$PG_DIR"
if ((${#RUN_AS[@]} > 0)); then
  chown postgres "$PG_DIR"
fi

cleanup() {
  local status=$?
  if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [[ "${ACTIONLOG_PG_KEEP_LOG:-0}" == 1 && -f "$PG_DIR/server.log" ]]; then
    cat "$PG_DIR/server.log" >&2
  fi
  rm -rf "$PG_DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=5432
LISTEN=""
if [[ "${ACTIONLOG_PG_TCP:-0}" == 1 ]]; then
  PORT=$(free_port)
  LISTEN=127.0.0.1
fi

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C \
  --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
  cat "$PG_DIR/initdb.log" >&2
  exit 1
}
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-c listen_addresses='$LISTEN' -c unix_socket_directories='$PG_DIR' -c port=$PORT" \
  -o "-c max_connections=200 ${ACTIONLOG_PG_OPTIONS:-}" start >/dev/null || {
  cat "$PG_DIR/server.log" >&2
  exit 1
}
"$PG_BIN/createdb" -h "$PG_DIR" -p "$PORT" -U postgres actionlog_test

export PGHOST="$PG_DIR" PGPORT="$PORT" PGUSER=postgres PGDATABASE=actionlog_test
export ACTIONLOG_TEST_PG_DATA="$PG_DIR/data" ACTIONLOG_TEST_PG_BIN="$PG_BIN"
export ACTIONLOG_TEST_PG_DSN="postgresql://postgres@/actionlog_test?host=$PG_DIR&port=$PORT"
if [[ -n "$LISTEN" ]]; then
  export ACTIONLOG_TEST_PG_TCP_DSN="postgresql://postgres@127.0.0.1:$PORT/actionlog_test"
fi
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $ACTIONLOG_TEST_PG_DSN" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
