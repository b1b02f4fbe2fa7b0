#!/usr/bin/env bash
# The console in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by
# selenium (from PyPI, in the venv it shares with Scripts/api-fuzz.sh) against `stipple serve` on loopback
# with a demo clinic on a fresh database of the cluster at STIPPLE_TEST_DATABASE_URL.
# Screenshots of each page go to .build/console-screenshots/ (not committed).
#   Scripts/console-browser.sh [path/to/stipple]      (Scripts/test.sh runs it on full runs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stipple="${1:-$here/.build/debug/stipple}"
# The scratch database, server and venv, shared with Scripts/api-fuzz.sh.
source "$here/Scripts/lib/scratch-server.sh"
scratch_binary console-browser
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || {
    echo "console-browser: needs /usr/bin/chromium and /usr/bin/chromedriver (Scripts/deps.sh installs them)" >&2
    exit 1
}
clients="${STIPPLE_BROWSER_CLIENTS:-40}"

# selenium in the venv the API fuzzer shares.
scratch_tools console-browser "selenium==4.51.0"
scratch_database console-browser
"$stipple" demo --clients "$clients" >"$scratch_work/demo.log" 2>&1 || { tail -n 30 "$scratch_work/demo.log" >&2; exit 1; }
key="$(scratch_key operator console-browser)"
auditor_key="$(scratch_key auditor console-browser-auditor)"
# Where and with whom a consultation can be booked: active technicians at their home locations, with the zone.
places="$(psql "$STIPPLE_DATABASE_URL" -Atc "SELECT coalesce(json_agg(json_build_object('location', home_location,
    'technician', technician_id, 'zone', l.time_zone)), '[]') FROM schedule.schedule_technicians t
    LEFT JOIN schedule.schedule_locations l ON l.location_id = t.home_location
    WHERE active AND home_location IS NOT NULL")"

scratch_serve console-browser
port="$scratch_port"
echo "console-browser: stipple serve on port $port, demo clinic of $clients clients"

# The demo clients with stored images (the demo uploads synthetic scalp photos for its first clients).
photo_clients="$(psql "$STIPPLE_DATABASE_URL" -Atc "SELECT string_agg(DISTINCT substring(subject from 8), ',')
    FROM client_photos")"
STIPPLE_CONSOLE_URL="http://127.0.0.1:$port" STIPPLE_OPERATOR_KEY="$key" STIPPLE_AUDITOR_KEY="$auditor_key" \
    STIPPLE_PLACES="$places" \
    STIPPLE_PHOTO_CLIENTS="$photo_clients" \
    STIPPLE_SCREENSHOTS="$here/.build/console-screenshots" \
    "$scratch_venv/bin/python" "$here/Scripts/console_browser_test.py"
