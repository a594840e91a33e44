#!/usr/bin/env bash
# Builds counterd and runs a demo counter.
#
#   ./scripts/demo.sh              counterd on its embedded demo configuration: demo codes are
#                                  printed at start; type one and press Enter to see the verdict.
#   ./scripts/demo.sh --with-hub   counter-hub (the reference central engine) with demo data, and
#                                  counterd enrolled against it: codes sync down, redemptions upload.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
source scripts/setup.sh
swift build --product counterd
swift build --product counterctl
echo "counterctl is at $(pwd)/.build/debug/counterctl"

if [ "${1:-}" != "--with-hub" ]; then
    exec .build/debug/counterd "$@"
fi

swift build --product counter-hub
hub=.build/debug/counter-hub
dir=counterd-hub-demo
port=${COUNTER_HUB_PORT:-8780}
mkdir -p "$dir"
if [ ! -f "$dir/hub/hub.sqlite" ]; then
    "$hub" shop create --data "$dir/hub" --id DEMO-SHOP --name "演示门店 Demo shop"
    "$hub" campaign create --data "$dir/hub" --id COFFEE --title "咖啡兑换券 Coffee voucher" --product "美式咖啡 Americano" \
        --face-value 18.00 --shop-reward 2.00 --valid-days 30
    "$hub" campaign create --data "$dir/hub" --id CARD --title "十次洗车卡 10-visit car wash" --product "标准洗车 Car wash" \
        --face-value 300.00 --shop-reward 5.00 --uses 10 --valid-days 365
    "$hub" tokens issue --data "$dir/hub" --campaign COFFEE --count 3 --json > "$dir/codes.jsonl"
    "$hub" tokens issue --data "$dir/hub" --campaign CARD --count 1 --json >> "$dir/codes.jsonl"
fi
"$hub" serve --data "$dir/hub" --listen "127.0.0.1:$port" &
hub_pid=$!
stop_hub() { kill "$hub_pid" 2>/dev/null; }
on_exit stop_hub
wait_for 5 "counter-hub on port $port" curl -sf "http://127.0.0.1:$port/v1/time" || true

cat > "$dir/counterd.yaml" <<YAML
state_directory: $(pwd)/$dir/state
api:
  socket: $(pwd)/$dir/api.sock
  http: 127.0.0.1:8765
hub:
  poll_interval: 10s
scanners:
  - name: terminal
    type: terminal
YAML
if [ ! -f "$dir/state/credential.json" ]; then
    # The one-time code goes in on standard input, never on the command line (the process list shows that).
    "$hub" enroll-code --data "$dir/hub" --shop DEMO-SHOP \
        | .build/debug/counterd enroll --config "$dir/counterd.yaml" --hub "http://127.0.0.1:$port"
fi
# A code issued now, after enrollment: it reaches the counter only at the next sync, but its
# signed form is accepted offline at once.
"$hub" tokens issue --data "$dir/hub" --campaign COFFEE --count 1 --json > "$dir/fresh.jsonl"

python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
print("\ncounter-hub demo · 演示 — codes synced from the hub (type one and press Enter):")
for line in open(f"{d}/codes.jsonl"):
    t = json.loads(line); print("  " + t["code"])
fresh = json.loads(open(f"{d}/fresh.jsonl").read().splitlines()[0])
print("A signed code (accepted offline by its signature even before it is synced):\n  " + fresh["signed_code"])
print(f"\nElsewhere: counterctl status --socket {d}/api.sock   (also: sync, history, redeem CODE)")
print(f"           .build/debug/counter-hub redemptions --data {d}/hub   (what the hub received)\n")
PY
.build/debug/counterd run --config "$dir/counterd.yaml"
