#!/usr/bin/env bash
# Property-based tests of counter-hub against its contract, docs/openapi.yaml, with schemathesis.
#
# Starts a counter-hub on a free loopback port with a scratch data directory, enrolls a device and
# makes an admin credential so that the authenticated operations (feed, events, the export) are covered, and runs every schemathesis check
# with a fixed seed and a bounded number of examples per operation. Exits non-zero on any failure.
#
# Usage: scripts/test-schemathesis.sh [PATH/TO/counter-hub]   (default .build/debug/counter-hub)
# Environment: SCHEMATHESIS_SEED (default 15), SCHEMATHESIS_MAX_EXAMPLES (default 100),
#              SCHEMATHESIS_REPORT_DIR (default: none; set it to keep JUnit and NDJSON reports).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

hub=${1:-.build/debug/counter-hub}
seed=${SCHEMATHESIS_SEED:-15}
examples=${SCHEMATHESIS_MAX_EXAMPLES:-100}
[[ -x $hub ]] || { echo "test-schemathesis: no counter-hub at $hub (build first)" >&2; exit 1; }

if ! command -v schemathesis >/dev/null 2>&1; then
    echo "test-schemathesis: installing schemathesis with pip"
    python3 -m pip install --quiet 'schemathesis>=4.32,<5'
    # A user install puts the command in the user base's bin.
    command -v schemathesis >/dev/null 2>&1 || PATH="$(python3 -m site --user-base)/bin:$PATH"
fi
# The hooks read the contract's schemas (scripts/setup.sh installs these for check_openapi.py too).
python3 -c 'import yaml, jsonschema, referencing' 2>/dev/null || python3 -m pip install --quiet pyyaml jsonschema
echo "schemathesis $(schemathesis --version 2>&1 | awk '{print $NF}'), seed $seed, at most $examples examples per operation"

make_temp_dir data counter-hub-schemathesis
hub_pid=
stop_hub() {
    if [[ -n $hub_pid ]]; then
        kill "$hub_pid" 2>/dev/null || true
        wait "$hub_pid" 2>/dev/null || true
    fi
}
on_exit stop_hub

admin() { "$hub" "$@" --data "$data"; }
admin shop create --id SHOP-1 --name "Schemathesis" >/dev/null
admin campaign create --id COFFEE --title Coffee --product Americano --face-value 18.00 --shop-reward 2.00 \
    --uses 3 --valid-days 30 >/dev/null
admin tokens issue --campaign COFFEE --count 5 --json >"$data/tokens.jsonl"
admin tokens revoke "$(head -n 1 "$data/tokens.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_id"])')" \
    --reason refund >/dev/null
code=$(admin enroll-code --shop SHOP-1)
# Fresh codes for the enroll cases (see Tests/Conformance/schemathesis_hooks.py).
for _ in $(seq 40); do admin enroll-code --shop SHOP-1; done >"$data/enrollment-codes"
export COUNTER_HUB_ENROLLMENT_CODES=$data/enrollment-codes

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The enrollment rate limit has its own unit test; here it would only turn most enroll cases into 429s.
"$hub" serve --data "$data" --listen "127.0.0.1:$port" --enroll-rate 1000000 --enroll-global-rate 1000000 \
    >"$data/hub.log" 2>&1 &
hub_pid=$!
# Polling stops early when the hub has exited: the 10 s are for a slow start only.
hub_answers() { ! kill -0 "$hub_pid" 2>/dev/null || curl -sf "$base/v1/time"; }
wait_for 10 "counter-hub on $base" hub_answers
kill -0 "$hub_pid" 2>/dev/null || { cat "$data/hub.log" >&2; exit 1; }
curl -sf "$base/v1/time" >/dev/null

# A real device credential: feed and events are tested past the 401.
enrolled=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"enrollment_code\": \"$code\", \"device_name\": \"schemathesis\"}" "$base/v1/enroll")
export COUNTER_HUB_DEVICE_TOKEN COUNTER_HUB_ADMIN_TOKEN
COUNTER_HUB_DEVICE_TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["device_token"])' <<<"$enrolled")
# An admin credential for the export (the configuration gives each operation its credential).
COUNTER_HUB_ADMIN_TOKEN=$(admin admin-token create --name schemathesis --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export COUNTER_HUB_DEVICE_ID
COUNTER_HUB_DEVICE_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["device_id"])' <<<"$enrolled")
export SCHEMATHESIS_HOOKS=Tests/Conformance/schemathesis_hooks.py

reports=(--report-dir "$data/report")
if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]]; then
    reports=(--report junit,ndjson --report-dir "$SCHEMATHESIS_REPORT_DIR")
fi
status=0
# One worker: with several, Python 3.11 fails now and then inside Hypothesis ("AST constructor
# recursion depth mismatch", a CPython race in ast.parse), and the hub gets one core of two anyway.
schemathesis --no-color --config-file Tests/Conformance/schemathesis.toml run docs/openapi.yaml \
    --url "$base" \
    --seed "$seed" --max-examples "$examples" --generation-database none \
    --workers 1 --request-timeout 10 "${reports[@]}" || status=$?
if ! kill -0 "$hub_pid" 2>/dev/null; then
    echo "test-schemathesis: counter-hub died during the run" >&2
    cat "$data/hub.log" >&2
    status=1
fi
exit "$status"
