#!/usr/bin/env bash
# Time to first byte of the console's client page: signs in to `stipple serve`, then loads the pages
# of demo clients (round robin) N times with curl and prints p50/p99/max.
#   Scripts/console-ttfb.sh BASE_URL OPERATOR_KEY [N=200]     against a running server
#   Scripts/console-ttfb.sh --demo [N=200] [CLIENTS=200]      on a scratch database of the cluster at
#       STIPPLE_TEST_DATABASE_URL with `stipple demo --clients CLIENTS` and its own server (debug build, or
#       STIPPLE_BINARY), set up by Scripts/lib/scratch-server.sh as the browser test and the fuzzer are
# The client ids come from the server's own API (/v1/forecasts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--demo" ]; then
    count="${2:-200}"
    clients="${3:-200}"
    stipple="${STIPPLE_BINARY:-$here/.build/debug/stipple}"
    source "$here/Scripts/lib/scratch-server.sh"
    scratch_binary console-ttfb
    scratch_database console-ttfb
    "$stipple" demo --clients "$clients" >"$scratch_work/demo.log" 2>&1 || {
        tail -n 30 "$scratch_work/demo.log" >&2
        exit 1
    }
    key="$(scratch_key operator console-ttfb)"
    scratch_serve console-ttfb
    base="$scratch_base"
    # The server's projection runner has the demo's history already applied (demo rebuilt them): wait for
    # it to take its lease and settle before measuring.
    sleep 3
else
    base="${1:?base URL, e.g. http://127.0.0.1:8080 (or --demo)}"
    key="${2:?an operator key}"
    count="${3:-200}"
fi
jar="$(mktemp)"
trap 'rm -f "$jar" "$jar.ids"; declare -F scratch_cleanup >/dev/null && scratch_cleanup' EXIT

form="$(curl -s -c "$jar" "$base/console/sign-in")"
csrf="$(printf '%s' "$form" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | grep -o '[0-9a-f]\{64\}')"
status="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode "key=$key" "$base/console/sign-in")"
[ "$status" = 303 ] || { echo "console-ttfb: sign-in answered $status" >&2; exit 1; }
curl -s "$base/v1/forecasts?due_within=3650d&limit=500" -H "Authorization: Bearer $key" \
    | grep -o '"clientID":"[0-9a-f-]*"' | grep -o '[0-9a-f-]\{36\}' | sort -u >"$jar.ids"
[ -s "$jar.ids" ] || { echo "console-ttfb: no demo clients found" >&2; exit 1; }
mapfile -t ids <"$jar.ids"
times=()
for i in $(seq 0 $((count - 1))); do
    id="${ids[$((i % ${#ids[@]}))]}"
    read -r code ttfb < <(curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_starttransfer}\n' \
        "$base/console/clients/$id")
    [ "$code" = 200 ] || { echo "console-ttfb: $id answered $code" >&2; exit 1; }
    times+=("$ttfb")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$count" -v clients="${#ids[@]}" '
    { t[NR] = $1 * 1000 }
    END {
        p50 = t[int((n - 1) * 0.50) + 1]; p99 = t[int((n - 1) * 0.99) + 1]
        printf "console-ttfb: %d loads of the client page (%d distinct clients): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", n, clients, p50, p99, t[n]
    }'
