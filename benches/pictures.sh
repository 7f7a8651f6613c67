#!/usr/bin/env bash
# The report-picture benchmark of BENCHMARKS.md ("Pictures"): the map of a 20,000-firm chain as
# SVG (text as glyph outlines), PNG (resvg) and PDF (svg2pdf), served by the release binary and
# timed with curl on a warm server (the chain's analysis is computed by the first request), then
# `qmap render` as a whole process (which also reads the bundle and analyses the chain).
#
#   bash benches/pictures.sh            # 5 runs per picture
#   RUNS=3 bash benches/pictures.sh
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin qmap
QMAP=target/release/qmap

"$QMAP" generate --chains 1 --firms 20000 --seed 42 -o "$WORK/c20k.json"
"$QMAP" import --data "$WORK/store" "$WORK/c20k.json" >/dev/null
TOKEN=$("$QMAP" token create --role admin --data "$WORK/store" 2>/dev/null)
AUTH="Authorization: Bearer $TOKEN"
"$QMAP" serve --data "$WORK/store" --addr 127.0.0.1:18473 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
for _ in $(seq 100); do
    grep -q "serving on" "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
base=http://127.0.0.1:18473/api/v1/chains/c1
curl -sf -H "$AUTH" -o /dev/null "$base/map.svg" # warm: the chain's analysis

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for path in map.svg map.png "map.png?scale=2" map.pdf "map.pdf?paper=a3" "map.svg?limit=0" "map.png?limit=0"; do
    times=()
    for _ in $(seq "$RUNS"); do
        times+=("$(curl -s -H "$AUTH" -o "$WORK/out" -w '%{time_total}' "$base/$path")")
    done
    size=$(stat -c %s "$WORK/out")
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    echo "GET $path: $size bytes ($(file -b "$WORK/out" | cut -d, -f1-2)); seconds per run, sorted: $sorted"
done
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true

for format in svg png pdf; do
    /usr/bin/time -f "qmap render --format $format: %e s wall, %U s user, %S s sys, %M KB peak" \
        "$QMAP" render "$WORK/c20k.json" --chain c1 --format "$format" -o "$WORK/out.$format"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
