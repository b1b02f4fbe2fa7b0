#!/usr/bin/env bash
# A private PostgreSQL cluster in a project-local folder on a free loopback port.
#   Scripts/pg.sh start   initialise (first time) and start; prints the URL
#   Scripts/pg.sh stop    stop it (fast shutdown)
#   Scripts/pg.sh url     print the postgresql:// URL of the running cluster
#   Scripts/pg.sh status  say whether it runs
# The folder defaults to .pg/ in the repository (override with STIPPLE_PG_DIR); STIPPLE_PG_MAX_CONNECTIONS
# (default 200) sets max_connections when the server starts.
# As root, the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${STIPPLE_PG_DIR:-$here/.pg}"
data="$dir/data"
portfile="$dir/port"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        # runuser keeps no tty requirements and needs no password.
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

url() {
    [ -f "$portfile" ] || { echo "pg.sh: no cluster in $dir (run: Scripts/pg.sh start)" >&2; exit 1; }
    echo "postgresql://stipple@127.0.0.1:$(cat "$portfile")/stipple"
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$(bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
    bash "$here/Scripts/deps.sh"
    local bin; bin="$(bin_dir)"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if running; then url; return; fi
    local port; port="$(free_port)"
    echo "$port" >"$portfile"
    # Durable defaults (fsync, synchronous_commit on); sockets in the cluster folder, loopback only.
    as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=${STIPPLE_PG_MAX_CONNECTIONS:-200} -c shared_buffers=256MB" \
        start >/dev/null || { tail -n 30 "$dir/server.log" >&2; exit 1; }
    "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SELECT 'CREATE ROLE stipple LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple')\gexec
SELECT 'CREATE DATABASE stipple OWNER stipple' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'stipple')\gexec
SQL
    url
}

stop() {
    if running; then as_owner "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    status) if running; then echo "running: $(url)"; else echo "stopped"; exit 1; fi ;;
    *) echo "usage: Scripts/pg.sh start|stop|url|status" >&2; exit 2 ;;
esac
