# shellcheck shell=bash
# Scenario stream: two keyboard-wedge scanners (Honeywell Voyager 1400g 0c2e:0b81 and Zebra (Symbol)
# keyboard mode 05e0:1200 gadgets) under the counterd service user with systemd-udevd.
# Asserts:
#   grab      while counterd holds EVIOCGRAB, another reader of the scanner's event node gets no key
#             (the same reader does get the keys before counterd starts: the check can fail);
#   two       both scanners typing at once, report by report in turn: each code once, each with its source;
#   replug    a scanner unplugged in the middle of a stream, mid-code, and plugged back: counterd
#             reports detached then attached, every complete scan gets exactly one verdict, in
#             order, none twice; the cut one at most a malformed verdict.
# hil-append: dummy_hcd.num=2
source "$HIL_ROOT/Tests/HIL/lib.sh"
A=honeywell-voyager-1400g B=zebra-symbol-keyboard

ensure_service_user
start_udevd
gadget_hid_keyboard a $A 0
gadget_hid_keyboard b $B 1
wait_for 30 "scanner a's event node" has_node "$(profile_ids $A)" event
wait_for 30 "scanner b's event node" has_node "$(profile_ids $B)" event
udevadm settle -t 30
EV_A=$(node_of "$(profile_ids $A)" event)
hil_stage enumerated

# The grab check's control: without counterd, a reader of the node sees the keys.
evdev_dump "$EV_A" 6 > /tmp/grab-control.out & DUMP=$!
sleep 2.5; type_text "$(hidg_of a)" $'z\r'; wait $DUMP
grep -q '44:1' /tmp/grab-control.out || fail "control: a reader of $EV_A did not see the key z without counterd: $(cat /tmp/grab-control.out)"

write_config
start_counterd service-user
wait_for 40 "both scanners reading" scanners_reading 2
start_watch
hil_stage scanners-reading

# Grab: the same reader, now with counterd holding the node.
evdev_dump "$EV_A" 6 > /tmp/grab.out & DUMP=$!
sleep 2.5; type_text "$(hidg_of a)" $'DEMO-0001\r'; wait $DUMP
log "grab: $(cat /tmp/grab.out)"
sed 's|^hil: evdev [^ ]* *||' /tmp/grab.out | grep -q ':' && fail "another reader of $EV_A got key events while counterd held the grab: $(cat /tmp/grab.out)"
expect_verdicts 30 "$A@" "ok 0001"
hil_stage grab

# Two scanners at once.
type_text "$(hidg_of a)" $'DEMO-0002\r' "$(hidg_of b)" $'DEMO-0003\r'
expect_verdicts 30 "$A@" $'ok 0001\nok 0002'
expect_verdicts 30 "$B@" "ok 0003"
hil_stage two-at-once

# Unplug a mid-stream, in the middle of a code, and plug it back.
type_text "$(hidg_of a)" $'DEMO-EXPD\rDEMO-SOON\rDEMO-RE'
gadget_unbind a
wait_for 30 "counterd to report scanner a detached" sh -c "jq -r 'select(.event == \"device\" and (.data.source | startswith(\"$A@\"))) | .data.kind' $WATCH | grep -q detached"
hil_stage unplugged
gadget_bind a 0
wait_for 30 "scanner a's event node again" has_node "$(profile_ids $A)" event
wait_for 40 "both scanners reading again" scanners_reading 2
hil_stage replugged
type_text "$(hidg_of a)" $'DEMO-REVK\rDEMO-AWAY\r'
wait_for 30 "the verdicts after the replug" sh -c "jq -r 'select(.event == \"verdict\" and (.data.source | startswith(\"$A@\")) and .data.verdict.reason == \"wrong_shop\") | 1' $WATCH | grep -q 1"
sleep 1
GOT=$(verdicts "$A@" | grep -v '^malformed ' | tr '\n' ',')
WANT="ok 0001,ok 0002,expired -,not_yet_valid -,revoked -,wrong_shop -,"
[ "$GOT" = "$WANT" ] || fail "verdicts from $A: expected $WANT got $GOT (all: $(verdicts "$A@" | tr '\n' ','))"
CUT=$(verdicts "$A@" | grep -c '^malformed ')
[ "$CUT" -le 1 ] || fail "$CUT malformed verdicts for one cut scan"
EVENTS=$(devices "$A@" | tr '\n' ' ')
[ "$EVENTS" = "detached attached " ] || fail "device events of $A: expected 'detached attached', got '$EVENTS'"
[ "$(ctl history --json | jq '.redemptions | length')" = 3 ] || fail "history should hold 3 redemptions"
log "verdicts from $A: $(verdicts "$A@" | tr '\n' ','); device events: $EVENTS"
result pass "grab keeps scans from other readers; two scanners at once; unplug and replug mid-stream: detached, attached, every complete scan once ($CUT cut scan rejected)"
