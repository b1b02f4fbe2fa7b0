#!/usr/bin/env bash
# Upload and thumbnail throughput for ~4 MB JPEGs, and the server's peak RSS during 8 concurrent uploads.
#   STIPPLE_TEST_DATABASE_URL=postgresql://… Scripts/photo-bench.sh [path/to/stipple]
# (curl is told not to send "Expect: 100-continue", which would add a 1 s wait per upload.)
# A scratch database, master key and `stipple serve` on a free port come from Scripts/lib/scratch-server.sh
# (as for the browser test and the API fuzzing; all dropped at exit); synthetic images from
# `stipple photos synth` (distinct seeds: distinct photos) and curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stipple="${1:-$here/.build/debug/stipple}"
source "$here/Scripts/lib/scratch-server.sh"
scratch_binary photo-bench
scratch_database photo-bench
work="$scratch_work"
"$stipple" migrate >/dev/null
key="$(scratch_key operator bench)"
scratch_serve photo-bench
server="$scratch_server_pid"
api="$scratch_base/v1"
client="$(cat /proc/sys/kernel/random/uuid)"
curl -sf -X POST "$api/clients" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"clientID\":\"$client\",\"personal\":{\"fullName\":\"Bench Client\",\"contact\":{\"email\":\"b@example.org\"},\"dateOfBirth\":\"1980-01-01\"}}" >/dev/null
# A signature names a published consent form: publish one, then sign it.
curl -sf -X POST "$api/settings/consent-forms" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"formVersion\":\"bench-1\",\"contentHash\":\"$(printf 'bench consent form' | sha256sum | cut -d' ' -f1)\",\"scopes\":[\"treatment\",\"clinical-photos\"],\"requiresReconsent\":false,\"publishedBy\":\"bench\",\"reason\":\"photo bench\"}" >/dev/null
curl -sf -X POST "$api/clients/$client/consents" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"consentID\":\"$(cat /proc/sys/kernel/random/uuid)\",\"formVersion\":\"bench-1\",\"scopes\":[\"treatment\",\"clinical-photos\"]}" >/dev/null
n=${PHOTOS:-10}
for i in $(seq 1 $((n + 8))); do
  "$stipple" photos synth "$work/p$i.jpg" --width 3000 --height 2250 --grain 40 --quality 95 --seed "$i" >/dev/null
done
bytes=$(for i in $(seq 1 "$n"); do stat -c %s "$work/p$i.jpg"; done | awk '{s+=$1} END {print s}')
echo "images: $(stat -c %s "$work/p1.jpg") bytes each (3000x2250 JPEG, quality 95)"
rss() { awk "/^$1:/ {print \$2}" "/proc/$server/status"; }
echo "server RSS before uploads: $(rss VmRSS) kB"
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
  curl -sf -o /dev/null -X POST "$api/clients/$client/photos?stage=before&angle=top" -H "Authorization: Bearer $key" \
    -H 'Content-Type: image/jpeg' -H 'Expect:' --data-binary @"$work/p$i.jpg"
done
end=$(date +%s.%N)
awk -v n="$n" -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN {
  t = e - s; printf "upload, sequential: %d images in %.2f s = %.2f images/s, %.1f MB/s (input)\n", n, t, n / t, b / t / 1e6 }'
hash="$(curl -sf "$api/clients/$client/photos" -H "Authorization: Bearer $key" | grep -o '"contentHash":"[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)"
curl -sf -o "$work/thumb.jpg" "$api/clients/$client/photos/$hash/thumbnail" -H "Authorization: Bearer $key"
thumb=$(stat -c %s "$work/thumb.jpg")
reads=${READS:-50}
start=$(date +%s.%N)
for _ in $(seq 1 "$reads"); do
  curl -sf -o /dev/null "$api/clients/$client/photos/$hash/thumbnail" -H "Authorization: Bearer $key"
done
end=$(date +%s.%N)
awk -v n="$reads" -v b="$thumb" -v s="$start" -v e="$end" 'BEGIN {
  t = e - s; printf "thumbnail GET (decrypt + access log), sequential: %.1f thumbnails/s (%d bytes each)\n", n / t, b }'
echo "server peak RSS so far (VmHWM): $(rss VmHWM) kB"
start=$(date +%s.%N)
pids=()
for i in $(seq $((n + 1)) $((n + 8))); do
  curl -sf -o /dev/null -X POST "$api/clients/$client/photos?stage=healed&angle=top" -H "Authorization: Bearer $key" \
    -H 'Content-Type: image/jpeg' -H 'Expect:' --data-binary @"$work/p$i.jpg" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "8 concurrent uploads: %.2f s (%.2f images/s)\n", e - s, 8 / (e - s) }'
echo "server peak RSS after 8 concurrent uploads (VmHWM): $(rss VmHWM) kB; now (VmRSS): $(rss VmRSS) kB"
