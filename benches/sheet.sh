#!/usr/bin/env bash
# The spreadsheet benchmarks of BENCHMARKS.md ("Spreadsheets"): a generated chain of N firms is
# imported as JSON, exported as a survey workbook (XLSX) and as CSV files, and each is then
# validated and imported into a fresh store. Repeated for several sizes to show how cost grows.
#
#   benches/sheet.sh /tmp/sheet-bench 700 2800 7000
#
# Needs a release build (`cargo build --release`). Prints one line per figure: wall seconds and
# peak resident memory (GNU time).
set -euo pipefail
dir=$1
shift
qmap=${QMAP:-target/release/qmap}
rm -rf "$dir"
mkdir -p "$dir"

timed() { # label, command...: wall seconds and peak resident KB
    local label=$1
    shift
    /usr/bin/time -f "$label: %e s wall, %M KB peak" "$@" >/dev/null 2>"$dir/time.txt" ||
        { cat "$dir/time.txt"; exit 1; }
    tail -1 "$dir/time.txt"
}

for firms in "$@"; do
    json=$dir/chain-$firms.json
    "$qmap" generate --chains 1 --firms "$firms" -o "$json" 2>/dev/null
    "$qmap" import "$json" --data "$dir/json-$firms" >/dev/null
    "$qmap" export --format xlsx -o "$dir/chain-$firms.xlsx" --data "$dir/json-$firms"
    "$qmap" export --format csv -o "$dir/csv-$firms" --data "$dir/json-$firms"
    records=$(python3 -c "import json,sys; d=json.load(open('$json')); print(sum(len(v) for v in d.values() if isinstance(v, list)))")
    echo "== $firms firms: $records records, xlsx $(stat -c %s "$dir/chain-$firms.xlsx") bytes, json $(stat -c %s "$json") bytes"
    timed "export --format xlsx" "$qmap" export --format xlsx -o "$dir/again-$firms.xlsx" --data "$dir/json-$firms"
    timed "validate xlsx" "$qmap" validate "$dir/chain-$firms.xlsx"
    timed "import xlsx into an empty store" "$qmap" import "$dir/chain-$firms.xlsx" --data "$dir/xlsx-$firms"
    timed "import csv folder into an empty store" "$qmap" import "$dir/csv-$firms" --data "$dir/csvin-$firms"
    timed "import json into an empty store (for comparison)" "$qmap" import "$json" --data "$dir/json2-$firms"
done
