#!/usr/bin/env bash
# The survey benchmarks of BENCHMARKS.md ("Surveys"): two surveys 1% apart of a generated bundle,
# imported into a fresh store (the second with --replace); then the store's growth, `qmap diff`
# of the whole store, and over HTTP the changes of one chain and chain reads as of the first
# survey (cold: the first request after the server started; warm: the same again).
#
#   benches/surveys.sh /tmp/national.json /tmp/surveys-nat    # `qmap generate --chains 50 --firms 20000`
#   benches/surveys.sh /tmp/province.json /tmp/surveys-prov   # `qmap generate --chains 50 --firms 700`
#
# Needs a release build (`cargo build --release`), python3 and curl. Prints one line per figure.
set -euo pipefail
first=$1
dir=$2
qmap=${QMAP:-target/release/qmap}
port=${PORT:-18480}
second=${first%.json}-next.json
[ -f "$second" ] || python3 "$(dirname "$0")/next_survey.py" "$first" "$second" --share 0.01
rm -rf "$dir"

timed() { # label, command...: wall seconds and peak resident MiB
    local label=$1
    shift
    /usr/bin/time -f "$label: %e s wall, %M KB peak" "$@" >/dev/null 2>/tmp/surveys-time.txt ||
        { cat /tmp/surveys-time.txt; exit 1; }
    tail -1 /tmp/surveys-time.txt
}

timed "import first survey" "$qmap" import "$first" --data "$dir" --label 2024年度调查
size1=$(du -sb "$dir" | cut -f1)
timed "import second survey (--replace)" "$qmap" import "$second" --data "$dir" --label 2025年度调查 --replace
size2=$(du -sb "$dir" | cut -f1)
echo "store: $size1 bytes after the first survey, $size2 after the second (+$(( (size2 - size1) * 1000 / size1 ))‰)"
"$qmap" revisions --data "$dir"
timed "qmap diff (whole store)" "$qmap" diff --data "$dir"
chain=c1
timed "qmap diff --chain $chain" "$qmap" diff --data "$dir" --chain "$chain" --json
timed "qmap analyze --chain $chain --revision 1" "$qmap" analyze --data "$dir" --chain "$chain" --revision 1 --json

secret=$("$qmap" token create --role admin --data "$dir" | grep -o 'qmap_[A-Za-z0-9_-]*' | head -1)
"$qmap" serve --data "$dir" --addr "127.0.0.1:$port" --timeout-secs 600 2>/tmp/surveys-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
started=$(date +%s.%N)
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
echo "server up after $(echo "$(date +%s.%N) - $started" | bc) s"
get() { # label, path
    curl -sf -o /dev/null -H "Authorization: Bearer $secret" \
        -w "$1: %{time_total} s, %{size_download} bytes\n" "http://127.0.0.1:$port$2"
}
get "weak-links as of revision 1, cold" "/api/v1/chains/$chain/weak-links?revision=1"
get "weak-links as of revision 1, warm" "/api/v1/chains/$chain/weak-links?revision=1"
get "map as of revision 1 (other chain), cold chain" "/api/v1/chains/c2/map?revision=1"
get "changes (default surveys), cold" "/api/v1/chains/$chain/changes"
get "changes (default surveys), warm" "/api/v1/chains/$chain/changes"
get "changes of another chain" "/api/v1/chains/c3/changes"
get "history" "/api/v1/chains/$chain/history"
