#!/usr/bin/env bash
# The whole test suite against a real, private PostgreSQL:
# installs what is missing, starts a throwaway cluster, runs `swift test`, then validates the
# OpenAPI document and fuzzes the live API with schemathesis (Scripts/api-fuzz.sh; from PyPI,
# which must be reachable), stops the cluster even when tests fail, and exits non-zero if
# anything failed.
#   Scripts/test.sh [extra swift test arguments, e.g. --filter EventStoreTests]
#   STIPPLE_SKIP_API_FUZZ=1 Scripts/test.sh    skips the fuzzing step (on in CI; off with extra arguments)
#   STIPPLE_SKIP_BROWSER=1 Scripts/test.sh     skips the console's browser test (Scripts/console-browser.sh)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export PATH="/opt/swift/usr/bin:$PATH"

bash Scripts/deps.sh

# A cluster of its own, separate from the demo's, made anew each run.
export STIPPLE_PG_DIR="${STIPPLE_TEST_PG_DIR:-$here/.pg-test}"
bash Scripts/pg.sh stop >/dev/null 2>&1 || true
rm -rf "$STIPPLE_PG_DIR"
# ~400 tests run in parallel, each with its own database and pool, some with `stipple serve` processes,
# lease and idempotency-lock connections: 200 connections were seen to run out ("too many clients").
url="$(STIPPLE_PG_MAX_CONNECTIONS=500 bash Scripts/pg.sh start)"
trap 'bash Scripts/pg.sh stop || true' EXIT
export STIPPLE_TEST_DATABASE_URL="$url"
export STIPPLE_SCHEMA_DIR="$here/Schema"

echo "test: PostgreSQL at $url"
started=$(date +%s)
status=0
# The code follows .swift-format (Tests/.swift-format allows force-unwraps in tests): `swift format -i -r -p
# Sources Tests` fixes what this finds.
if ! swift format lint --strict -r -p Sources Tests; then
    echo "test: swift format lint found the lines above; run: swift format -i -r -p Sources Tests" >&2
    status=1
fi
log="$(mktemp)"
# The build's own exit status decides; the log is filtered only for reading.
swift build --build-tests >"$log" 2>&1 || status=$?
grep -E 'error|warning:|Build' "$log" | tail -n 40 || true
# No warnings in our own code (dependencies are not ours to fix).
if grep -E "^$here/(Sources|Tests)/.*: warning:" "$log" | sort -u | head -n 20 | grep .; then
    echo "test: the build has warnings (listed above); fix them" >&2
    status=1
fi
rm -f "$log"
if [ "$status" -eq 0 ]; then
    # A test that hangs fails the run with its name instead of running into CI's limit: `swift test` gets
    # STIPPLE_TEST_TIMEOUT seconds (default 1800; a full run takes ~75 s on 2 cores). Its output goes to a
    # file, shown as it grows, so no process a test leaves behind can hold a pipe of ours open.
    tests_log="$(mktemp)"
    # Line-buffered (stdbuf reaches the test binary through its environment): written to a file, its output
    # would otherwise sit in a 4 KiB buffer, and a run that hangs would show tests as unfinished that had ended.
    timeout -k 30 "${STIPPLE_TEST_TIMEOUT:-1800}" stdbuf -oL -eL swift test --skip-build "$@" >"$tests_log" 2>&1 &
    tests_pid=$!
    tail -n +1 -f --pid="$tests_pid" "$tests_log"
    wait "$tests_pid" || status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "test: swift test did not finish within ${STIPPLE_TEST_TIMEOUT:-1800}s; these tests started and never ended:" >&2
        python3 Scripts/lib/unfinished_tests.py "$tests_log" >&2 || true
        # swift test runs the test binary in a process group of its own, which `timeout` does not reach; the
        # binary and the `stipple` processes its tests started (also in groups of their own) are stopped here.
        bin_path="$(swift build --show-bin-path)"
        pkill -KILL -f "^$bin_path/StipplePackageTests.xctest" 2>/dev/null || true
        pkill -KILL -f "^$bin_path/stipple " 2>/dev/null || true
    fi
    rm -f "$tests_log"
fi
# Tests that start PostgreSQL clusters of their own (in the temporary folder) stop them; one still running
# is a bug in its test: say so, and stop it.
for pid_file in "${TMPDIR:-/tmp}"/stipple-restart-*/data/postmaster.pid; do
    [ -f "$pid_file" ] || continue
    echo "test: a test left the PostgreSQL cluster $(dirname "$pid_file") running; stopping it" >&2
    STIPPLE_PG_DIR="$(dirname "$(dirname "$pid_file")")" bash Scripts/pg.sh stop >/dev/null 2>&1 || true
done
# The fuzzing step runs on full runs (CI's); a filtered run (extra arguments) skips it.
if [ "$status" -eq 0 ] && [ "$#" -eq 0 ] && [ "${STIPPLE_SKIP_API_FUZZ:-0}" != "1" ]; then
    fuzz_started=$(date +%s)
    bash Scripts/api-fuzz.sh "$(swift build --show-bin-path)/stipple" || status=$?
    echo "test: API fuzzing took $(( $(date +%s) - fuzz_started ))s"
fi
# The console in a real browser (headless Chromium), on full runs too.
if [ "$status" -eq 0 ] && [ "$#" -eq 0 ] && [ "${STIPPLE_SKIP_BROWSER:-0}" != "1" ]; then
    browser_started=$(date +%s)
    # Bounded like the tests: a browser that stops answering fails the run instead of holding it.
    timeout -k 30 "${STIPPLE_BROWSER_TIMEOUT:-900}" bash Scripts/console-browser.sh "$(swift build --show-bin-path)/stipple" \
        || status=$?
    echo "test: the browser test took $(( $(date +%s) - browser_started ))s"
fi
echo "test: finished in $(( $(date +%s) - started ))s with status $status"
exit "$status"
