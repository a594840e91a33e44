# shellcheck shell=bash
# Helpers for hardware-in-the-loop scenarios. Sourced by Tests/HIL/scenarios/*.sh, which run as
# bash inside the guest, chrooted into the host root (so /work/main, /opt/swift, jq, coreutils
# are the host's). /tmp and /run are the guest's own tmpfs; /sys/kernel/config is configfs.
set -uo pipefail

# systemd's tools (udevadm) refuse to act in a chroot unless told to.
export SYSTEMD_IGNORE_CHROOT=1
HIL_ROOT=${HIL_ROOT:?HIL_ROOT not set (run through Tests/HIL/run.sh)}
BIN="$HIL_ROOT/.build/${HIL_BUILD:-debug}"
SOCK=/tmp/hil.sock
COUNTERD_LOG=/tmp/counterd.log
GADGETS=/sys/kernel/config/usb_gadget
COUNTERD_PID=
# Knobs from the kernel command line (run.sh passes HIL_APPEND): hil.type_delay=SECONDS.
for w in $(cat /proc/cmdline); do
  case "$w" in hil.type_delay=*) HIL_TYPE_DELAY=${w#hil.type_delay=} ;; esac
done

# wait_for and the rest of the host's scripts/lib.sh (read over 9p; the guest runs the host's bash).
source "$HIL_ROOT/scripts/lib.sh"

log() { echo "hil: $*"; }
# hil_stage NAME: a timestamped milestone in the serial log (not lib.sh's stage, which runs a command).
hil_stage() { echo "HIL-STAGE $* uptime=$(cut -d' ' -f1 /proc/uptime)"; }

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
  if [ -f "$WATCH" ]; then
    echo "---- counterctl watch --json (last 20 events) ----"
    tail -20 "$WATCH" | jq -M -c '{event, source: .data.source, kind: .data.kind, reason: .data.verdict.reason, last4: .data.verdict.code_last4}' 2>/dev/null
  fi
  [ -n "$COUNTERD_PID" ] && kill "$COUNTERD_PID" 2>/dev/null
  : > /run/hil-result-printed
  echo "HIL-RESULT $verdict $HIL_SCENARIO: $*"
  [ "$verdict" = pass ] && exit 0 || exit 1
}
fail() { result fail "$*"; }

# wait_for SECONDS DESCRIPTION COMMAND... (scripts/lib.sh) polls COMMAND every 0.2 s until it
# succeeds; in a scenario a timeout ends it: "HIL-RESULT fail ...: timed out after Ns waiting for ...".
on_wait_timeout() { fail "$1"; }

# profile_field PROFILE_ID JQ_FILTER: a value of a shipped scanner profile.
profile_file() { ls "$HIL_ROOT"/drivers/scanners/*/"$1".json 2>/dev/null | head -1; }
profile_field() { jq -r "$2" "$(profile_file "$1")"; }

# Gadgets. Each takes one UDC of dummy_hcd (boot with dummy_hcd.num=N for N devices at once; the
# scenario header "# hil-append: dummy_hcd.num=N" does that). GADGET is the folder of the last one made.
GADGET=
# gadget_new NAME VID PID MANUFACTURER PRODUCT: the device part of a gadget (ids, strings, one config).
gadget_new() {
  local g="$GADGETS/$1"
  mkdir "$g" || fail "cannot create gadget $g (configfs/libcomposite?)"
  echo "0x$2" > "$g/idVendor"; echo "0x$3" > "$g/idProduct"
  echo 0x0200 > "$g/bcdUSB"; echo 0x0100 > "$g/bcdDevice"
  mkdir "$g/strings/0x409"
  echo "$4" > "$g/strings/0x409/manufacturer"
  echo "$5" > "$g/strings/0x409/product"
  echo "HIL$1" > "$g/strings/0x409/serialnumber"
  mkdir "$g/configs/c.1" "$g/configs/c.1/strings/0x409"
  echo "$1" > "$g/configs/c.1/strings/0x409/configuration"
  echo 100 > "$g/configs/c.1/MaxPower"
  GADGET=$g
}
# gadget_bind NAME UDC_INDEX: plugs the gadget in (dummy_udc.K); gadget_unbind NAME pulls it out.
gadget_bind() {
  echo "dummy_udc.$2" > "$GADGETS/$1/UDC" || fail "cannot bind gadget $1 to dummy_udc.$2 (boot with dummy_hcd.num > $2)"
}
gadget_unbind() { echo "" > "$GADGETS/$1/UDC" || fail "cannot unbind gadget $1"; }
# gadget_from_profile NAME PROFILE_ID: gadget_new with the profile's VID:PID, and as USB strings its name up
# to the first comma as product (e.g. "Honeywell Voyager 1400g") and the first word of that as
# manufacturer (profiles hold no USB strings).
gadget_from_profile() {
  local f vid pid product; f=$(profile_file "$2"); [ -n "$f" ] || fail "no profile $2 in drivers/scanners"
  IFS=$'\t' read -r vid pid product <<< "$(jq -r '[.match.vendor_id, .match.product_id, (.name | split(",")[0])] | @tsv' "$f")"
  gadget_new "$1" "$vid" "$pid" "${product%% *}" "$product"
  GADGET_WHAT="$vid:$pid \"$product\""
}
# gadget_hid NAME PROFILE_ID UDC_INDEX DESCRIPTOR PROTOCOL SUBCLASS: a HID gadget; prints its /dev/hidgN.
gadget_hid() {
  gadget_from_profile "$1" "$2"
  local fn="$GADGET/functions/hid.$1"
  mkdir "$fn" || fail "cannot create the HID function of $1"
  echo "$5" > "$fn/protocol"; echo "$6" > "$fn/subclass"
  # 64, not 8: with report_length = wMaxPacketSize every report is followed by a zero-length packet.
  echo 64 > "$fn/report_length"
  printf "$4" > "$fn/report_desc"
  ln -s "$fn" "$GADGET/configs/c.1/"
  gadget_bind "$1" "$3"
  log "gadget $1: $GADGET_WHAT HID on dummy_udc.$3"
}
hidg_of() { echo "/dev/hidg$(cut -d: -f2 "$GADGETS/$1/functions/hid.$1/dev")"; }
# A USB HID boot keyboard: what a scanner in keyboard mode is.
BOOT_KEYBOARD_DESC='\x05\x01\x09\x06\xa1\x01\x05\x07\x19\xe0\x29\xe7\x15\x00\x25\x01\x75\x01\x95\x08\x81\x02\x95\x01\x75\x08\x81\x03\x95\x05\x75\x01\x05\x08\x19\x01\x29\x05\x91\x02\x95\x01\x75\x03\x91\x03\x95\x06\x75\x08\x15\x00\x25\x65\x05\x07\x19\x00\x29\x65\x81\x00\xc0'
gadget_hid_keyboard() { gadget_hid "$1" "$2" "${3:-0}" "$BOOT_KEYBOARD_DESC" 1 1; }
# A HID POS scanner (usage page 0x8C, bar code scanner): input report ID 2 of 63 bytes, as Honeywell's
# "Scanned Data Report" is laid out (length, up to 56 data bytes, AIM symbology id, flags in the last
# byte), and an output report ID 4 (trigger/beeper, unused). Not a keyboard: no evdev node, hidraw only.
HID_POS_DESC='\x05\x8c\x09\x02\xa1\x01\x85\x02\x15\x00\x26\xff\x00\x75\x08\x95\x3f\x09\xfe\x81\x02\x85\x04\x95\x3f\x09\xff\x91\x02\xc0'
gadget_hid_pos() { gadget_hid "$1" "$2" "$3" "$HID_POS_DESC" 0 0; }
# hid_pos_scan HIDG TEXT: one Scanned Data Report (text up to 56 bytes): 02 len data… AIM "]Q1"… flags 0.
hid_pos_scan() {
  timeout 10 python3 - "$1" "$2" <<'PY' || fail "writing a HID POS report to $1 failed or timed out"
import os, sys
data = sys.argv[2].encode()
report = bytearray(64); report[0] = 2; report[1] = len(data); report[2:2 + len(data)] = data; report[58:61] = b"]Q1"
fd = os.open(sys.argv[1], os.O_WRONLY); os.write(fd, bytes(report)); os.close(fd)
PY
}
# gadget_acm NAME PROFILE_ID UDC_INDEX: a CDC-ACM serial scanner; prints nothing, see ttygs_of.
gadget_acm() {
  gadget_from_profile "$1" "$2"
  local fn="$GADGET/functions/acm.$1"
  mkdir "$fn" || fail "cannot create the ACM function of $1"
  ln -s "$fn" "$GADGET/configs/c.1/"
  gadget_bind "$1" "$3"
  log "gadget $1: $GADGET_WHAT CDC-ACM on dummy_udc.$3"
}
ttygs_of() { echo "/dev/ttyGS$(cat "$GADGETS/$1/functions/acm.$1/port_num")"; }
# serial_scan TTYGS TEXT: a scan as a serial scanner sends it, the bytes as they are.
serial_scan() {
  stty -F "$1" raw -echo 2>/dev/null
  timeout 10 sh -c 'printf "%s" "$2" > "$1"' _ "$1" "$2" || fail "writing to $1 failed or timed out"
}

# gadget_printer NAME UDC_INDEX: a USB printer gadget (usb_f_printer) with the ids and IEEE 1284 device
# id of an Epson TM-T82 (04b8:0202, Epson's id for its TM receipt printers in usb.ids; the profile
# drivers/printers/epson/epson-tm-t82-cn.json gives the model, profiles hold no USB ids). The bytes the
# host prints come out of /dev/g_printer0. q_len 1: one receive buffer, and none is queued until
# someone reads /dev/g_printer0, so a printer nobody reads from holds the host's job mid-way.
PRINTER_IDS=04b8:0202
gadget_printer() {
  gadget_new "$1" 04b8 0202 EPSON "TM-T82"
  local fn="$GADGET/functions/printer.$1"
  mkdir "$fn" || fail "cannot create the printer function of $1"
  echo "MFG:EPSON;CMD:ESC/POS;MDL:TM-T82;CLS:PRINTER;DES:EPSON TM-T82 Receipt;" > "$fn/pnp_string"
  echo 1 > "$fn/q_len"
  ln -s "$fn" "$GADGET/configs/c.1/"
  gadget_bind "$1" "$2"
  log "gadget $1: $PRINTER_IDS EPSON TM-T82 printer on dummy_udc.$2"
}
# printer_capture FILE: appends what the printer gadget receives to FILE until killed (survives unplugs).
printer_capture() {
  python3 - "$1" <<'PY' &
import os, sys, time
out = open(sys.argv[1], "ab", buffering=0)
while True:
    try:
        fd = os.open("/dev/g_printer0", os.O_RDONLY)
        while True:
            data = os.read(fd, 4096)
            if data: out.write(data)
            else: time.sleep(0.05)
    except OSError:
        time.sleep(0.2)
PY
  CAPTURE_PID=$!
}

# USB device folder in sysfs with this VID:PID (as "vvvv:pppp"), or nothing.
usb_device() {
  local d
  for d in /sys/bus/usb/devices/*; do
    [ -f "$d/idVendor" ] && [ "$(cat "$d/idVendor"):$(cat "$d/idProduct")" = "$1" ] && { echo "$d"; return 0; }
  done
  return 1
}
# has_node VID:PID KIND: the device has a node of KIND (event, hidraw, ttyACM, lp) below it.
has_node() { local d; d=$(usb_device "$1") || return 1; find "$d/" -name "$2[0-9]*" -print -quit | grep -q .; }
node_of() {
  local d name; d=$(usb_device "$1") || return 1
  name=$(find "$d/" -name "$2[0-9]*" -printf '%f\n' | head -1)
  case "$2" in event) echo "/dev/input/$name" ;; lp) echo "/dev/usb/$name" ;; *) echo "/dev/$name" ;; esac
}
profile_ids() { profile_field "$1" '.match | "\(.vendor_id):\(.product_id)"'; }

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
# type_text HIDG TEXT [HIDG TEXT …]: key down then all up for each character, one 8-byte boot report
# per write; with several devices their reports take turns (two scanners typing at once). Each write
# blocks until the host has polled the report, so the gadget loses nothing; but the reports are
# paced (HIL_TYPE_DELAY seconds after each round, default 0.01, i.e. ~50 chars/s per device)
# because a reader that falls behind loses events in evdev itself: its per-reader buffer holds 64
# events, and on overflow the kernel drops the queue and sends SYN_DROPPED. HIL_TYPE_DELAY=0 types
# as fast as dummy_hcd polls (~1000 chars/s).
type_text() {
  local args=() i mod use out n=0
  while [ $# -ge 2 ]; do
    out=/tmp/hil-reports.$n.bin; : > "$out"
    for ((i = 0; i < ${#2}; i++)); do
      read -r mod use <<< "$(hid_usage "${2:i:1}")"
      printf "\\x$(printf %02x "$mod")\\x00\\x$(printf %02x "$use")\\x00\\x00\\x00\\x00\\x00" >> "$out"
      printf '\x00\x00\x00\x00\x00\x00\x00\x00' >> "$out"
    done
    args+=("$1" "$out"); n=$((n + 1)); shift 2
  done
  timeout 60 python3 - "${HIL_TYPE_DELAY:-0.01}" "${args[@]}" <<'PY' || fail "writing reports to ${args[*]} failed or timed out"
import os, sys, time
delay = float(sys.argv[1]); pairs = sys.argv[2:]
devices = [(os.open(pairs[i], os.O_WRONLY), open(pairs[i + 1], 'rb').read()) for i in range(0, len(pairs), 2)]
for offset in range(0, max(len(d) for _, d in devices), 8):
    for fd, data in devices:
        if offset < len(data): os.write(fd, data[offset:offset + 8])
    if delay: time.sleep(delay)
for fd, _ in devices: os.close(fd)
PY
}

# write_config: /tmp/hil.yaml for a demo counter with its state in /tmp/hil-state and its socket at
# $SOCK. usb_scanners comes last, so a scenario may append indented keys to it (profiles_directory)
# or more top-level sections after it.
write_config() {
  cat > /tmp/hil.yaml <<YAML
device:
  id: hil-counter
  shop: DEMO-SHOP
state_directory: /tmp/hil-state
api:
  socket: $SOCK
demo: true
usb_scanners:
  enabled: true
YAML
}

# ensure_service_user: the counterd user and group as the package makes them (systemd/counterd.sysusers).
# The host root is read-only, so when the host has no such user the guest binds copies of
# /etc/passwd and /etc/group with it added over the originals.
ensure_service_user() {
  getent passwd counterd >/dev/null && getent group counterd >/dev/null && return 0
  cp /etc/passwd /tmp/hil-passwd; cp /etc/group /tmp/hil-group
  echo 'counterd:x:64990:64990:counterd shop counter daemon:/var/lib/counterd:/usr/sbin/nologin' >> /tmp/hil-passwd
  echo 'counterd:x:64990:' >> /tmp/hil-group
  mount --bind /tmp/hil-passwd /etc/passwd && mount --bind /tmp/hil-group /etc/group || fail "cannot add the counterd user"
  getent passwd counterd >/dev/null || fail "the counterd user is not visible after adding it"
}
# setpriv execs the command, so a background `"${AS_SERVICE_USER[@]}" counterd &` leaves counterd's pid in $!.
AS_SERVICE_USER=(setpriv --reuid=counterd --regid=counterd --init-groups --inh-caps=-all)
as_service_user() { "${AS_SERVICE_USER[@]}" "$@"; }

# start_udevd [PROFILES_DIR]: installs the rules `counterd udev-rules` generates (in /run/udev/rules.d,
# which udev reads before /usr/lib; /etc is the host's and read-only) and starts systemd-udevd, which
# applies them and sends the events libusb hotplug listens for.
RULES=/run/udev/rules.d/70-counterd-scanners.rules
install_udev_rules() {
  mkdir -p /run/udev/rules.d
  "$BIN/counterd" udev-rules ${1:+--profiles-directory "$1"} > "$RULES.new" || fail "counterd udev-rules failed"
  mv "$RULES.new" "$RULES"
}
# udev's own rules that name and own input, hidraw and tty nodes; the rest of the host's rules (disks,
# cameras, sound, sane, upower…) run programs for every event, which under TCG took half a minute.
UDEV_BASE_RULES="50-udev-default.rules 60-input-id.rules 60-persistent-input.rules 60-serial.rules"
start_udevd() {
  install_udev_rules "${1:-}"
  mkdir -p /tmp/udev-rules
  for r in $UDEV_BASE_RULES; do cp "/usr/lib/udev/rules.d/$r" /tmp/udev-rules/ || fail "no $r in /usr/lib/udev/rules.d"; done
  mount --bind /tmp/udev-rules /usr/lib/udev/rules.d || fail "cannot narrow udev's rules"
  /lib/systemd/systemd-udevd --daemon || fail "systemd-udevd did not start"
  # Only what scanners are: every tty and block device too would cost seconds under TCG.
  udevadm trigger --action=add --subsystem-match=usb --subsystem-match=input --subsystem-match=hidraw \
    && udevadm settle -t 30 || fail "udevadm trigger/settle failed"
  log "systemd-udevd running with $UDEV_BASE_RULES and $RULES ($(grep -c '^SUBSYSTEM' "$RULES") rules)"
}

# start_counterd [service-user]: counterd with /tmp/hil.yaml in the background, log in /tmp/counterd.log;
# with service-user it runs as the counterd user, as the systemd unit runs it.
start_counterd() {
  local run=()
  if [ "${1:-}" = service-user ]; then
    mkdir -p /tmp/hil-state && chown counterd:counterd /tmp/hil-state
    run=("${AS_SERVICE_USER[@]}")  # not the function: a function in the background is a subshell
  fi
  "${run[@]}" "$BIN/counterd" run --config /tmp/hil.yaml >> "$COUNTERD_LOG" 2>&1 &
  COUNTERD_PID=$!
  wait_for 60 "counterd's socket $SOCK" test -S "$SOCK"
  kill -0 "$COUNTERD_PID" 2>/dev/null || fail "counterd exited at start"
}
stop_counterd() {
  kill "$WATCH_PID" "$COUNTERD_PID" 2>/dev/null
  wait_for 20 "counterd to stop" sh -c "! kill -0 $COUNTERD_PID 2>/dev/null"
  COUNTERD_PID=; WATCH_PID=
}
ctl() { timeout 20 "$BIN/counterctl" "$@" --socket "$SOCK"; }
# scanners_reading N: counterctl devices shows N scanners reading.
scanners_reading() { ctl devices --json | jq -e --argjson n "$1" '[.scanners[] | select(.state == "reading")] | length == $n'; }

# start_watch: `counterctl watch --json` into $WATCH for the rest of the scenario, connected before
# it returns (a code redeemed by counterctl shows up in it). verdicts SOURCE_PREFIX prints
# "reason last4" per verdict of the scanners whose source starts with it; devices SOURCE_PREFIX
# "kind" per device event.
WATCH=/tmp/watch.jsonl
WATCH_PID=
start_watch() {
  : > "$WATCH"
  "$BIN/counterctl" watch --json --socket "$SOCK" >> "$WATCH" 2>>/tmp/watch.err &
  WATCH_PID=$!
  local n=0
  until grep -q '"source":"counterctl"' "$WATCH" 2>/dev/null; do
    n=$((n + 1)); [ $n -le 15 ] || fail "counterctl watch shows no events: $(cat /tmp/watch.err)"
    timeout 20 "$BIN/counterctl" redeem "HIL-SYNC-$n" --socket "$SOCK" >/dev/null 2>&1
    sleep 1
  done
}
verdicts() {
  jq -r --arg p "$1" 'select(.event == "verdict" and (.data.source | startswith($p))) | "\(.data.verdict.reason) \(.data.verdict.code_last4 // "-")"' "$WATCH"
}
devices() { jq -r --arg p "$1" 'select(.event == "device" and (.data.source | startswith($p))) | .data.kind' "$WATCH"; }
# expect_verdicts SECONDS SOURCE_PREFIX EXPECTED: waits for that many verdicts, then compares them all
# (one "reason last4" per line, in order).
expect_verdicts() {
  local want; want=$(printf '%s\n' "$3" | grep -c .)
  wait_for "$1" "$want verdict(s) from $2 (have: $(verdicts "$2" | tr '\n' ',' ))" \
    sh -c "[ \$(jq -r --arg p '$2' 'select(.event == \"verdict\" and (.data.source | startswith(\$p))) | 1' $WATCH | wc -l) -ge $want ]"
  sleep 1  # a duplicate would come right behind
  [ "$(verdicts "$2")" = "$3" ] || fail "verdicts from $2: expected [$(echo $3)], got [$(verdicts "$2" | tr '\n' ' ')]"
  log "verdicts from $2: $(verdicts "$2" | tr '\n' ',')"
}

# Host side (Tests/HIL/host.py over ttyS1): host COMMAND ARGS, e.g. host type 'DEMO-0001\r'.
HOST_OPEN=
host() {
  if [ -z "$HOST_OPEN" ]; then
    stty -F /dev/ttyS1 raw -echo 115200 || fail "no /dev/ttyS1 to the host"
    exec 7<>/dev/ttyS1
    HOST_OPEN=1
  fi
  printf '%s\n' "$*" >&7
  local reply=
  read -r -t 120 -u 7 reply || fail "no answer from the host to '$*' within 120 s"
  reply=${reply%$'\r'}
  [ "$reply" = ok ] || fail "host: $*: $reply"
}

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
