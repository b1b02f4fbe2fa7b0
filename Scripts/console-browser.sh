#!/usr/bin/env bash
# The console in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by
# selenium (from PyPI, in the venv Scripts/api-fuzz.sh makes) against `stipple serve` on loopback
# with a demo clinic on a fresh database of the cluster at STIPPLE_TEST_DATABASE_URL.
# Screenshots of each page go to .build/console-screenshots/ (not committed).
#   Scripts/console-browser.sh [path/to/stipple]      (Scripts/test.sh runs it on full runs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stipple="${1:-$here/.build/debug/stipple}"
: "${STIPPLE_TEST_DATABASE_URL:?set STIPPLE_TEST_DATABASE_URL (Scripts/test.sh does)}"
[ -x "$stipple" ] || { echo "console-browser: no stipple binary at $stipple (swift build first)" >&2; exit 1; }
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || {
    echo "console-browser: needs /usr/bin/chromium and /usr/bin/chromedriver (Scripts/deps.sh installs them)" >&2
    exit 1
}
selenium_version="4.51.0"
clients="${STIPPLE_BROWSER_CLIENTS:-40}"

# selenium in the API fuzzer's venv (made here when the fuzzer has not made it yet).
venv="${STIPPLE_FUZZ_VENV:-$here/.build/api-fuzz-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2>/dev/null; then
    "$venv/bin/pip" install --disable-pip-version-check --quiet --timeout 60 --retries 3 "selenium==$selenium_version" || {
        echo "console-browser: FAILED to install selenium from PyPI (is PyPI reachable?)" >&2
        exit 1
    }
fi

work="$(mktemp -d)"
database="console_browser_$$"
admin_url="$STIPPLE_TEST_DATABASE_URL"
export STIPPLE_DATABASE_URL="${admin_url%/*}/$database"
export STIPPLE_SCHEMA_DIR="${STIPPLE_SCHEMA_DIR:-$here/Schema}"
export STIPPLE_MASTER_KEY="${STIPPLE_MASTER_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"
unset STIPPLE_MASTER_KEY_FILE
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql "$admin_url" -qc "CREATE DATABASE $database" >/dev/null
"$stipple" demo --clients "$clients" >"$work/demo.log" 2>&1 || { tail -n 30 "$work/demo.log" >&2; exit 1; }
key="$("$stipple" keys create --role operator --name console-browser | grep -o 'stp_[0-9a-f]\{64\}' | head -n 1)"
# Where and with whom a consultation can be booked: active technicians at their home locations.
places="$(psql "$STIPPLE_DATABASE_URL" -Atc "SELECT coalesce(json_agg(json_build_object('location', home_location,
    'technician', technician_id, 'zone', l.time_zone)), '[]') FROM schedule.schedule_technicians t
    LEFT JOIN schedule.schedule_locations l ON l.location_id = t.home_location
    WHERE active AND home_location IS NOT NULL")"

"$stipple" serve --host 127.0.0.1 --port 0 >"$work/serve.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
    port="$(grep -o 'Serving on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "console-browser: the server did not start" >&2; cat "$work/serve.log" >&2; exit 1; }
echo "console-browser: stipple serve on port $port, demo clinic of $clients clients"

# The demo clients with stored images (the demo uploads synthetic scalp photos for its first clients).
photo_clients="$(psql "$STIPPLE_DATABASE_URL" -Atc "SELECT string_agg(DISTINCT substring(subject from 8), ',')
    FROM client_photos")"
STIPPLE_CONSOLE_URL="http://127.0.0.1:$port" STIPPLE_OPERATOR_KEY="$key" STIPPLE_PLACES="$places" \
    STIPPLE_PHOTO_CLIENTS="$photo_clients" \
    STIPPLE_SCREENSHOTS="$here/.build/console-screenshots" \
    "$venv/bin/python" "$here/Scripts/console_browser_test.py"
