#!/usr/bin/env bash
# The geographic view's data at national scale (issue 16): GET /api/v1/coverage/regions.geojson
# by province and by city, for all chains and for one, on a store of 50 chains × 20,000 firms.
# Cold is the first answer after the server starts (it computes the dataset's analysis once);
# warm is every later one. Usage: benches/regions_national.sh [RUNS]
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${1:-5}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet
QMAP=target/release/qmap

"$QMAP" generate --chains 50 --firms 20000 --seed 1 -o "$WORK/national.json"
/usr/bin/time -f "import: %e s, %M kB" "$QMAP" import --data "$WORK/store" "$WORK/national.json" >/dev/null
rm "$WORK/national.json"
"$QMAP" serve --data "$WORK/store" --addr 127.0.0.1:18473 --demo >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
for _ in $(seq 600); do
    grep -q "serving on" "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
base=http://127.0.0.1:18473/api/v1/coverage/regions.geojson
chain=$(curl -s --max-time 600 http://127.0.0.1:18473/api/v1/chains | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')

time_of() { # LABEL URL
    curl -s --max-time 600 -o /dev/null -w "$1: %{http_code} %{size_download} bytes %{time_total} s\n" "$2"
}

echo "== cold"
time_of "all chains, provinces" "$base?level=province"
time_of "one chain, provinces" "$base?level=province&chain=$chain"
for run in $(seq "$RUNS"); do
    echo "== warm run $run"
    time_of "all chains, provinces" "$base?level=province"
    time_of "all chains, cities" "$base?level=city"
    time_of "all chains, cities of 32" "$base?level=city&province=32"
    time_of "one chain, provinces" "$base?level=province&chain=$chain"
    time_of "one chain, cities" "$base?level=city&chain=$chain"
done
