#!/usr/bin/env bash
# Starts a private cupsd for the tests: its own configuration, spool and logs under DIR, listening on
# 127.0.0.1:PORT only, no authentication (loopback, test data). The system's cupsd, if any, is untouched.
#
#   Tests/cups/start-cupsd.sh DIR PORT     prints cupsd's pid once it answers on PORT
set -euo pipefail
dir=$1
port=$2
mkdir -p "$dir"/{etc/ppd,spool/tmp,cache,state,log}
cat > "$dir/etc/cupsd.conf" <<CONF
Listen 127.0.0.1:$port
LogLevel warn
Browsing No
WebInterface No
DefaultAuthType None
JobRetryInterval 2
# Write printers.conf at once: a test that stops and restarts cupsd must find its queues again.
DirtyCleanInterval 0
MaxJobs 0
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
    Allow all
  </Limit>
</Policy>
CONF
cat > "$dir/etc/cups-files.conf" <<CONF
ServerRoot $dir/etc
RequestRoot $dir/spool
TempDir $dir/spool/tmp
CacheDir $dir/cache
StateDir $dir/state
ErrorLog $dir/log/error_log
AccessLog $dir/log/access_log
PageLog $dir/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
SystemGroup root
FileDevice No
CONF
# cupsd must not keep the caller's pipes open (a test runner would wait for them forever).
for fd in $(ls /proc/$$/fd); do
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
cupsd -f -c "$dir/etc/cupsd.conf" -s "$dir/etc/cups-files.conf" > "$dir/log/cupsd.out" 2>&1 &
pid=$!
for _ in $(seq 100); do
    if lpstat -h "127.0.0.1:$port" -r 2>/dev/null | grep -q "is running"; then echo "$pid"; exit 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
done
echo "start-cupsd: cupsd did not answer on 127.0.0.1:$port; its log:" >&2
cat "$dir/log/cupsd.out" "$dir/log/error_log" >&2 2>/dev/null || true
kill "$pid" 2>/dev/null || true
exit 1
