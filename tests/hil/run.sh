#!/bin/bash
# Hardware-in-the-loop harness, step 3: boot the guest and run one scenario.
#
#   tests/hil/run.sh SCENARIO        e.g. tests/hil/run.sh keyboard-wedge
#
# Boots the extracted Debian kernel under QEMU (TCG, q35, 1 vCPU) with the initramfs and the host
# root shared read-only over virtio-9p; the guest runs tests/hil/scenarios/SCENARIO.sh in a chroot
# of the host root and powers off. The serial log is kept in .build-hil/logs/SCENARIO.log.
# Exit status: 0 when the guest printed "HIL-RESULT pass", 1 otherwise (fail, crash or timeout).
# Environment: HIL_TIMEOUT (seconds for the whole boot, default 180), HIL_APPEND (more kernel
# command line, e.g. dummy_hcd.num=3).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HIL="$ROOT/.build-hil"
SCEN=${1:-}
TIMEOUT=${HIL_TIMEOUT:-180}
say() { printf 'hil-run: %s\n' "$*"; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN{printf "%.1f", e-s}'; }

if [ -z "$SCEN" ] || [ ! -f "$ROOT/tests/hil/scenarios/$SCEN.sh" ]; then
  say "usage: tests/hil/run.sh SCENARIO  (one of: $(cd "$ROOT/tests/hil/scenarios" && ls *.sh | sed 's/\.sh$//' | tr '\n' ' '))"
  exit 2
fi
command -v qemu-system-x86_64 >/dev/null || { say "qemu-system-x86_64 missing: run tests/hil/setup.sh"; exit 1; }
[ -f "$HIL/kernel-version" ] || { say "no kernel: run tests/hil/setup.sh"; exit 1; }
KV=$(cat "$HIL/kernel-version")
KERNEL="$HIL/kernel/boot/vmlinuz-$KV"
[ -f "$KERNEL" ] || { say "$KERNEL missing: run tests/hil/setup.sh"; exit 1; }
BUILD=${HIL_BUILD:-debug}
for b in counterd counterctl; do
  [ -x "$ROOT/.build/$BUILD/$b" ] || { say "$ROOT/.build/$BUILD/$b missing: build counterd first (swift build -c $BUILD)"; exit 1; }
done
"$ROOT/tests/hil/build-initramfs.sh" || exit 1

mkdir -p "$HIL/logs"
LOG="$HIL/logs/$SCEN.log"
: > "$LOG"
QPID=
cleanup() {
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then
    kill "$QPID" 2>/dev/null; sleep 0.5; kill -9 "$QPID" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

T0=$(date +%s.%N)
say "booting scenario $SCEN (kernel $KV, TCG, timeout ${TIMEOUT}s), serial log $LOG"
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
  -machine q35 -accel tcg -m 1024 -smp 1 \
  -display none -vga none -nic none -no-reboot -monitor none \
  -serial "file:$LOG" \
  -kernel "$KERNEL" -initrd "$HIL/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 hil.scenario=$SCEN hil.root=$ROOT hil.build=$BUILD ${HIL_APPEND:-}" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  </dev/null >"$HIL/logs/$SCEN.qemu.log" 2>&1 &
QPID=$!
wait "$QPID"
QRC=$?
QPID=
T1=$(date +%s.%N)
[ "$QRC" = 124 ] && say "TIMEOUT: the guest did not power off within ${TIMEOUT}s"
[ "$QRC" != 0 ] && [ "$QRC" != 124 ] && { say "qemu exited with status $QRC:"; tail -5 "$HIL/logs/$SCEN.qemu.log"; }

# Times, from the guest's uptime stamps.
up() { sed -n "s/^HIL-STAGE $1.*uptime=\([0-9.]*\).*/\1/p" "$LOG" | tr -d '\r' | head -1; }
SS=$(up scenario-start); SE=$(up scenario-end)
TOTAL=$(secs "$T0" "$T1")
if [ -n "$SS" ] && [ -n "$SE" ]; then
  SCN=$(secs "$SS" "$SE")
  say "times: guest kernel to scenario start ${SS} s (guest uptime); scenario ${SCN} s; boot and power-off overhead $(secs "$SCN" "$TOTAL") s; total ${TOTAL} s wall clock"
else
  say "times: scenario start ${SS:-never reached}; total ${TOTAL} s wall clock"
fi

RESULT=$(grep -a '^HIL-RESULT' "$LOG" | tr -d '\r' | tail -1)
if [ -z "$RESULT" ]; then
  say "FAIL: no HIL-RESULT line in the serial log; its last lines:"
  tail -25 "$LOG" | sed 's/^/  | /'
  exit 1
fi
say "$RESULT"
case "$RESULT" in
  "HIL-RESULT pass"*) exit 0 ;;
  *) say "serial log: $LOG"; exit 1 ;;
esac
