#!/usr/bin/env bash
# The HTTP API load benchmark of BENCHMARKS.md ("HTTP API"): a 20,000-firm chain and the demo,
# served by the release binary, loaded with wrk. Needs wrk and curl.
#
#   bash benches/http_api.sh            # 20 s per run
#   DURATION=5s bash benches/http_api.sh
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
WORK=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet
QMAP=target/release/qmap

serve() { # DIR PORT [--demo]
    "$QMAP" serve --data "$1" --addr "127.0.0.1:$2" ${3:-} >"$WORK/serve.out" 2>"$WORK/serve.err" &
    SERVER=$!
    for _ in $(seq 50); do
        grep -q "serving on" "$WORK/serve.out" 2>/dev/null && return
        sleep 0.1
    done
    echo "the server did not start" >&2
    exit 1
}

load() { # URL [HEADER]
    local size
    size=$(curl -s ${2:+-H "$2"} -o /dev/null -w '%{size_download}' "$1")
    echo "== $1 ${2:+[$2]} ($size bytes per response)"
    echo "wrk -t2 -c32 -d$DURATION --latency ${2:+-H '$2'} $1"
    wrk -t2 -c32 -d"$DURATION" --latency ${2:+-H "$2"} "$1" |
        grep -E 'Requests/sec|^ +(50|99)%'
}

"$QMAP" generate --chains 1 --firms 20000 --seed 42 -o "$WORK/c20k.json"
"$QMAP" import --data "$WORK/store" "$WORK/c20k.json"
serve "$WORK/store" 18471
base=http://127.0.0.1:18471/api/v1
curl -s -o /dev/null "$base/chains/c1/map" # warm: analysis and the cached map bytes
curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$base/chains/c1/map"
load "$base/chains"
load "$base/chains/c1/map"
load "$base/chains/c1/map" 'Accept-Encoding: gzip'
kill "$SERVER"
wait "$SERVER" || true

serve "$WORK/demo" 18472 --demo
base=http://127.0.0.1:18472/api/v1
curl -s -o /dev/null "$base/chains/pb-power-battery/map"
curl -s -o /dev/null -H 'Accept-Encoding: gzip' "$base/chains/pb-power-battery/map"
load "$base/chains/pb-power-battery/map"
load "$base/chains/pb-power-battery/map" 'Accept-Encoding: gzip'
