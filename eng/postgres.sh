#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and benchmarks: Debian's packages (installed with apt-get when initdb is
# missing), a cluster made by initdb in a temporary folder, listening on 127.0.0.1 on a free port with trust
# authentication over loopback and fsync off. Never use it for data you want to keep.
#
#   eng/postgres.sh start [STATE]   # starts a server; prints `export IMAGEVOLUMECACHE_POSTGRES='…'` as its last line,
#                                   # so `eval "$(eng/postgres.sh start)"` sets it; STATE (default
#                                   # artifacts/postgres.state) records the folder and port for `stop`
#   eng/postgres.sh stop [STATE]    # stops the server STATE names and removes its folder and STATE
#   eng/postgres.sh down STATE      # stops the server STATE names (as in an outage), keeping its folder and port
#   eng/postgres.sh up STATE        # starts a server that `down` stopped again, on the same port with the same data
#
# Or sourced (as .ci/run and eng/run-benchmarks.sh do), for its functions:
#   postgres_start STATE            # starts a server, records it in STATE and sets POSTGRES_CONNECTION_STRING; prints
#                                   # why not on stderr and returns 1
#   postgres_stop STATE             # stops the server STATE names (if any) and removes its folder and STATE
# As root, initdb and the server run as the `postgres` user (they refuse to run as root).

postgres_database=imagevolumecache

# The folder of initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/<version>/bin.
postgres_bin_dir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return
  fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$dir" && -x "$dir/initdb" ]] && echo "$dir"
}

# Runs a command as the user the server runs as: `postgres` when we are root, else ourselves.
postgres_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Starts the server of folder $1 on port $2 with the binaries of $3, and waits until it accepts connections.
postgres_run() {
  local dir="$1" port="$2" bin="$3"
  postgres_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    >/dev/null
}

postgres_start() {
  local state="$1" bin dir port
  bin=$(postgres_bin_dir)
  if [[ -z "$bin" ]]; then
    echo "initdb is missing: installing Debian's postgresql package" >&2
    if ! apt-get install -y -q postgresql >/dev/null 2>&1; then
      apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1 || true
    fi
    bin=$(postgres_bin_dir)
    if [[ -z "$bin" ]]; then
      echo "initdb is missing and the postgresql package could not be installed" >&2
      return 1
    fi
  fi
  # Debian's package starts a server of its own on 5432; ours is separate and leaves it alone.
  dir=$(mktemp -d "${TMPDIR:-/tmp}/ivc-postgres.XXXXXX")
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
  fi
  if ! postgres_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
    echo "initdb failed in $dir/data:" >&2
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi
  port=$(postgres_free_port)
  mkdir -p "$(dirname "$state")"
  printf 'dir=%q\nport=%q\nbin=%q\n' "$dir" "$port" "$bin" >"$state"
  if ! postgres_run "$dir" "$port" "$bin"; then
    echo "pg_ctl start failed; its log ($dir/server.log):" >&2
    cat "$dir/server.log" >&2 2>/dev/null || true
    postgres_stop "$state"
    return 1
  fi
  if ! postgres_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$postgres_database"; then
    echo "createdb $postgres_database failed" >&2
    postgres_stop "$state"
    return 1
  fi
  POSTGRES_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Database=$postgres_database;Username=postgres"
}

postgres_stop() {
  local state="$1" dir="" port="" bin=""
  [[ -f "$state" ]] || return 0
  # shellcheck disable=SC1090
  source "$state"
  if [[ -n "$dir" && -d "$dir/data" && -n "$bin" ]]; then
    postgres_as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [[ -n "$dir" && "$dir" == */ivc-postgres.* ]]; then
    rm -rf "$dir"
  fi
  rm -f "$state"
}

# Stops the server STATE names, as an outage would (clients are cut off), and keeps its folder for postgres_up.
postgres_down() {
  local state="$1" dir="" port="" bin=""
  # shellcheck disable=SC1090
  source "$state"
  postgres_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
}

# Starts the server STATE names again after postgres_down.
postgres_up() {
  local state="$1" dir="" port="" bin=""
  # shellcheck disable=SC1090
  source "$state"
  postgres_run "$dir" "$port" "$bin"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  usage="usage: $0 start [STATE] | stop [STATE] | down STATE | up STATE"
  [[ $# -ge 1 ]] || { echo "$usage" >&2; exit 2; }
  state=$(realpath -m "${2:-$repo/artifacts/postgres.state}")
  case "$1" in
    start)
      if [[ -f "$state" ]]; then
        echo "$state exists: a server is running (stop it with $0 stop $state)" >&2
        exit 1
      fi
      postgres_start "$state" || exit 1
      echo "PostgreSQL on 127.0.0.1 ($state); stop it with: $0 stop${2:+ $state}" >&2
      echo "export IMAGEVOLUMECACHE_POSTGRES='$POSTGRES_CONNECTION_STRING'"
      ;;
    stop)
      postgres_stop "$state"
      ;;
    down | up)
      [[ $# -eq 2 && -f "$state" ]] || { echo "$usage (STATE must name a running server)" >&2; exit 2; }
      "postgres_$1" "$state"
      ;;
    *)
      echo "$usage" >&2
      exit 2
      ;;
  esac
fi
