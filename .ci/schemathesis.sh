#!/usr/bin/env bash
# A real client against a real server: schemathesis checks that `qmap serve` answers what its
# own OpenAPI document (/api/openapi.json) says, once with an admin token and once with an
# enterprise token, over a store holding the demo chains.
#
# Deterministic by construction: one worker, derandomized generation (no seed to pick, and no
# example database carried between runs), each run in a fresh directory (schemathesis keeps a
# cache of past failures in `.schemathesis/` of its working directory), a bounded number of
# examples per operation, and no Hypothesis deadlines (schemathesis turns them off). Exits
# non-zero on any failure, and always stops the server it started.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
# Test cases per operation and phase: enough to reach every documented status, small enough to
# finish in a few minutes on a loaded 2-core machine.
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-50}
# What every answer must meet. Left out: positive_data_acceptance (the document cannot say
# which ids exist, so schema-valid records that name unknown firms are rightly refused),
# negative_data_rejection, ignored_auth (its wrong tokens would use up the failed-attempt
# limit and turn the rest of the run into 429s) and the stateful checks (no links documented).
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,missing_required_header,unsupported_method,allow_header_conformance

venv="$PWD/target/schemathesis-venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -F "$SCHEMATHESIS_VERSION" >/dev/null; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "== building qmap"
cargo build --quiet --bin qmap
qmap=target/debug/qmap

work=$(mktemp -d)
server=""
stop_server() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  server=""
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

# The demo chains (the same files `serve --demo` embeds), then the tokens: an enterprise token
# names an organization that must already be in the store.
data="$work/data"
for fixture in power_battery_jiangsu hydrogen_shaanxi optoelectronics_suzhou; do
  "$qmap" import "fixtures/$fixture.json" --data "$data" >/dev/null
done
admin_token=$("$qmap" token create --role admin --data "$data")
enterprise_token=$("$qmap" token create --role enterprise --org pb-ly-cell --data "$data")

# Port 0: the system picks a free port, and the server prints the address it got.
# Checks such as missing_required_header send requests without (or with a wrong) token: a high
# failed-login limit keeps the lockout (tested on its own in tests/api/server.rs) from turning the
# rest of the run into 429s that test nothing.
NO_COLOR=1 "$qmap" serve --data "$data" --addr 127.0.0.1:0 --timeout-secs 600 \
  --failed-logins-per-minute 1000000 \
  >"$work/server.out" 2>"$work/server.log" &
server=$!
base=""
for _ in $(seq 1 600); do
  base=$(sed -n 's|^qmap is serving on \(http://[^/]*\)/.*|\1|p' "$work/server.out")
  [ -n "$base" ] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "qmap serve exited before it listened:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "qmap serve did not start listening within 60 s" >&2
  exit 1
fi
echo "== qmap serving on $base"

failed=0
# The enterprise run first: the admin run writes (imports, upserts, deletes) into the store.
for who in enterprise admin; do
  token_var="${who}_token"
  echo "== schemathesis with an $who token"
  mkdir "$work/$who"
  # `timeout`: a hang guard only; a run takes a minute or two.
  if ! (cd "$work/$who" && timeout 1800 "$venv/bin/schemathesis" run "$base/api/openapi.json" \
    --header "Authorization: Bearer ${!token_var}" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --generation-deterministic \
    --workers 1 \
    --request-timeout 300 \
    --no-color \
    --output-sanitize false); then
    failed=1
  fi
done

stop_server
# What the server answered over both runs, so a reader sees the runs reached past the refusals.
echo "statuses served:" $(sed -n 's/.* served status=\([0-9]*\) .*/\1/p' "$work/server.log" | sort | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
if [ "$failed" -ne 0 ]; then
  echo "schemathesis found failures (server log: last lines below)" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
echo "schemathesis: no failures with an enterprise token and with an admin token"
