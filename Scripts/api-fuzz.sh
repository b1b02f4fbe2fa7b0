#!/usr/bin/env bash
# Validates the OpenAPI document and fuzzes the live API with schemathesis (from PyPI, in a
# venv): starts `stipple serve` on loopback against a fresh, migrated database of the cluster
# at STIPPLE_TEST_DATABASE_URL, with one key per role, and fails on any 5xx, any answer the
# document does not describe (status, content type, headers, body schema), or an invalid
# document. Bounded in time: each schemathesis run stops at a 3-minute cap (a time box: stopping there with
# every case passed is a pass; any failed case fails the script).
#   Scripts/api-fuzz.sh [path/to/stipple]      (Scripts/test.sh runs it after the Swift tests)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stipple="${1:-$here/.build/debug/stipple}"
# The scratch database, server and venv, shared with Scripts/console-browser.sh.
source "$here/Scripts/lib/scratch-server.sh"
scratch_binary api-fuzz
examples="${STIPPLE_FUZZ_EXAMPLES:-20}"
per_run_limit="${STIPPLE_FUZZ_RUN_SECONDS:-180}"

# The tools, in the shared venv (kept between runs in .build/).
scratch_tools api-fuzz "schemathesis==4.32.5" "openapi-spec-validator==0.9.0"
venv="$scratch_venv"
echo "api-fuzz: $("$venv/bin/schemathesis" --version)"

# A database of its own on the test cluster, one key per role, the server.
scratch_database api-fuzz
"$stipple" migrate >/dev/null
operator_key="$(scratch_key operator fuzz-operator)"
auditor_key="$(scratch_key auditor fuzz-auditor)"
admin_key="$(scratch_key admin fuzz-admin)"
scratch_serve api-fuzz
base="$scratch_base"
work="$scratch_work"
echo "api-fuzz: server at $base"

# 1. The document itself.
curl -fsS "$base/openapi.json" -o "$work/openapi.json"
"$venv/bin/openapi-spec-validator" --schema 3.1 "$work/openapi.json"

# 2. Fuzz the live server, one run per role, each over the routes that role may call.
# /v1/subscribe never ends by design (server-sent events); the Swift tests cover it.
# One worker: with two (threads), hypothesis' ast.parse sometimes dies in CPython 3.11 with "SystemError: AST
# constructor recursion depth mismatch" (python/cpython gh-106905, fixed in later releases; Debian 12 ships 3.11).
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
status=0
run() {
    local name="$1" key="$2"
    shift 2
    echo "api-fuzz: fuzzing as $name"
    timeout --signal=INT "$per_run_limit" "$venv/bin/schemathesis" run "$base/openapi.json" \
        -H "Authorization: Bearer $key" --checks "$checks" --exclude-path /v1/subscribe \
        --phases examples,coverage,fuzzing --max-examples "$examples" --workers 1 --request-timeout 10 \
        --suppress-health-check all --warnings off --no-color "$@" >"$work/$name.log" 2>&1 || {
        local code=$?
        # The cap is a time box, not a finding: a run stopped by it whose cases all passed is a pass.
        if [ "$code" -eq 124 ] && grep -qE "[0-9]+ generated, [0-9]+ passed *$" "$work/$name.log" \
            && ! grep -qE "[0-9]+ (failed|errored)" "$work/$name.log"; then
            echo "api-fuzz: $name stopped at the ${per_run_limit} s cap; every case run so far passed"
        else
            tail -n 80 "$work/$name.log" >&2
            echo "api-fuzz: FAILED as $name (exit $code)" >&2
            status=1
            return 0
        fi
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
