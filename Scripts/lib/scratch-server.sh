# Sourced by the scripts that test a live `stipple serve` (Scripts/api-fuzz.sh, Scripts/console-browser.sh):
# the pieces they share, in one place.
#   scratch_tools NAME "pkg==version" …   the Python tools, in one venv kept in .build/ (STIPPLE_FUZZ_VENV)
#   scratch_database NAME                 a fresh database on the cluster at STIPPLE_TEST_DATABASE_URL, with a
#                                         random master key; exports STIPPLE_DATABASE_URL and the rest
#   scratch_serve NAME                    `stipple serve` on a free loopback port; sets scratch_port, scratch_base
# Everything started here is stopped, and the database dropped, when the script exits.
# Needs: `here` (the repository root) and `stipple` (the binary) set by the caller, `set -euo pipefail`.

scratch_work="$(mktemp -d)"
scratch_admin_url=""
scratch_database_name=""
scratch_server_pid=""
scratch_port=""
scratch_base=""
scratch_venv="${STIPPLE_FUZZ_VENV:-$here/.build/api-fuzz-venv}"

scratch_cleanup() {
    if [ -n "$scratch_server_pid" ]; then
        kill -TERM "$scratch_server_pid" 2>/dev/null || true
        wait "$scratch_server_pid" 2>/dev/null || true
    fi
    if [ -n "$scratch_database_name" ]; then
        psql "$scratch_admin_url" -qc "DROP DATABASE IF EXISTS $scratch_database_name WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$scratch_work"
}
trap scratch_cleanup EXIT

# scratch_binary NAME: fails with a clear line unless $stipple is a built binary.
scratch_binary() {
    [ -x "$stipple" ] || { echo "$1: no stipple binary at $stipple (swift build first)" >&2; exit 1; }
}

# scratch_tools NAME REQUIREMENT…: pip-installs each pinned requirement (`name==version`) the shared venv lacks.
scratch_tools() {
    local name="$1"
    shift
    if [ ! -x "$scratch_venv/bin/python" ]; then
        python3 -m venv "$scratch_venv" || {
            echo "$name: 'python3 -m venv' failed; install python3-venv (Scripts/deps.sh does)" >&2
            exit 1
        }
    fi
    local missing=()
    local requirement
    for requirement in "$@"; do
        "$scratch_venv/bin/python" -c "import importlib.metadata as m, sys
name, version = sys.argv[1].split('==')
sys.exit(m.version(name) != version)" "$requirement" 2>/dev/null || missing+=("$requirement")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    "$scratch_venv/bin/pip" install --disable-pip-version-check --quiet --timeout 60 --retries 3 "${missing[@]}" || {
        echo "$name: FAILED to install ${missing[*]} from PyPI (is PyPI reachable?)" >&2
        exit 1
    }
}

# scratch_database NAME: a database of its own on the test cluster, and a random master key for it.
scratch_database() {
    : "${STIPPLE_TEST_DATABASE_URL:?set STIPPLE_TEST_DATABASE_URL (Scripts/test.sh does)}"
    scratch_admin_url="$STIPPLE_TEST_DATABASE_URL"
    scratch_database_name="${1//-/_}_$$"
    export STIPPLE_DATABASE_URL="${scratch_admin_url%/*}/$scratch_database_name"
    export STIPPLE_SCHEMA_DIR="${STIPPLE_SCHEMA_DIR:-$here/Schema}"
    export STIPPLE_MASTER_KEY="${STIPPLE_MASTER_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"
    unset STIPPLE_MASTER_KEY_FILE
    psql "$scratch_admin_url" -qc "CREATE DATABASE $scratch_database_name" >/dev/null
}

# scratch_key ROLE NAME: a new API key of ROLE (printed once by `stipple keys create`).
scratch_key() {
    "$stipple" keys create --role "$1" --name "$2" | grep -o 'stp_[0-9a-f]\{64\}' | head -n 1
}

# scratch_serve NAME: `stipple serve` on 127.0.0.1, port chosen by the system; waits until it listens.
scratch_serve() {
    "$stipple" serve --host 127.0.0.1 --port 0 >"$scratch_work/serve.log" 2>&1 &
    scratch_server_pid=$!
    local _
    for _ in $(seq 1 300); do
        scratch_port="$(grep -o 'Serving on http://127.0.0.1:[0-9]*' "$scratch_work/serve.log" | grep -o '[0-9]*$' || true)"
        [ -n "$scratch_port" ] && break
        kill -0 "$scratch_server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$scratch_port" ] || { echo "$1: the server did not start:" >&2; cat "$scratch_work/serve.log" >&2; exit 1; }
    scratch_base="http://127.0.0.1:$scratch_port"
}
