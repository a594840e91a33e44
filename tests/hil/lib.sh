# shellcheck shell=bash
# Helpers for hardware-in-the-loop scenarios. Sourced by tests/hil/scenarios/*.sh, which run as
# bash inside the guest, chrooted into the host root (so /work/main, /opt/swift, jq, coreutils
# are the host's). /tmp and /run are the guest's own tmpfs; /sys/kernel/config is configfs.
set -uo pipefail

HIL_ROOT=${HIL_ROOT:?HIL_ROOT not set (run through tests/hil/run.sh)}
BIN="$HIL_ROOT/.build/${HIL_BUILD:-debug}"
SOCK=/tmp/hil.sock
COUNTERD_LOG=/tmp/counterd.log
GADGETS=/sys/kernel/config/usb_gadget
COUNTERD_PID=
# Knobs from the kernel command line (run.sh passes HIL_APPEND): hil.type_delay=SECONDS.
for w in $(cat /proc/cmdline); do
  case "$w" in hil.type_delay=*) HIL_TYPE_DELAY=${w#hil.type_delay=} ;; esac
done

log() { echo "hil: $*"; }
stage() { echo "HIL-STAGE $* uptime=$(cut -d' ' -f1 /proc/uptime)"; }

# result pass|fail REASON: prints the line the host looks for, then counterd's log tail, exits.
result() {
  local verdict=$1; shift
  if [ -f "$COUNTERD_LOG" ]; then
    echo "---- counterd log (last 30 lines) ----"
    tail -30 "$COUNTERD_LOG"
    echo "---- end of counterd log ----"
  fi
  if [ "$verdict" != pass ] && [ -f /tmp/hil-state/ledger.sqlite ] && command -v sqlite3 >/dev/null; then
    echo "---- rejections in the ledger (reason|detail|source|sha256 of the canonical code) ----"
    timeout 10 sqlite3 /tmp/hil-state/ledger.sqlite 'select reason, detail, source, lower(hex(code_hash)) from rejection' 2>&1
  fi
  [ -n "$COUNTERD_PID" ] && kill "$COUNTERD_PID" 2>/dev/null
  : > /run/hil-result-printed
  echo "HIL-RESULT $verdict $HIL_SCENARIO: $*"
  [ "$verdict" = pass ] && exit 0 || exit 1
}
fail() { result fail "$*"; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local secs=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && fail "timed out after ${secs}s waiting for $what"
    sleep 0.2
  done
}

# profile_field PROFILE_ID JQ_FILTER: a value of a shipped scanner profile.
profile_file() { ls "$HIL_ROOT"/drivers/scanners/*/"$1".json 2>/dev/null | head -1; }
profile_field() { jq -r "$2" "$(profile_file "$1")"; }

# USB device folder in sysfs with this vendor id (4 hex digits), or nothing.
usb_device_with_vendor() {
  local d
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idVendor" ] && [ "$(cat "$d/idVendor")" = "$1" ] && { echo "$d"; return 0; }
  done
  return 1
}
# An evdev node made for the device with this vendor id (find does not follow symlinks).
event_node_of_vendor() {
  local d; d=$(usb_device_with_vendor "$1") || return 1
  find "$d/" -name 'event[0-9]*' -print -quit | grep -q .
}

# gadget_hid_keyboard NAME PROFILE_ID: a configfs USB HID boot keyboard on dummy_hcd with the
# profile's VID:PID. Strings: the product is the profile's name up to the first comma (e.g.
# "Honeywell Voyager 1400g"), the manufacturer its first word. Leaves /dev/hidgN for typing.
BOOT_KEYBOARD_DESC='\x05\x01\x09\x06\xa1\x01\x05\x07\x19\xe0\x29\xe7\x15\x00\x25\x01\x75\x01\x95\x08\x81\x02\x95\x01\x75\x08\x81\x03\x95\x05\x75\x01\x05\x08\x19\x01\x29\x05\x91\x02\x95\x01\x75\x03\x91\x03\x95\x06\x75\x08\x15\x00\x25\x65\x05\x07\x19\x00\x29\x65\x81\x00\xc0'
gadget_hid_keyboard() {
  local name=$1 profile=$2 f vid pid product manufacturer udc
  f=$(profile_file "$profile"); [ -n "$f" ] || fail "no profile $profile in drivers/scanners"
  vid=$(jq -r .match.vendor_id "$f"); pid=$(jq -r .match.product_id "$f")
  product=$(jq -r '.name | split(",")[0]' "$f"); manufacturer=${product%% *}
  local g="$GADGETS/$name"
  mkdir "$g" || fail "cannot create gadget $g (configfs/libcomposite?)"
  echo "0x$vid" > "$g/idVendor"; echo "0x$pid" > "$g/idProduct"
  echo 0x0200 > "$g/bcdUSB"; echo 0x0100 > "$g/bcdDevice"
  mkdir "$g/strings/0x409"
  echo "$manufacturer" > "$g/strings/0x409/manufacturer"
  echo "$product" > "$g/strings/0x409/product"
  echo "HIL$name" > "$g/strings/0x409/serialnumber"
  mkdir "$g/configs/c.1" "$g/configs/c.1/strings/0x409"
  echo "keyboard" > "$g/configs/c.1/strings/0x409/configuration"
  echo 100 > "$g/configs/c.1/MaxPower"
  mkdir "$g/functions/hid.usb0"
  echo 1 > "$g/functions/hid.usb0/protocol"; echo 1 > "$g/functions/hid.usb0/subclass"
  # 64, not 8: with report_length = wMaxPacketSize every report is followed by a zero-length packet.
  echo 64 > "$g/functions/hid.usb0/report_length"
  printf "$BOOT_KEYBOARD_DESC" > "$g/functions/hid.usb0/report_desc"
  ln -s "$g/functions/hid.usb0" "$g/configs/c.1/"
  udc=$(ls /sys/class/udc | head -1); [ -n "$udc" ] || fail "no UDC (dummy_hcd not loaded?)"
  echo "$udc" > "$g/UDC" || fail "cannot bind gadget $name to $udc"
  log "gadget $name: $vid:$pid \"$manufacturer\" \"$product\" on $udc"
}

# hid_usage CHAR: "MODIFIER USAGE" of a US keyboard for a character (letters, digits, - and CR).
hid_usage() {
  local c=$1 o
  case "$c" in
    [a-z]) o=$(printf '%d' "'$c"); echo "0 $((o - 97 + 4))" ;;
    [A-Z]) o=$(printf '%d' "'$c"); echo "2 $((o - 65 + 4))" ;;
    [1-9]) echo "0 $((c + 29))" ;;
    0) echo "0 39" ;;
    -) echo "0 45" ;;
    $'\r') echo "0 40" ;;
    *) fail "hid_usage: no usage for character '$c'" ;;
  esac
}
# type_text HIDG TEXT: key down then all up for each character, one 8-byte boot report per
# write. Each write blocks until the host has polled the report, so the gadget loses nothing; but
# the reports are paced (HIL_TYPE_DELAY seconds after each, default 0.01, i.e. ~50 chars/s)
# because a reader that falls behind loses events in evdev itself: its per-reader buffer holds 64
# events, and on overflow the kernel drops the queue and sends SYN_DROPPED. HIL_TYPE_DELAY=0 types
# as fast as dummy_hcd polls (~1000 chars/s).
type_text() {
  local dev=$1 text=$2 i mod use out=/tmp/hil-reports.bin
  : > "$out"
  for ((i = 0; i < ${#text}; i++)); do
    read -r mod use <<< "$(hid_usage "${text:i:1}")"
    printf "\\x$(printf %02x "$mod")\\x00\\x$(printf %02x "$use")\\x00\\x00\\x00\\x00\\x00" >> "$out"
    printf '\x00\x00\x00\x00\x00\x00\x00\x00' >> "$out"
  done
  timeout 30 python3 - "$out" "$dev" "${HIL_TYPE_DELAY:-0.01}" <<'PY' || fail "writing reports to $dev failed or timed out"
import os, sys, time
data = open(sys.argv[1], 'rb').read(); delay = float(sys.argv[3])
fd = os.open(sys.argv[2], os.O_WRONLY)
for i in range(0, len(data), 8):
    os.write(fd, data[i:i + 8])
    if delay: time.sleep(delay)
os.close(fd)
PY
}

# start_counterd: counterd with /tmp/hil.yaml in the background, log in /tmp/counterd.log.
start_counterd() {
  "$BIN/counterd" run --config /tmp/hil.yaml > "$COUNTERD_LOG" 2>&1 &
  COUNTERD_PID=$!
  wait_for 60 "counterd's socket $SOCK" test -S "$SOCK"
  kill -0 "$COUNTERD_PID" 2>/dev/null || fail "counterd exited at start"
}
ctl() { timeout 20 "$BIN/counterctl" "$1" --socket "$SOCK" "${@:2}"; }

# hil_debug: true when the kernel command line has hil.debug=1 (HIL_APPEND=hil.debug=1 run.sh ...).
hil_debug() { grep -qw 'hil.debug=1' /proc/cmdline; }
# evdev_dump NODE SECONDS [START_AFTER]: prints the EV_KEY events (code:value) a node delivers
# within SECONDS, and SYN_DROPPED when the kernel dropped events. With START_AFTER, the node is
# opened at once but read only after that many seconds (a reader that falls behind).
evdev_dump() {
  timeout "$(( $2 + 5 ))" python3 - "$1" "$2" "${3:-0}" <<'PY'
import os, select, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK); end = time.time() + float(sys.argv[2]); keys = []
time.sleep(float(sys.argv[3]))
while time.time() < end:
    if select.select([fd], [], [], 0.1)[0]:
        data = os.read(fd, 24 * 64)
        for i in range(0, len(data) - 23, 24):
            _, _, t, c, v = struct.unpack('qqHHi', data[i:i + 24])
            if t == 1: keys.append(f"{c}:{v}")
            if t == 0 and c == 3: keys.append("SYN_DROPPED")
print("hil: evdev", sys.argv[1], " ".join(keys))
PY
}
