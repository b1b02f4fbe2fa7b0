#!/usr/bin/env bash
# Benchmarks Stipple against plain PostgreSQL baselines measured in the same run, on the same
# private, durable cluster (fsync on, synchronous_commit on). Not part of the test run.
#
#   Scripts/bench.sh                 full run: growth at 10k/100k/200k generator events (~12 min on 2 cores)
#   Scripts/bench.sh --events 1000000   the largest size 1M (generation and rebuild take long; see docs/benchmarks.md)
#   Scripts/bench.sh --sizes 10000,100000,1000000   the three growth sizes
#   Scripts/bench.sh --quick         tiny sizes, one run each: a smoke test for CI
#   Scripts/bench.sh --runs 5        measured runs per figure (default 3; a warm-up run always comes first)
#   Scripts/bench.sh --no-master-key  run without a master key (personal data stored unsealed; not how
#                                     production runs: for comparison with runs before 2026-12-06 only)
#
# By default every stipple-bench process runs with a master key (a fresh random one per run, in
# STIPPLE_MASTER_KEY), as production does: client personal data is sealed on append and opened on
# read, fold and rebuild, so those figures include the vault's cost.
#
# STIPPLE_BENCH_BIN=/path/to/stipple-bench skips the build (e.g. a binary from another package).
# Output: one line per figure with its baseline and the ratio; raw figures in .pg-bench/results.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
events=200000
runs=3
custom_sizes=()
master_key=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --events) events="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        --sizes) IFS=, read -r -a custom_sizes <<<"$2"; shift ;;
        --no-master-key) master_key=0 ;;
        *) echo "usage: Scripts/bench.sh [--quick] [--events N] [--sizes A,B,C] [--runs N] [--no-master-key]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$quick" -eq 1 ]; then
    sizes=(1000 3000 6000); runs=1
    appends1=100; appends8=160; appends100=20; growth_appends=100; queries=50; history_clients=1000
    live_subscribers=5; live_rate=100; live_seconds=2
    fanout_subscribers=1000; fanout_rate=20; fanout_seconds=2
else
    sizes=(10000 100000 "$events")
    appends1=2000; appends8=4000; appends100=200; growth_appends=1000; queries=1000; history_clients=30000
    live_subscribers=50; live_rate=500; live_seconds=10
    fanout_subscribers=1000; fanout_rate=50; fanout_seconds=5
fi
[ ${#custom_sizes[@]} -eq 3 ] && sizes=("${custom_sizes[@]}")
largest="${sizes[2]}"
# Enough clients that the seeded history is longer than the largest size (about 50 events per client).
clients=$(( largest / 30 + 50 ))

if [ "$master_key" -eq 1 ]; then
    STIPPLE_MASTER_KEY="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
    export STIPPLE_MASTER_KEY
    unset STIPPLE_MASTER_KEY_FILE
    sealing="master key set: client personal data sealed on append, opened on read, fold and rebuild"
else
    unset STIPPLE_MASTER_KEY STIPPLE_MASTER_KEY_FILE
    sealing="NO master key: personal data stored unsealed (not how production runs)"
fi

export STIPPLE_PG_DIR="$here/.pg-bench"
export STIPPLE_SCHEMA_DIR="$here/Schema"
bench_dir="$STIPPLE_PG_DIR"
results="$(mktemp)"
cleanup() { bash "$here/Scripts/pg.sh" stop || true; }
trap cleanup EXIT

# --- build --------------------------------------------------------------------------------
bin="${STIPPLE_BENCH_BIN:-}"
if [ -z "$bin" ]; then
    echo "bench: building stipple-bench (release)" >&2
    build_log="$(mktemp)"
    (cd "$here" && swift build -c release --product stipple-bench) >"$build_log" 2>&1 \
        || { grep -E 'error' "$build_log" >&2 || tail -n 30 "$build_log" >&2; exit 1; }
    grep -E 'warning:' "$build_log" >&2 || true
    bin="$here/.build/release/stipple-bench"
fi
[ -x "$bin" ] || { echo "bench: no binary at $bin" >&2; exit 1; }

# --- a fresh, durable cluster --------------------------------------------------------------
bash "$here/Scripts/pg.sh" stop 2>/dev/null || true
rm -rf "$bench_dir"
url="$(bash "$here/Scripts/pg.sh" start)"
mv "$results" "$bench_dir/results.txt"; results="$bench_dir/results.txt"
port="$(cat "$bench_dir/port")"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
psql_() { "$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U stipple -v ON_ERROR_STOP=1 "$@"; }
psql_ -d stipple -c "CREATE DATABASE bench_append" -c "CREATE DATABASE clinic" -c "CREATE DATABASE bench_nochain" \
    -c "CREATE DATABASE bench_live"
base_url="${url%/stipple}"
append_url="$base_url/bench_append"
clinic_url="$base_url/clinic"
nochain_url="$base_url/bench_nochain"
live_url="$base_url/bench_live"
settings="$(psql_ -d stipple -At -c "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_sync_method', 'full_page_writes')")"
echo "bench: cluster $url ($settings)" >&2
"$bin" migrate --url "$append_url"
"$bin" migrate --url "$clinic_url"
"$bin" migrate --url "$nochain_url"
"$bin" migrate --url "$live_url"
# A diagnostic only: the events table without its hash-chain trigger (and the NOT NULLs it fills),
# to measure what the chain costs an append. Stipple itself never runs like this.
psql_ -d bench_nochain -c "ALTER TABLE events DISABLE TRIGGER zz_events_hash_chain" \
    -c "ALTER TABLE events ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL, ALTER COLUMN category DROP NOT NULL"

# --- baseline tables: the events row shape and unique indexes, no CHECKs, no hash-chain trigger --
data="$("$bin" payload | sed -n 1p)"
meta="$("$bin" payload | sed -n 2p)"
psql_ -d bench_append <<'SQL'
CREATE SEQUENCE bench_pos;
CREATE SEQUENCE bench_ver;
CREATE TABLE bench_events (
    position        bigint      PRIMARY KEY,
    stream          text        NOT NULL,
    category        text        NOT NULL GENERATED ALWAYS AS (split_part(stream, '-', 1)) STORED,
    version         integer     NOT NULL,
    event_id        uuid        NOT NULL UNIQUE,
    type            text        NOT NULL,
    schema_version  smallint    NOT NULL,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    prev_hash       bytea,
    hash            bytea,
    UNIQUE (stream, version)
);
CREATE INDEX bench_events_category_position ON bench_events (category, position);
-- The same with the events table's CHECKs and an equivalent hash-chain trigger (1 writer only:
-- the chain needs the predecessor committed, which a sequence does not promise under concurrency).
CREATE TABLE bench_chained (LIKE bench_events INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING INDEXES);
ALTER TABLE bench_chained
    ADD CHECK (position > 0), ADD CHECK (stream ~ '^[A-Za-z0-9][A-Za-z0-9_.:@-]*$' AND length(stream) <= 200),
    ADD CHECK (version >= 0), ADD CHECK (type ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(type) <= 200),
    ADD CHECK (schema_version > 0), ADD CHECK (jsonb_typeof(data) = 'object'),
    ADD CHECK (jsonb_typeof(metadata) = 'object');
CREATE SEQUENCE chained_pos;
CREATE FUNCTION bench_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE prev bytea;
BEGIN
    SELECT c.hash INTO prev FROM bench_chained c WHERE c.position = NEW.position - 1;
    prev := coalesce(prev, decode(repeat('00', 32), 'hex'));
    NEW.prev_hash := prev;
    NEW.hash := stipple_chain_hash(prev, NEW.position, NEW.stream, NEW.version, NEW.event_id, NEW.type,
                                   NEW.schema_version, NEW.data, NEW.metadata, NEW.recorded_at);
    RETURN NEW;
END;
$$;
CREATE TRIGGER zz_chain BEFORE INSERT ON bench_chained FOR EACH ROW EXECUTE FUNCTION bench_chain_link();
SQL

scripts="$bench_dir/scripts"; mkdir -p "$scripts"
row() { echo "(nextval('$2'), 'bench-' || :client_id, nextval('bench_ver')::int, gen_random_uuid(), 'bench.appended', 1, '$data'::jsonb, '$meta'::jsonb)"; }
cols="(position, stream, version, event_id, type, schema_version, data, metadata)"
echo "INSERT INTO bench_events $cols VALUES $(row x bench_pos);" >"$scripts/insert1.sql"
echo "INSERT INTO bench_chained $cols VALUES $(row x chained_pos);" >"$scripts/chained1.sql"
{
    printf 'INSERT INTO bench_events %s VALUES ' "$cols"
    for i in $(seq 1 100); do [ "$i" -gt 1 ] && printf ', '; row x bench_pos | tr -d '\n'; done
    echo ';'
} >"$scripts/insert100.sql"
cat >"$scripts/fn1.sql" <<SQL
SELECT stipple_append_batch(jsonb_build_array(jsonb_build_object('appends', jsonb_build_array(jsonb_build_object(
    'stream', 'bench-fn' || :client_id, 'expected', 'any', 'events', jsonb_build_array(jsonb_build_object(
        'id', gen_random_uuid(), 'type', 'bench.appended', 'schema_version', 1, 'data', '$data'::jsonb,
        'metadata', '$meta'::jsonb)))))));
SQL
cat >"$scripts/readpage.sql" <<'SQL'
SELECT position, stream, version, event_id, type, schema_version, data::text, metadata::text, recorded_at
FROM events WHERE position > :last ORDER BY position LIMIT 1000;
\set last :last + 1000
SQL

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f %.3f", m, a[1], a[NR]}'; }
pct() { sort -g | awk -v q="$1" '{a[NR]=$1} END {i=int(q*NR+0.999999); if(i<1)i=1; printf "%.3f", a[i]}'; }

# pgbench_run KEY SCRIPT CLIENTS TRANSACTIONS_PER_CLIENT ROWS_PER_TRANSACTION: one run, appended to $key.runs
pgbench_run() {
    local key="$1" script="$2" clients="$3" tx="$4" rows="$5" logs="$bench_dir/pgbench-$1"
    rm -rf "$logs"; mkdir -p "$logs"
    local t0 t1; t0="$(now)"
    (cd "$logs" && "$pgbin/pgbench" -n -M extended -h 127.0.0.1 -p "$port" -U stipple -c "$clients" -j "$clients" \
        -t "$tx" -f "$script" -l --log-prefix=tx bench_append >/dev/null 2>"$logs/err") \
        || { cat "$logs/err" >&2; exit 1; }
    t1="$(now)"
    local rate p50 p99
    rate="$(awk -v a="$t0" -v b="$t1" -v n="$((clients * tx * rows))" 'BEGIN {printf "%.3f", n/(b-a)}')"
    p50="$(cat "$logs"/tx* | awk '{print $3/1000}' | pct 0.50)"
    p99="$(cat "$logs"/tx* | awk '{print $3/1000}' | pct 0.99)"
    echo "$rate $p50 $p99" >>"$bench_dir/$key.runs"
    echo "bench: $key: $rate events/s, p50 $p50 ms, p99 $p99 ms" >&2
}

# stipple_run KEY ARGS...: one run of `stipple-bench append`, appended to $key.runs
stipple_run() {
    local key="$1"; shift
    local out; out="$("$bin" append --key "$key" --runs 1 --warmup 0 "$@")"
    echo "$(echo "$out" | awk '$2 ~ /\.rate$/ {r=$3} $2 ~ /\.p50$/ {a=$3} $2 ~ /\.p99$/ {b=$3} END {print r, a, b}')" \
        >>"$bench_dir/$key.runs"
}

# Stipple and its baselines take turns, run by run, so that a disk or CPU disturbed by something
# else on the machine (an fsync that suddenly costs 4 ms) hits both sides alike.
# interleave RUNS "KEY COMMAND..." ...: run 0 of each is the warm-up and is dropped.
interleave() {
    local n="$1"; shift
    for run in $(seq 0 "$n"); do
        for spec in "$@"; do
            eval "$spec"
            local key; key="$(echo "$spec" | awk '{print $2}')"
            [ "$run" -eq 0 ] && : >"$bench_dir/$key.runs"
        done
    done
    for spec in "$@"; do
        local key; key="$(echo "$spec" | awk '{print $2}')"
        echo "RESULT $key.rate $(awk '{print $1}' "$bench_dir/$key.runs" | median) events/s" >>"$results"
        echo "RESULT $key.p50 $(awk '{print $2}' "$bench_dir/$key.runs" | median) ms" >>"$results"
        echo "RESULT $key.p99 $(awk '{print $3}' "$bench_dir/$key.runs" | median) ms" >>"$results"
    done
}

pgbench_readall() {
    local head; head="$(psql_ -d clinic -At -c "SELECT position FROM log_head")"
    local pages=$(( head / 1000 + 1 )) rates=()
    for run in $(seq 0 "$runs"); do
        local t0 t1; t0="$(now)"
        "$pgbin/pgbench" -n -M extended -h 127.0.0.1 -p "$port" -U stipple -c 1 -t "$pages" -D last=0 \
            -f "$scripts/readpage.sql" clinic >/dev/null 2>"$bench_dir/pgbench-read.err" \
            || { cat "$bench_dir/pgbench-read.err" >&2; exit 1; }
        t1="$(now)"
        [ "$run" -eq 0 ] && continue
        rates+=("$(awk -v a="$t0" -v b="$t1" -v n="$head" 'BEGIN {printf "%.3f", n/(b-a)}')")
        echo "bench: baseline read run $run: ${rates[-1]} rows/s" >&2
    done
    echo "RESULT base.readall.rate $(printf '%s\n' "${rates[@]}" | median) events/s" >>"$results"
}

stipple() { "$bin" "$@" --runs "$runs" | tee -a "$results" >&2; }
started="$(now)"

# --- 1. appends on an empty log ------------------------------------------------------------
echo "bench: appends (Stipple and baselines interleaved run by run)" >&2
interleave "$runs" \
    "stipple_run append1 --url $append_url --writers 1 --appends $appends1" \
    "pgbench_run base.append1 $scripts/insert1.sql 1 $appends1 1" \
    "pgbench_run base.chained1 $scripts/chained1.sql 1 $appends1 1" \
    "pgbench_run base.fn1 $scripts/fn1.sql 1 $appends1 1" \
    "stipple_run diag.nochain1 --url $nochain_url --writers 1 --appends $appends1"
interleave "$runs" \
    "stipple_run append8 --url $append_url --writers 8 --appends $appends8" \
    "pgbench_run base.append8 $scripts/insert1.sql 8 $(( appends8 / 8 )) 1"
interleave "$runs" \
    "stipple_run append100 --url $append_url --writers 1 --appends $appends100 --events-per-append 100" \
    "pgbench_run base.append100 $scripts/insert100.sql 1 $appends100 100"

# --- 1b. live delivery: the HTTP app in-process, SSE subscribers over TCP, appends at a steady rate -----
echo "bench: live delivery ($live_subscribers SSE subscribers, $live_rate events/s for $live_seconds s)" >&2
stipple live --url "$live_url" --subscribers "$live_subscribers" --rate "$live_rate" --seconds "$live_seconds"

# --- 1c. many subscribers: 1,000 SSE streams on one server; resident memory per subscriber, every event to each -
echo "bench: fan-out ($fanout_subscribers SSE subscribers, $fanout_rate events/s for $fanout_seconds s)" >&2
"$bin" live --url "$live_url" --key fanout --subscribers "$fanout_subscribers" --rate "$fanout_rate" \
    --seconds "$fanout_seconds" --writers 4 --runs 1 --warmup 0 | tee -a "$results" >&2

# --- 2. growth: generate the clinic's history to each size; append latency and rebuild there ----
for size in "${sizes[@]}"; do
    echo "bench: growing the clinic log to $size generator events ($clients clients in the seeded history)" >&2
    "$bin" generate --url "$clinic_url" --to "$size" --clients "$clients" | tee -a "$results" >&2
    psql_ -d clinic -c "VACUUM ANALYZE events"
    stipple append --url "$clinic_url" --key "growth.$size.append1" --writers 1 --appends "$growth_appends"
    if [ "$size" = "$largest" ]; then
        # No separate warm-up here: the rebuild at the previous size just ran in this cluster (one
        # warm-up rebuild at the largest size would add minutes). Each measured rebuild runs in a
        # process of its own, as `stipple rebuild` runs one: a second rebuild in the same process starts
        # with the heap the first left to the allocator (at 1M its peak RSS rose 252 -> 274 MiB over
        # three runs in one process).
        : >"$bench_dir/rebuild.runs"
        for run in $(seq 1 "$runs"); do
            "$bin" rebuild --url "$clinic_url" --key "rebuild.run" --runs 1 --warmup 0 >"$bench_dir/rebuild.out"
            cat "$bench_dir/rebuild.out" >&2
            awk '$2 == "rebuild.run.rate" {r=$3} $2 == "rebuild.run.seconds" {s=$3} $2 == "rebuild.run.rss" {m=$3}
                END {print r, s, m}' "$bench_dir/rebuild.out" >>"$bench_dir/rebuild.runs"
        done
        while read -r name column unit; do
            echo "RESULT rebuild.$name $(awk -v c="$column" '{print $c}' "$bench_dir/rebuild.runs" | median) $unit" >>"$results"
        done <<'FIGURES'
rate 1 events/s
seconds 2 s
rss 3 MiB
FIGURES
    else
        "$bin" rebuild --url "$clinic_url" --key "growth.$size.rebuild" --runs 1 --warmup 0 | tee -a "$results" >&2
    fi
done
grep "^RESULT rebuild\." "$results" | sed "s/^RESULT rebuild\./RESULT growth.$largest.rebuild./" >>"$results"

# --- 3. reading, folding and querying the largest clinic --------------------------------------
echo "bench: read all, fold, queries at $largest events" >&2
stipple readall --url "$clinic_url"
pgbench_readall
stipple fold --url "$clinic_url"
"$bin" queries --url "$clinic_url" --count "$queries" | tee -a "$results" >&2

# --- 4. generating a history in memory (no database; 30000 clients is about 1.6M events) ------
echo "bench: generating $history_clients clients' history in memory" >&2
"$bin" history --clients "$history_clients" --runs "$runs" | tee -a "$results" >&2

# --- the report -----------------------------------------------------------------------------
get() { awk -v k="$1" -v f="${2:-3}" '$1 == "RESULT" && $2 == k {v=$f} END {print v}' "$results"; }
fmt() { awk -v v="$1" 'BEGIN {if (v >= 1000) printf "%.0f", v; else if (v >= 10) printf "%.1f", v; else printf "%.2f", v}'; }
spread() { echo "$(fmt "$(get "$1" 4)")–$(fmt "$(get "$1" 5)")"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print "n/a"}'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN {print (r >= g) ? "met" : "MISSED"}'; }
line() {  # label stipple_key base_key goal
    local r; r="$(ratio "$(get "$2")" "$(get "$3")")"
    printf '%-34s %10s events/s [%s]  vs %-26s %10s events/s [%s]  ratio %sx (goal >=%sx: %s)\n' "$1" \
        "$(fmt "$(get "$2")")" "$(spread "$2")" "$4" "$(fmt "$(get "$3")")" "$(spread "$3")" "$r" "$5" "$(verdict "$r" "$5")"
}
lat() { printf '%-34s p50 %s ms [%s]  p99 %s ms [%s]\n' "$1" "$(fmt "$(get "$2.p50")")" "$(spread "$2.p50")" \
    "$(fmt "$(get "$2.p99")")" "$(spread "$2.p99")"; }

echo
echo "Stipple benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), $settings"
echo "sizes: ${sizes[*]} generator events; median of $runs run(s) after a warm-up, [min–max]; $sealing"
echo
line "append 1 event, 1 writer" append1.rate base.append1.rate "pgbench INSERT, 1 client" 0.8
lat  "  stipple latency" append1
lat  "  pgbench latency" base.append1
line "append 1 event, 1 writer" append1.rate base.chained1.rate "pgbench +CHECKs+chain trig" 0.8
line "append 1 event, 1 writer" append1.rate base.fn1.rate "pgbench stipple_append_batch" 0.8
lat  "  pgbench append_batch latency" base.fn1
line "  diagnostic: NO chain trigger" diag.nochain1.rate base.append1.rate "pgbench INSERT, 1 client" 0.8
lat  "  stipple latency, no chain trigger" diag.nochain1
line "append 1 event, 8 writers" append8.rate base.append8.rate "pgbench INSERT, 8 clients" 0.8
lat  "  stipple latency" append8
lat  "  pgbench latency" base.append8
line "append 100 events per append" append100.rate base.append100.rate "pgbench 100-row INSERT" 0.7
line "read all ($largest events)" readall.rate base.readall.rate "pgbench pages of 1000" 0.9
line "decode + fold in memory" fold.rate readall.rate "stipple read all" 0.5
line "  read + decode + fold (pipeline)" fold.pipeline readall.rate "stipple read all" 0.5
line "rebuild all projections" rebuild.rate readall.rate "stipple read all" 0.3
rss="$(get rebuild.rss)"
printf '%-34s %s MiB (max of runs %s, each its own process; goal <=256 MiB: %s)\n' "  rebuild peak RSS (VmHWM)" "$(fmt "$rss")" \
    "$(fmt "$(get rebuild.rss 5)")" "$(awk -v r="$(get rebuild.rss 5)" 'BEGIN {print (r <= 256) ? "met" : "MISSED"}')"
live_p99="$(get live.p99)"
printf '%-34s p50 %s ms  p95 %s ms  p99 %s ms [%s]  max %s ms (goal p99 <=50 ms: %s)\n' \
    "live: append start -> subscriber" "$(fmt "$(get live.p50)")" "$(fmt "$(get live.p95)")" "$(fmt "$live_p99")" \
    "$(spread live.p99)" "$(fmt "$(get live.max)")" "$(awk -v p="$live_p99" 'BEGIN {print (p <= 50) ? "met" : "MISSED"}')"
printf '%-34s p50 %s ms  p99 %s ms  (%s SSE subscribers, %s events/s achieved of %s; none lost or repeated)\n' \
    "  append return -> subscriber" "$(fmt "$(get live.return.p50)")" "$(fmt "$(get live.return.p99)")" \
    "$live_subscribers" "$(fmt "$(get live.rate)")" "$live_rate"
printf '%-34s p50 %s ms  p99 %s ms  max %s ms  (%s events/s; %s KiB resident per subscriber, server and clients in one process)\n' \
    "fan-out: $fanout_subscribers subscribers" "$(fmt "$(get fanout.p50)")" "$(fmt "$(get fanout.p99)")" \
    "$(fmt "$(get fanout.max)")" "$(fmt "$(get fanout.rate)")" "$(fmt "$(get fanout.rss_per_subscriber)")"
for q in timeline:5 revenue:50 recall:50; do
    name="${q%%:*}"; goal="${q##*:}"; p99="$(get "query.$name.p99")"
    printf '%-34s p50 %s ms  p99 %s ms (goal p99 <=%s ms: %s)\n' "query $name" "$(fmt "$(get "query.$name.p50")")" \
        "$(fmt "$p99")" "$goal" "$(awk -v p="$p99" -v g="$goal" 'BEGIN {print (p <= g) ? "met" : "MISSED"}')"
done
echo
echo "growth (log size -> 1-writer append p50/p99 on that log; rebuild of all projections)"
for size in "${sizes[@]}"; do
    printf '  %8s events: append p50 %6s ms p99 %6s ms, %7s events/s | rebuild %7s s, %7s events/s, %s us/event\n' "$size" \
        "$(fmt "$(get "growth.$size.append1.p50")")" "$(fmt "$(get "growth.$size.append1.p99")")" \
        "$(fmt "$(get "growth.$size.append1.rate")")" "$(fmt "$(get "growth.$size.rebuild.seconds")")" \
        "$(fmt "$(get "growth.$size.rebuild.rate")")" \
        "$(awk -v s="$(get "growth.$size.rebuild.seconds")" -v n="$size" 'BEGIN {printf "%.1f", s*1e6/n}')"
done
echo
printf '%-34s %10s events/s [%s]  (%s events, %s clients, in memory, no database)\n' "generate history in memory" \
    "$(fmt "$(get history.rate)")" "$(spread history.rate)" "$(fmt "$(get history.events)")" "$history_clients"
echo "generation: $(grep '^RESULT generate' "$results" | awk '{printf "%s %.0f events/s; ", $2, $3}')"
echo "total bench time: $(awk -v a="$started" -v b="$(now)" 'BEGIN {printf "%.0f s", b-a}')"
