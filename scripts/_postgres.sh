# Sourced by scripts/test and scripts/stress: start a throwaway PostgreSQL cluster in a
# temporary directory when PostgreSQL's server binaries are installed (Debian:
# `apt-get install postgresql`), export its admin URL as CROSSINGS_TEST_PG for the
# PostgreSQL tests, and stop it and remove the directory when the calling script exits.
# Without the binaries (or when the cluster will not start) it says so in one line and
# the PostgreSQL tests are skipped; CROSSINGS_REQUIRE_PG=1 (CI) makes that an error.
# A server the caller already gives in CROSSINGS_TEST_PG is used as it is.
find_pg_bin() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"; return 0
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

pg_unavailable() {
  echo "${PG_PURPOSE:-PostgreSQL tests} will not run: $1" >&2
  if [ "${CROSSINGS_REQUIRE_PG:-}" = 1 ]; then
    echo "Error: CROSSINGS_REQUIRE_PG=1 and no PostgreSQL server" >&2; exit 1
  fi
}

start_throwaway_postgres() {
  if [ -n "${CROSSINGS_TEST_PG:-}" ]; then return 0; fi
  local bin
  if ! bin="$(find_pg_bin)"; then
    pg_unavailable "PostgreSQL's server binaries (initdb, pg_ctl) are not installed (Debian: apt-get install postgresql)"
    return 0
  fi
  PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/crossings-pg.XXXXXX")"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: the cluster belongs to the postgres user.
    if ! id postgres >/dev/null 2>&1; then
      pg_unavailable "running as root and there is no postgres user to own the cluster"
      rm -rf "$PG_TMP"; return 0
    fi
    chown postgres "$PG_TMP"; chmod 700 "$PG_TMP"
    run=(su postgres -s /bin/sh -c)
  else
    run=(sh -c)
  fi
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # fsync off by default: a throwaway cluster; the crash tests kill clients, never this
  # server. scripts/bench turns it on (CROSSINGS_PG_FSYNC=on): its figures are a real server's.
  if ! "${run[@]}" "'$bin/initdb' -D '$PG_TMP/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$PG_TMP/initdb.log' 2>&1" ||
     ! "${run[@]}" "'$bin/pg_ctl' -D '$PG_TMP/data' -l '$PG_TMP/server.log' -w -t 60 \
          -o \"-p $port -k '$PG_TMP' -c listen_addresses=127.0.0.1 -c fsync=${CROSSINGS_PG_FSYNC:-off} -c max_connections=200\" start >/dev/null"; then
    pg_unavailable "the throwaway cluster did not start ($(tail -n 1 "$PG_TMP"/*.log 2>/dev/null | tr -s '\n' ' '))"
    rm -rf "$PG_TMP"; return 0
  fi
  PG_BIN="$bin"; PG_RUN=("${run[@]}")
  export CROSSINGS_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
  export CROSSINGS_TEST_PG_DATA="$PG_TMP/data" CROSSINGS_TEST_PG_CTL="$bin/pg_ctl"
  trap stop_throwaway_postgres EXIT
  echo "${PG_PURPOSE:-PostgreSQL tests}: a throwaway $("$bin/postgres" --version | sed 's/.*) //') cluster on port $port" >&2
}

stop_throwaway_postgres() {
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP" ]; then
    "${PG_RUN[@]}" "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -m immediate -w stop >/dev/null 2>&1" || true
    rm -rf "$PG_TMP"
  fi
}
