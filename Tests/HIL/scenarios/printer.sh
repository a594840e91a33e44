# shellcheck shell=bash
# Scenario printer: a receipt printed through a CUPS usb:// queue inside the guest (the host's cupsd
# and usb backend, a private configuration) reaches a USB printer gadget byte-exact; then the printer
# is unplugged while a job is printing: the redemption stands, and the receipt prints after replug.
# hil-append: dummy_hcd.num=1
source "$HIL_ROOT/Tests/HIL/lib.sh"
CUPS=127.0.0.1:6631

gadget_printer printer 0
wait_for 30 "usblp's node for the printer" has_node $PRINTER_IDS lp
printer_capture /tmp/printed.bin
hil_stage printer-enumerated
"$HIL_ROOT/Tests/cups/start-cupsd.sh" /tmp/cups 6631 > /tmp/cupsd.pid || fail "cupsd did not start"
URI=$(timeout 60 lpinfo -h $CUPS --include-schemes usb -v | awk '$2 ~ /^usb:/ { print $2; exit }')
log "CUPS usb backend found: ${URI:-nothing}"
[ -n "$URI" ] || fail "lpinfo lists no usb:// printer: $(timeout 30 /usr/lib/cups/backend/usb 2>&1 | head -5)"
case "$URI" in usb://EPSON/TM-T82*) ;; *) fail "unexpected URI $URI (expected usb://EPSON/TM-T82…)";; esac
# As docs/printers.md sets a receipt queue up, with the retry-job error policy it recommends (CUPS's
# default, stop-printer, stops the queue when the printer goes away mid-job, until someone runs
# cupsenable: HIL_APPEND=hil.error_policy=stop-printer shows it).
POLICY=retry-job
for w in $(cat /proc/cmdline); do case "$w" in hil.error_policy=*) POLICY=${w#hil.error_policy=} ;; esac; done
lpadmin -h $CUPS -p receipt -E -v "$URI" -o printer-error-policy=$POLICY || fail "lpadmin failed"
hil_stage cups-queue

write_config
cat >> /tmp/hil.yaml <<YAML
printer:
  destination: receipt
  profile: epson-tm-t82-cn
  cups_server: $CUPS
YAML
start_counterd
printing() { ctl status --json | jq -e "$1" >/dev/null; }

# 1. Byte-exact.
ID=$(ctl redeem DEMO-0001 --json | jq -r .redemption_id)
[ -n "$ID" ] && [ "$ID" != null ] || fail "DEMO-0001 was not redeemed"
ctl receipt preview "$ID" --json | jq -r .escpos | base64 -d > /tmp/expected1.bin
[ -s /tmp/expected1.bin ] || fail "no receipt bytes from counterctl receipt preview"
wait_for 60 "the receipt at the printer ($(stat -c %s /tmp/expected1.bin) bytes)" sh -c "[ \$(stat -c %s /tmp/printed.bin) -ge $(stat -c %s /tmp/expected1.bin) ]"
cmp /tmp/expected1.bin /tmp/printed.bin || fail "the printer got other bytes than the receipt ($(stat -c %s /tmp/printed.bin) vs $(stat -c %s /tmp/expected1.bin))"
wait_for 30 "counterd to count the receipt printed" printing '.printing.printed == 1'
log "receipt 1: $(stat -c %s /tmp/printed.bin) bytes, byte-exact"
hil_stage receipt-byte-exact

# 2. Unplugged mid-job. Replug with nobody reading: no receive buffer is queued, so the next job
# starts and stalls inside the USB transfer, as with a printer that jams or goes off.
kill "$CAPTURE_PID"; wait "$CAPTURE_PID" 2>/dev/null
gadget_unbind printer; sleep 1; gadget_bind printer 0
wait_for 30 "the printer back" has_node $PRINTER_IDS lp
: > /tmp/printed.bin
ID2=$(ctl redeem DEMO-0002 --json | jq -r .redemption_id)
[ -n "$ID2" ] && [ "$ID2" != null ] || fail "DEMO-0002 was not redeemed"
ctl receipt preview "$ID2" --json | jq -r .escpos | base64 -d > /tmp/expected2.bin
job_printing() { lpstat -h $CUPS -o receipt -l 2>/dev/null | grep -q . && lpstat -h $CUPS -p receipt | grep -q 'now printing'; }
wait_for 60 "CUPS printing the second receipt" job_printing
sleep 2
log "mid-job: $(lpstat -h $CUPS -p receipt | head -2 | tr '\n' ' ')"
gadget_unbind printer
hil_stage unplugged-mid-job
sleep 5
log "unplugged: $(lpstat -h $CUPS -p receipt | head -2 | tr '\n' ' '); counterd: $(ctl status --json | jq -c .printing)"
ctl history --json | jq -e --arg id "$ID2" '.redemptions[] | select(.redemption_id == $id)' >/dev/null \
  || fail "the redemption $ID2 is gone from history after the printer was unplugged"
printing '.printing.printed == 1' || fail "counterd counts the second receipt printed while the printer is unplugged"
printer_capture /tmp/printed.bin
gadget_bind printer 0
hil_stage replugged
wait_for 90 "the second receipt at the printer after replug" sh -c "[ \$(stat -c %s /tmp/printed.bin) -ge $(stat -c %s /tmp/expected2.bin) ]"
sleep 1
tail -c "$(stat -c %s /tmp/expected2.bin)" /tmp/printed.bin | cmp - /tmp/expected2.bin \
  || fail "after replug the printer got $(stat -c %s /tmp/printed.bin) bytes that do not end with the receipt"
wait_for 60 "counterd to count the second receipt printed" printing '.printing.printed == 2'
[ "$(ctl history --json | jq '.redemptions | length')" = 2 ] || fail "history should hold 2 redemptions"
log "receipt 2 after replug: $(stat -c %s /tmp/printed.bin) bytes received, the receipt's $(stat -c %s /tmp/expected2.bin) byte-exact at the end"
result pass "receipt byte-exact through CUPS usb:// to the printer gadget; unplugged mid-job, the redemption stood and the receipt printed after replug"
