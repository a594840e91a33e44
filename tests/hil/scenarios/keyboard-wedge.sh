# shellcheck shell=bash
# Scenario keyboard-wedge: a Honeywell Voyager 1400g in keyboard mode (configfs HID gadget on
# dummy_hcd with the profile's VID:PID), read by the real counterd through usbhid + evdev.
# Asserts: counterd finds it by profile and reads it; DEMO-0001 typed through it is redeemed
# with the scanner as source; typed again it is rejected.
source "$HIL_ROOT/tests/hil/lib.sh"
PROFILE=honeywell-voyager-1400g
VID=$(profile_field $PROFILE .match.vendor_id)

gadget_hid_keyboard scanner1 $PROFILE
wait_for 20 "the host side to enumerate $VID with an event node" event_node_of_vendor "$VID"
DEV=$(usb_device_with_vendor "$VID")
log "enumerated at $DEV: $(cat "$DEV/manufacturer") / $(cat "$DEV/product"), nodes: $(find "$DEV/" -name 'event[0-9]*' -printf '%f ' ; find "$DEV/" -name 'hidraw[0-9]*' -printf '%f ')"
stage enumerated
[ -c /dev/hidg0 ] || fail "/dev/hidg0 missing"
if hil_debug; then   # what the kernel makes of the typed reports, before counterd grabs the node
  EV=/dev/input/$(find "$DEV/" -name 'event[0-9]*' -printf '%f' -quit)
  evdev_dump "$EV" 4 & sleep 1.5; type_text /dev/hidg0 $'DEMO-0001\r'; wait
  # The same, unpaced, to a reader that reads only 3 s later: evdev keeps 64 events per reader.
  evdev_dump "$EV" 6 3 & sleep 1.5; HIL_TYPE_DELAY=0 type_text /dev/hidg0 $'DEMO-0001\r'; wait
fi

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
start_counterd
stage counterd-started
scanner_reading() {
  ctl devices --json | jq -e --arg p "$PROFILE" '.scanners[] | select(.profile == $p and .state == "reading")'
}
wait_for 30 "counterctl devices to show $PROFILE reading" scanner_reading
log "devices: $(ctl devices --json)"
stage scanner-reading

type_text /dev/hidg0 $'DEMO-0001\r'
redeemed() {
  ctl history --json | jq -e --arg p "$PROFILE" '[.redemptions[] | select(.source | startswith($p))] | length == 1'
}
wait_for 15 "a redemption with source $PROFILE@… in counterctl history" redeemed
log "history: $(ctl history --json | jq -c '[.redemptions[] | {source, code_last4, device_sequence}]')"
stage redeemed

type_text /dev/hidg0 $'DEMO-0001\r'
rejected() { ctl status --json | jq -e '.ledger.rejections >= 1'; }
wait_for 15 "a rejection of the second DEMO-0001 in counterctl status" rejected
grep -q 'already_redeemed' "$COUNTERD_LOG" || log "note: no already_redeemed in counterd's log"
N=$(ctl history --json | jq '.redemptions | length')
[ "$N" = 1 ] || fail "expected exactly 1 redemption after the repeat, history has $N"
result pass "DEMO-0001 through the $PROFILE gadget redeemed once, the repeat rejected"
