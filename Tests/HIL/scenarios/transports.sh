# shellcheck shell=bash
# Scenario transports: one scanner of each transport, found by profile and read by the real counterd
# running as its service user, with systemd-udevd applying the generated rules.
#   keyboard wedge  Honeywell Voyager 1400g (0c2e:0b81), HID gadget, usbhid + evdev
#   HID POS         Newland HR2150 (1eab:1c10), HID gadget with a usage page 0x8C descriptor, hidraw
#   serial          Zebra (Symbol) CDC (05e0:1701), CDC-ACM gadget, cdc_acm
#   unmatched       QEMU's own usb-kbd (0627:0001) on xHCI: no profile
# Asserts: udev gives the counterd group the matched nodes only; each transport redeems with its
# scanner as source and the right verdicts; doctor names the unmatched device. Then the fix doctor
# gives (a local profile, the rules regenerated) makes the QEMU keyboard a scanner, keys typed into
# it from the host through QMP redeem, and it survives a QMP unplug and replug.
# hil-append: dummy_hcd.num=3
# hil-qemu: usb-kbd
source "$HIL_ROOT/Tests/HIL/lib.sh"
WEDGE=honeywell-voyager-1400g POS=newland-hr2150-hidpos SERIAL=zebra-symbol-cdc QEMU_KBD=0627:0001

ensure_service_user
start_udevd
hil_stage udevd
gadget_hid_keyboard wedge $WEDGE 0
gadget_hid_pos pos $POS 1
gadget_acm serial $SERIAL 2
hil_stage gadgets
wait_for 30 "the wedge's event node" has_node "$(profile_ids $WEDGE)" event
wait_for 30 "the HID POS scanner's hidraw node" has_node "$(profile_ids $POS)" hidraw
wait_for 30 "the serial scanner's ttyACM node" has_node "$(profile_ids $SERIAL)" ttyACM
wait_for 30 "QEMU's usb-kbd event node" has_node $QEMU_KBD event
hil_stage nodes
udevadm settle -t 30
hil_stage enumerated

# udev: the counterd group gets exactly the matched scanners' nodes.
for n in "$(node_of "$(profile_ids $WEDGE)" event)" "$(node_of "$(profile_ids $POS)" hidraw)" "$(node_of "$(profile_ids $SERIAL)" ttyACM)"; do
  [ "$(stat -c '%G %a' "$n")" = "counterd 660" ] || fail "$n is $(stat -c '%U:%G %a' "$n"), expected group counterd mode 660 from $RULES"
  as_service_user test -r "$n" || fail "the counterd user cannot read $n"
done
KBD_NODE=$(node_of $QEMU_KBD event)
[ "$(stat -c %G "$KBD_NODE")" != counterd ] || fail "the unmatched $KBD_NODE got group counterd"
as_service_user test -r "$KBD_NODE" && fail "the counterd user can read the unmatched keyboard $KBD_NODE"
log "nodes: $(for n in /dev/input/event* /dev/hidraw* /dev/ttyACM*; do stat -c '%n %G %a' "$n"; done | tr '\n' ',')"

write_config
start_counterd service-user
[ "$(ps -o user= -p "$COUNTERD_PID")" = counterd ] || fail "counterd runs as $(ps -o user= -p "$COUNTERD_PID"), not counterd"
wait_for 40 "three scanners reading" scanners_reading 3
DEVICES=$(ctl devices --json)
log "devices: $(echo "$DEVICES" | jq -c '[.scanners[] | {source, transport, state, nodes}], .unmatched')"
for p in "$WEDGE keyboard" "$POS hid_pos" "$SERIAL serial"; do
  set -- $p
  echo "$DEVICES" | jq -e --arg p "$1" --arg t "$2" '.scanners[] | select(.profile == $p and .transport == $t and .state == "reading")' >/dev/null \
    || fail "counterctl devices does not show $1 reading as $2"
done
echo "$DEVICES" | jq -e --arg v $QEMU_KBD '.unmatched[] | select(.vendor_product == $v)' >/dev/null \
  || fail "counterctl devices does not list $QEMU_KBD as unmatched"
hil_stage scanners-reading

start_watch
type_text "$(hidg_of wedge)" $'DEMO-0001\r'
hid_pos_scan "$(hidg_of pos)" 'DEMO-0002'
serial_scan "$(ttygs_of serial)" $'DEMO-0003\r'
serial_scan "$(ttygs_of serial)" $'DEMO-EXPD\r'
hid_pos_scan "$(hidg_of pos)" 'DEMO-0001'
expect_verdicts 30 "$WEDGE@" "ok 0001"
expect_verdicts 30 "$POS@" $'ok 0002\nalready_redeemed -'
expect_verdicts 30 "$SERIAL@" $'ok 0003\nexpired -'
[ "$(ctl history --json | jq '.redemptions | length')" = 3 ] || fail "history should hold 3 redemptions"
hil_stage redeemed

DOCTOR=$(ctl doctor --json)
log "doctor: $(echo "$DOCTOR" | jq -c '[.checks[] | select(.id == "scanners" or .id == "scanner_access" or .id == "udev_rules") | {id, outcome, summary}]')"
echo "$DOCTOR" | jq -e '.checks[] | select(.id == "scanners" and .outcome == "ok" and (.summary | contains("0627:0001")))' >/dev/null \
  || fail "doctor's scanners check does not name the unmatched 0627:0001"
echo "$DOCTOR" | jq -e '.checks[] | select(.id == "scanner_access" and .outcome == "ok")' >/dev/null || fail "doctor: scanner_access not ok"
echo "$DOCTOR" | jq -e '.checks[] | select(.id == "udev_rules" and .outcome == "ok")' >/dev/null || fail "doctor: udev_rules not ok"
hil_stage doctor

# The fix: a profile for the unmatched device in the shop's own profiles, the rules regenerated.
mkdir -p /tmp/profiles/qemu   # DIR/FAMILY/ID.json, like drivers/scanners
cat > /tmp/profiles/qemu/qemu-usb-keyboard.json <<'JSON'
{
  "id": "qemu-usb-keyboard",
  "name": "QEMU USB Keyboard, as a keyboard-wedge scanner (hardware-in-the-loop tests)",
  "family": "qemu",
  "match": { "vendor_id": "0627", "product_id": "0001" },
  "transport": "keyboard",
  "framing": { "terminator": "cr", "inter_character_timeout_ms": 500 },
  "duplicate_window_ms": 1500,
  "keyboard_layout": "us",
  "ids_verified": true,
  "source": "QEMU hw/usb/dev-hid.c"
}
JSON
install_udev_rules /tmp/profiles
udevadm control --reload && udevadm trigger --action=add --subsystem-match=usb --subsystem-match=input && udevadm settle -t 30
[ "$(stat -c %G "$KBD_NODE")" = counterd ] || fail "after the new rules $KBD_NODE is group $(stat -c %G "$KBD_NODE")"
stop_counterd
echo "  profiles_directory: /tmp/profiles" >> /tmp/hil.yaml
start_counterd service-user
wait_for 40 "four scanners reading" scanners_reading 4
start_watch
hil_stage qemu-keyboard-matched
host type 'CARD-0010\r'
expect_verdicts 30 "qemu-usb-keyboard@" "ok 0010"
host unplug kbd
wait_for 20 "the detach of the QEMU keyboard" sh -c "jq -r 'select(.event == \"device\" and (.data.source | startswith(\"qemu-usb-keyboard\"))) | .data.kind' $WATCH | grep -q detached"
host plug kbd
wait_for 30 "the QEMU keyboard reading again" scanners_reading 4
host type 'DEMO-SOON\r'
expect_verdicts 30 "qemu-usb-keyboard@" $'ok 0010\nnot_yet_valid -'
log "device events of the QEMU keyboard: $(devices qemu-usb-keyboard@ | tr '\n' ' ')"
DOCTOR=$(ctl doctor --json)
echo "$DOCTOR" | jq -e '.checks[] | select(.id == "udev_rules" and .outcome == "ok")' >/dev/null || fail "doctor: udev_rules not ok with the local profile"
echo "$DOCTOR" | jq -e '.checks[] | select(.id == "scanners" and (.summary | contains("0627:0001") | not))' >/dev/null \
  || fail "doctor still reports 0627:0001 unmatched"
result pass "wedge, HID POS and serial scanners redeem as the counterd user; doctor named the unmatched QEMU keyboard; with a profile, QMP keys through it redeem, across an unplug and replug"
