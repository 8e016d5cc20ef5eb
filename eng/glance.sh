#!/usr/bin/env bash
# A throw-away OpenStack Glance API server for tests: Debian's glance-api package (installed with apt-get when missing),
# a configuration made in a temporary folder (SQLite database made by glance-manage db_sync, file store in that folder,
# no Keystone), listening on 127.0.0.1 on a free port. Without Keystone the server trusts the identity headers a client
# sends (X-Identity-Status: Confirmed, X-Project-Id, X-User-Id, X-Roles), which is what lets the tests act as two
# projects. Never expose it, and never use it for images you want to keep.
#
#   eng/glance.sh start [STATE]   # starts a server; prints `export IMAGEVOLUMECACHE_GLANCE='http://127.0.0.1:PORT'`
#                                 # as its last line, so `eval "$(eng/glance.sh start)"` sets it; STATE (default
#                                 # artifacts/glance.state) records the folder and process for `stop`
#   eng/glance.sh stop [STATE]    # stops the server STATE names and removes its folder and STATE
#
# Or sourced (as .ci/run does), for its functions:
#   glance_start STATE            # starts a server, records it in STATE and sets GLANCE_URL; prints why not on stderr
#                                 # and returns 1
#   glance_stop STATE             # stops the server STATE names (if any) and removes its folder and STATE

glance_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Installs Debian's glance-api when glance-api or glance-manage is missing; returns 1 when they still are.
glance_install() {
  if command -v glance-api >/dev/null 2>&1 && command -v glance-manage >/dev/null 2>&1; then
    return 0
  fi
  echo "glance-api is missing: installing Debian's glance-api package" >&2
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q glance-api >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q glance-api >/dev/null 2>&1 || true
  fi
  command -v glance-api >/dev/null 2>&1 && command -v glance-manage >/dev/null 2>&1
}

# Writes the configuration of a server in folder $1 on port $2.
glance_configure() {
  local dir="$1" port="$2"
  mkdir -p "$dir/images" "$dir/staging" "$dir/tasks" "$dir/log"
  # The package's paste file, plus a pipeline that builds the request context from the identity headers and has no
  # token check (Keystone's authtoken filter would need a Keystone server).
  cp /etc/glance/glance-api-paste.ini "$dir/glance-api-paste.ini"
  cat >>"$dir/glance-api-paste.ini" <<'INI'

[pipeline:glance-api-headers]
pipeline = healthcheck versionnegotiation context rootapp
INI
  cat >"$dir/glance-api.conf" <<INI
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $port
workers = 0
log_dir = $dir/log
use_stderr = false
enabled_backends = files:file
show_image_direct_url = true
show_multiple_locations = false
image_size_cap = 1099511627776

[database]
connection = sqlite:///$dir/glance.sqlite

[paste_deploy]
flavor = headers
config_file = $dir/glance-api-paste.ini

[glance_store]
default_backend = files

[files]
filesystem_store_datadir = $dir/images

[os_glance_staging_store]
filesystem_store_datadir = $dir/staging

[os_glance_tasks_store]
filesystem_store_datadir = $dir/tasks

[oslo_policy]
enforce_new_defaults = false
enforce_scope = false

[oslo_concurrency]
lock_path = $dir/lock
INI
}

glance_start() {
  local state="$1" dir port pid
  if ! glance_install; then
    echo "glance-api is missing and the glance-api package could not be installed" >&2
    return 1
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/ivc-glance.XXXXXX")
  port=$(glance_free_port)
  glance_configure "$dir" "$port"
  if ! glance-manage --config-file "$dir/glance-api.conf" db_sync >"$dir/db_sync.log" 2>&1; then
    echo "glance-manage db_sync failed in $dir:" >&2
    tail -n 30 "$dir/db_sync.log" >&2
    rm -rf "$dir"
    return 1
  fi
  setsid glance-api --config-file "$dir/glance-api.conf" >"$dir/server.out" 2>&1 </dev/null &
  pid=$!
  mkdir -p "$(dirname "$state")"
  printf 'dir=%q\nport=%q\npid=%q\n' "$dir" "$port" "$pid" >"$state"
  local i
  for ((i = 0; i < 120; i++)); do
    if python3 - "$port" <<'PY' 2>/dev/null; then
import sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v2/images",
                             headers={"X-Identity-Status": "Confirmed", "X-Project-Id": "probe", "X-User-Id": "probe", "X-Roles": "member,reader"})
urllib.request.urlopen(req, timeout=2).read()
PY
      GLANCE_URL="http://127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  echo "glance-api did not answer on 127.0.0.1:$port; its output and log:" >&2
  tail -n 30 "$dir/server.out" "$dir"/log/*.log >&2 2>/dev/null || true
  glance_stop "$state"
  return 1
}

glance_stop() {
  local state="$1" dir="" port="" pid=""
  [[ -f "$state" ]] || return 0
  # shellcheck disable=SC1090
  source "$state"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    # The server was started in a session of its own: its workers go with it.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 40; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if [[ -n "$dir" && "$dir" == */ivc-glance.* ]]; then
    rm -rf "$dir"
  fi
  rm -f "$state"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  usage="usage: $0 start [STATE] | stop [STATE]"
  [[ $# -ge 1 ]] || { echo "$usage" >&2; exit 2; }
  state=$(realpath -m "${2:-$repo/artifacts/glance.state}")
  case "$1" in
    start)
      if [[ -f "$state" ]]; then
        echo "$state exists: a server is running (stop it with $0 stop $state)" >&2
        exit 1
      fi
      glance_start "$state" || exit 1
      echo "Glance API on $GLANCE_URL ($state); stop it with: $0 stop${2:+ $state}" >&2
      echo "export IMAGEVOLUMECACHE_GLANCE='$GLANCE_URL'"
      ;;
    stop)
      glance_stop "$state"
      ;;
    *)
      echo "$usage" >&2
      exit 2
      ;;
  esac
fi
