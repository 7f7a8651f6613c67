#!/usr/bin/env bash
# The "Map at scale" benchmark of BENCHMARKS.md: a generated 20,000-firm chain served by the
# release binary; curl times the map JSON (cold, then warm), a group's first page (the click that
# expands a group) and the server-drawn SVG. Needs curl and python3.
#
#   bash benches/map_scale.sh
#   RUNS=10 bash benches/map_scale.sh
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet
QMAP=target/release/qmap

"$QMAP" generate --chains 1 --firms 20000 --seed 42 -o "$WORK/c20k.json"
"$QMAP" import --data "$WORK/store" "$WORK/c20k.json" >/dev/null
# `--demo` over a non-empty store loads nothing and opens reads to all (no token needed).
"$QMAP" serve --data "$WORK/store" --addr 127.0.0.1:18472 --demo >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
for _ in $(seq 100); do
    grep -q "serving on" "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
base=http://127.0.0.1:18472/api/v1/chains/c1

time_of() { # LABEL URL [HEADER]
    curl -s ${3:+-H "$3"} -o /dev/null -w "$1: %{http_code} %{size_download} bytes %{time_total} s\n" "$2"
}

echo "== cold (the chain's analysis is computed once)"
time_of "map JSON" "$base/map"
group=$(curl -s "$base/map" | python3 -c 'import json, sys; m = json.load(sys.stdin); print(max(m["groups"], key=lambda g: g["firms"])["id"])')
curl -s "$base/map" | python3 -c 'import json, sys; m = json.load(sys.stdin); print("listed firms:", len(m["firms"]), "groups:", len(m["groups"]), "bundles:", len(m["bundles"]), "supplies:", len(m["supplies"]))'
echo "biggest group: $group"
for run in $(seq "$RUNS"); do
    echo "== warm run $run"
    time_of "map JSON" "$base/map"
    time_of "map JSON gzip" "$base/map" "Accept-Encoding: gzip"
    time_of "group page (30 firms)" "$base/map/groups/$group"
    time_of "group page (30 firms, offset 3000)" "$base/map/groups/$group?offset=3000"
    time_of "map.svg" "$base/map.svg"
done
