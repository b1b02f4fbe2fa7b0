#!/usr/bin/env bash
# Validates the OpenAPI document and fuzzes the live API with schemathesis (from PyPI, in a
# venv): starts `stipple serve` on loopback against a fresh, migrated database of the cluster
# at STIPPLE_TEST_DATABASE_URL, with one key per role, and fails on any 5xx, any answer the
# document does not describe (status, content type, headers, body schema), or an invalid
# document. Bounded in time (each schemathesis run is capped; about 2–3 minutes on 2 cores).
#   Scripts/api-fuzz.sh [path/to/stipple]      (Scripts/test.sh runs it after the Swift tests)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stipple="${1:-$here/.build/debug/stipple}"
: "${STIPPLE_TEST_DATABASE_URL:?set STIPPLE_TEST_DATABASE_URL (Scripts/test.sh does)}"
[ -x "$stipple" ] || { echo "api-fuzz: no stipple binary at $stipple (swift build first)" >&2; exit 1; }
schemathesis_version="4.32.5"
validator_version="0.9.0"
examples="${STIPPLE_FUZZ_EXAMPLES:-20}"
per_run_limit="${STIPPLE_FUZZ_RUN_SECONDS:-150}"

# The tools, in a venv of their own (kept between runs in .build/).
venv="${STIPPLE_FUZZ_VENV:-$here/.build/api-fuzz-venv}"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    rm -rf "$venv"
    python3 -m venv "$venv" || {
        echo "api-fuzz: 'python3 -m venv' failed; install python3-venv (Scripts/deps.sh does)" >&2
        exit 1
    }
    if ! "$venv/bin/pip" install --disable-pip-version-check --quiet --timeout 60 --retries 3 \
        "schemathesis==$schemathesis_version" "openapi-spec-validator==$validator_version"; then
        echo "api-fuzz: FAILED to install schemathesis from PyPI (is PyPI reachable?)" >&2
        exit 1
    fi
fi
echo "api-fuzz: $("$venv/bin/schemathesis" --version)"

# A database of its own on the test cluster.
work="$(mktemp -d)"
database="api_fuzz_$$"
admin_url="$STIPPLE_TEST_DATABASE_URL"
export STIPPLE_DATABASE_URL="${admin_url%/*}/$database"
export STIPPLE_SCHEMA_DIR="${STIPPLE_SCHEMA_DIR:-$here/Schema}"
export STIPPLE_MASTER_KEY="${STIPPLE_MASTER_KEY:-$(python3 -c 'import secrets; print(secrets.token_hex(32))')}"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
psql "$admin_url" -qc "CREATE DATABASE $database" >/dev/null
"$stipple" migrate >/dev/null
key() { "$stipple" keys create --role "$1" --name "fuzz-$1" | grep -o 'stp_[0-9a-f]\{64\}' | head -n 1; }
operator_key="$(key operator)"
auditor_key="$(key auditor)"
admin_key="$(key admin)"

"$stipple" serve --host 127.0.0.1 --port 0 >"$work/serve.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do
    port="$(grep -o 'Serving on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$' || true)"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || { echo "api-fuzz: the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
echo "api-fuzz: server at $base"

# 1. The document itself.
curl -fsS "$base/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-spec-validator" --schema 3.1 "$work/openapi.json"

# 2. Fuzz the live server, one run per role, each over the routes that role may call.
# /v1/subscribe never ends by design (server-sent events); the Swift tests cover it.
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
status=0
run() {
    local name="$1" key="$2"
    shift 2
    echo "api-fuzz: fuzzing as $name"
    timeout --signal=INT "$per_run_limit" "$venv/bin/schemathesis" run "$base/openapi.json" \
        -H "Authorization: Bearer $key" --checks "$checks" --exclude-path /v1/subscribe \
        --phases examples,coverage,fuzzing --max-examples "$examples" --workers 2 --request-timeout 10 \
        --suppress-health-check all --warnings off --no-color "$@" >"$work/$name.log" 2>&1 || {
        local code=$?
        tail -n 80 "$work/$name.log" >&2
        echo "api-fuzz: FAILED as $name (exit $code)" >&2
        status=1
        return 0
    }
    grep -E "generated|passed|Seed" "$work/$name.log" | tail -n 3
}
run operator "$operator_key" --exclude-path-regex '^/v1/(events|streams|keys|webhooks)'
run auditor "$auditor_key" --include-path-regex '^/v1/(events|streams/)'
run admin "$admin_key" --include-path-regex '^/(v1/keys|v1/webhooks|health|metrics|openapi)'

# 3. The server is still answering and has written no 5xx.
curl -fsS "$base/health" >/dev/null || { echo "api-fuzz: the server stopped answering" >&2; status=1; }
if grep -q 'status="5' <(curl -fsS "$base/metrics"); then
    echo "api-fuzz: the server answered 5xx:" >&2
    curl -fsS "$base/metrics" | grep 'status="5' >&2
    status=1
fi
[ "$status" -eq 0 ] && echo "api-fuzz: OK (no 5xx, every answer as documented)"
exit "$status"
