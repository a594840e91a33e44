#!/bin/bash
# Hardware-in-the-loop harness, step 3: boot the guest and run one scenario.
#
#   Tests/HIL/run.sh SCENARIO        e.g. Tests/HIL/run.sh transports
#   Tests/HIL/run.sh all             every scenario in Tests/HIL/scenarios, one boot each
#
# Boots the extracted Debian kernel under QEMU (TCG, q35, 1 vCPU) with the initramfs and the host
# root shared read-only over virtio-9p; the guest runs Tests/HIL/scenarios/SCENARIO.sh in a chroot
# of the host root and powers off. The serial log is kept in .build-hil/logs/SCENARIO.log.
# Exit status: 0 when the guest printed "HIL-RESULT pass", 1 otherwise (fail, crash or timeout).
# Environment: HIL_TIMEOUT (seconds for the whole boot, default 180), HIL_APPEND (more kernel
# command line, e.g. dummy_hcd.num=3).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HIL="$ROOT/.build-hil"
source "$ROOT/scripts/lib.sh"
SCEN=${1:-}
TIMEOUT=${HIL_TIMEOUT:-180}
say() { printf 'hil-run: %s\n' "$*"; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN{printf "%.1f", e-s}'; }

SCENARIOS=$(cd "$ROOT/Tests/HIL/scenarios" && ls *.sh | sed 's/\.sh$//' | tr '\n' ' ')
if [ -z "$SCEN" ] || { [ "$SCEN" != all ] && [ ! -f "$ROOT/Tests/HIL/scenarios/$SCEN.sh" ]; }; then
  say "usage: Tests/HIL/run.sh all|SCENARIO  (scenarios: $SCENARIOS)"
  exit 2
fi
command -v qemu-system-x86_64 >/dev/null || { say "qemu-system-x86_64 missing: run Tests/HIL/setup.sh"; exit 1; }
[ -f "$HIL/kernel-version" ] || { say "no kernel: run Tests/HIL/setup.sh"; exit 1; }
KV=$(cat "$HIL/kernel-version")
KERNEL="$HIL/kernel/boot/vmlinuz-$KV"
[ -f "$KERNEL" ] || { say "$KERNEL missing: run Tests/HIL/setup.sh"; exit 1; }
BUILD=${HIL_BUILD:-debug}
for b in counterd counterctl; do
  [ -x "$ROOT/.build/$BUILD/$b" ] || { say "$ROOT/.build/$BUILD/$b missing: build counterd first (swift build -c $BUILD)"; exit 1; }
done
"$ROOT/Tests/HIL/build-initramfs.sh" || exit 1
mkdir -p "$HIL/logs"

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  PIDS=()
}
on_exit cleanup
trap 'say "interrupted"; exit 130' INT TERM

# header SCENARIO KEY: the value of a "# hil-KEY: …" line of the scenario file.
header() { sed -n "s/^# hil-$2: *//p" "$ROOT/Tests/HIL/scenarios/$1.sh" | head -1; }

# run_one SCENARIO: boots the guest for it; 0 when it printed "HIL-RESULT pass".
run_one() {
  local scen=$1 log="$HIL/logs/$1.log" chan="$HIL/$1.channel.sock" qmp="$HIL/$1.qmp.sock"
  local qemu_extra=() append
  append="$(header "$scen" append) ${HIL_APPEND:-}"
  case " $(header "$scen" qemu) " in
    *" usb-kbd "*) qemu_extra+=(-device qemu-xhci,id=xhci -device usb-kbd,id=kbd,bus=xhci.0) ;;
  esac
  : > "$log"
  rm -f "$chan" "$qmp"
  local t0 t1 qrc qpid
  t0=$(date +%s.%N)
  say "booting scenario $scen (kernel $KV, TCG, $BUILD build, timeout ${TIMEOUT}s), serial log $log"
  timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
    -machine q35 -accel tcg,thread=multi -m 1024 -smp "${HIL_SMP:-2}" \
    -display none -vga none -nic none -no-reboot -monitor none \
    -serial "file:$log" \
    -chardev "socket,id=hostctl,path=$chan,server=on,wait=off" -serial chardev:hostctl \
    -qmp "unix:$qmp,server=on,wait=off" \
    "${qemu_extra[@]}" \
    -kernel "$KERNEL" -initrd "$HIL/initramfs.cpio.gz" \
    -append "console=ttyS0 quiet panic=-1 hil.scenario=$scen hil.root=$ROOT hil.build=$BUILD $append" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    </dev/null >"$HIL/logs/$scen.qemu.log" 2>&1 &
  qpid=$!
  PIDS=("$qpid")
  python3 "$ROOT/Tests/HIL/host.py" "$chan" "$qmp" 2>>"$HIL/logs/$scen.qemu.log" &
  PIDS+=("$!")
  wait "$qpid"
  qrc=$?
  cleanup
  t1=$(date +%s.%N)
  [ "$qrc" = 124 ] && say "TIMEOUT: the guest did not power off within ${TIMEOUT}s"
  [ "$qrc" != 0 ] && [ "$qrc" != 124 ] && { say "qemu exited with status $qrc:"; tail -5 "$HIL/logs/$scen.qemu.log"; }

  # Times, from the guest's uptime stamps.
  up() { sed -n "s/^HIL-STAGE $1.*uptime=\([0-9.]*\).*/\1/p" "$log" | tr -d '\r' | head -1; }
  local ss se total
  ss=$(up scenario-start); se=$(up scenario-end)
  total=$(secs "$t0" "$t1")
  TOTALS+=("$scen $total")
  if [ -n "$ss" ] && [ -n "$se" ]; then
    local scn; scn=$(secs "$ss" "$se")
    say "times: guest kernel to scenario start ${ss} s (guest uptime); scenario ${scn} s; boot and power-off overhead $(secs "$scn" "$total") s; total ${total} s wall clock"
  else
    say "times: scenario start ${ss:-never reached}; total ${total} s wall clock"
  fi

  local result
  result=$(grep -a '^HIL-RESULT' "$log" | tr -d '\r' | tail -1)
  if [ -z "$result" ]; then
    say "FAIL: no HIL-RESULT line in the serial log; its last lines:"
    tail -25 "$log" | sed 's/^/  | /'
    return 1
  fi
  say "$result"
  case "$result" in
    "HIL-RESULT pass"*) return 0 ;;
    *) say "serial log: $log"; grep -a -B40 '^HIL-RESULT' "$log" | tr -d '\r' | sed 's/^/  | /'; return 1 ;;
  esac
}

TOTALS=()
if [ "$SCEN" != all ]; then
  run_one "$SCEN"
  exit $?
fi
T0=$(date +%s.%N)
FAILED=()
for s in $SCENARIOS; do
  run_one "$s" || FAILED+=("$s")
done
say "suite: ${#TOTALS[@]} scenarios in $(secs "$T0" "$(date +%s.%N)") s (${TOTALS[*]/%/ s})"
if [ ${#FAILED[@]} -gt 0 ]; then
  say "FAILED: ${FAILED[*]} (serial logs in $HIL/logs/)"
  exit 1
fi
say "all passed"
