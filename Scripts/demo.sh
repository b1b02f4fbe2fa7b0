#!/usr/bin/env bash
# The main job: a demo SMP clinic on a private PostgreSQL.
# Installs what is missing, starts the cluster (in .pg/), builds Stipple (release), then
# `stipple demo`: migrate, generate a seeded history through the domain rules, upload synthetic
# scalp photos (made with libvips, no real person) for the first clients and print how many photos
# there are with a curl line to fetch one, rebuild every projection and print a client's timeline,
# revenue reports and a recall answer; ends by printing the console's URL and an operator key to
# sign in with.
#   Scripts/demo.sh [--clients N] [--seed S]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
export PATH="/opt/swift/usr/bin:$PATH"

bash Scripts/deps.sh
url="$(bash Scripts/pg.sh start)"
echo "demo: PostgreSQL at $url (stop it with Scripts/pg.sh stop)" >&2
echo "demo: building (release; the first build takes a few minutes)" >&2
log="$(mktemp)"
if ! swift build -c release --product stipple >"$log" 2>&1; then
    grep -E 'error' "$log" | head -n 20 >&2 || tail -n 30 "$log" >&2
    echo "demo: the build failed (full log: $log)" >&2
    exit 1
fi
rm -f "$log"
export STIPPLE_DATABASE_URL="$url"
export STIPPLE_SCHEMA_DIR="$here/Schema"
# Client personal data is encrypted under keys wrapped by this master key; `stipple demo` creates
# the file (32 random bytes, base64, mode 600) when it does not exist yet. Keep it: without it the
# demo clients' personal data cannot be read.
export STIPPLE_MASTER_KEY_FILE="${STIPPLE_MASTER_KEY_FILE:-$here/.stipple/master.key}"
echo "demo: master key file $STIPPLE_MASTER_KEY_FILE (export STIPPLE_MASTER_KEY_FILE=$STIPPLE_MASTER_KEY_FILE to explore)" >&2
stipple="$(swift build -c release --show-bin-path)/stipple"
"$stipple" demo "$@"
# The console: a key to sign in with (shown once; only its hash is stored) and where to open it.
key="$("$stipple" keys create --role operator --name "console-demo-$(date +%s)" | grep -o 'stp_[0-9a-f]\{64\}' | head -n 1)"
port="${STIPPLE_DEMO_PORT:-8080}"
echo "== The operator console"
echo "   start the server:  STIPPLE_DATABASE_URL=$url STIPPLE_SCHEMA_DIR=$here/Schema \\"
echo "                      STIPPLE_MASTER_KEY_FILE=$STIPPLE_MASTER_KEY_FILE $stipple serve --port $port"
echo "   console URL:       http://127.0.0.1:$port/console"
echo "   sign-in key:       $key   (role operator; revoke with: stipple keys revoke ID)"
