source "$HIL_ROOT/tests/hil/lib.sh"
t() { local s=$(cut -d' ' -f1 /proc/uptime); "$@" >/dev/null 2>&1; echo "hil: $(awk -v s=$s -v e=$(cut -d' ' -f1 /proc/uptime) 'BEGIN{print e-s}') s: $*"; }
t cat $BIN/counterctl
t cat $BIN/counterctl
t $BIN/counterctl --help
t $BIN/counterctl --help
t jq --version
t jq --version
t cat $BIN/counterd
t $BIN/counterd --help
t $BIN/counterd --help
cp $BIN/counterctl /tmp/cc; t /tmp/cc --help
t python3 -c 1
t python3 -c 1
result pass probe
