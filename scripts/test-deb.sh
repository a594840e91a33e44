#!/usr/bin/env bash
# Tests the packages built by scripts/build-deb.sh on this machine, as root: installs counterd and
# counter-hub (with their dependencies, from apt), checks what they installed, removes counterd
# (data and configuration stay), reinstalls it, and purges both (everything goes but the user, and
# a ledger holding an event not yet uploaded, which is moved aside).
#
#   sudo scripts/test-deb.sh DEB_DIR
#
# One line per check, then "N passed, M failed"; exits 1 when a check fails. It refuses to run
# where counterd is installed or its directories exist, and purges the packages on every exit. A
# counterd user it created is deleted at the end too, so the machine is left as it was found.
# shellcheck disable=SC2015,SC2016 # "A && B || C" predicates; bash -c scripts in single quotes
set -uo pipefail
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive COLUMNS=80

repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/lib.sh"
started=$SECONDS
passed=0
failed=0

die() { printf 'test-deb: %s\n' "$*" >&2; exit 2; }
pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; printf '%s\n' "$2" | sed -e '/^$/d' -e 's/^/      | /' | head -40; }
# section FUNCTION: runs a stage's checks; fails (stage says so) when one of them failed.
section() {
    local failed_before=$failed
    "$1"
    [ "$failed" -eq "$failed_before" ]
}

check() { # DESCRIPTION COMMAND...: passes when COMMAND succeeds; its output explains a failure
    local description=$1 output status
    shift
    output=$("$@" 2>&1)
    status=$?
    if [ "$status" -eq 0 ]; then pass "$description"; else fail "$description" "${output:-exit status $status}"; fi
}

# Predicates for check: each prints what it found when it fails.
exists() { [ -e "$1" ] || { echo "$1 does not exist"; return 1; }; }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ] || { echo "$1 still exists: $(ls -ld "$1")"; return 1; }; }
executable() { [ -f "$1" ] && [ -x "$1" ] || { echo "$1 is not an executable file"; return 1; }; }
nonempty() { [ -s "$1" ] || { echo "$1 is missing or empty"; return 1; }; }
owned() { # PATH OWNER:GROUP MODE
    local found
    found=$(stat -c '%U:%G %a' "$1" 2>&1) || { echo "$found"; return 1; }
    [ "$found" = "$2 $3" ] || { echo "$1 is $found, expected $2 $3"; return 1; }
}
same() { [ "$1" = "$2" ] || { printf 'got:      %s\nexpected: %s\n' "$1" "$2"; return 1; }; }
quiet() { # COMMAND...: succeeds and prints nothing on stdout or stderr
    local output status
    output=$("$@" 2>&1)
    status=$?
    [ "$status" -eq 0 ] && [ -z "$output" ] || { printf 'exit status %s\n%s\n' "$status" "$output"; return 1; }
}
status_is() { # PACKAGE ABBREV: dpkg's status abbreviation ("ii ", "rc ", or "" when unknown)
    local found
    found=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)
    [ "$found" = "$2" ] || { echo "dpkg status of $1 is '$found', expected '$2'"; return 1; }
}
not_installed() { # PACKAGE: purged (dpkg forgets it, or keeps it as "un")
    local found
    found=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)
    case "$found" in "" | "un ") ;; *) echo "dpkg status of $1 is '$found'"; return 1 ;; esac
}
listed() { # PACKAGE PATH...: dpkg -L PACKAGE lists every PATH
    local package=$1 list path missing=()
    shift
    list=$(dpkg -L "$package" 2>&1) || { echo "$list"; return 1; }
    for path; do grep -qxF "$path" <<<"$list" || missing+=("$path"); done
    [ ${#missing[@]} -eq 0 ] || { echo "not in dpkg -L $package: ${missing[*]}"; return 1; }
}
not_running() { # no process runs /usr/bin/counterd; systemd (if it is PID 1) has the unit inactive
    local exe
    for exe in /proc/[0-9]*/exe; do
        [ "$(readlink "$exe" 2>/dev/null)" != /usr/bin/counterd ] || { echo "running: pid $(basename "$(dirname "$exe")")"; return 1; }
    done
    if [ -d /run/systemd/system ] && systemctl is-active --quiet counterd.service; then
        echo "systemctl says counterd.service is active"
        return 1
    fi
}
exit_status_is() { # STATUS COMMAND...
    local expected=$1 output status
    shift
    output=$("$@" 2>&1)
    status=$?
    [ "$status" -eq "$expected" ] || { printf 'exit status %s, expected %s\n%s\n' "$status" "$expected" "$output"; return 1; }
}
exposure_at_most() { # LIMIT UNIT
    local line score
    line=$(systemd-analyze security --offline=true "$2" 2>&1 | grep 'Overall exposure level') || { echo "no exposure level"; return 1; }
    score=$(sed -E 's/.*: *([0-9.]+).*/\1/' <<<"$line")
    awk -v s="$score" -v l="$1" 'BEGIN { exit !(s <= l) }' || { echo "$line (limit $1)"; return 1; }
    echo "$line"
}
man_renders() { # FILE.gz: groff formats it without warnings
    local output
    output=$(zcat "$1" | groff -man -Tutf8 -ww -z 2>&1)
    [ -z "$output" ] || { echo "$output"; return 1; }
}

# ---------------------------------------------------------------------------------------------
[ $# -eq 1 ] || { sed -n '2,11s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "run as root (it installs and purges packages)"
deb_dir=$1
[ -d "$deb_dir" ] || die "$deb_dir is not a directory"
find_deb() {
    local found=("$deb_dir"/"$1"_*_*.deb)
    [ -f "${found[0]}" ] || die "no $1_*.deb in $deb_dir (build it with scripts/build-deb.sh)"
    [ ${#found[@]} -eq 1 ] || die "more than one $1_*.deb in $deb_dir: ${found[*]##*/}"
    printf '%s\n' "${found[0]}"
}
counterd_deb=$(find_deb counterd)
hub_deb=$(find_deb counter-hub)
version=$(dpkg-deb -f "$counterd_deb" Version)

for package in counterd counter-hub; do
    state=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null)
    case "$state" in "" | "un ") ;; *) die "$package is already on this machine (dpkg status '$state'); this test installs and purges it: run it on a scratch machine" ;; esac
done
for directory in /var/lib/counterd /etc/counterd; do
    [ ! -e "$directory" ] || die "$directory exists; a purge would delete it: run this test on a scratch machine"
done
# A purge moves a ledger holding events not yet uploaded aside (/var/lib/counterd.purged-*): ones that
# were here before this test are left alone.
mapfile -t purged_before < <(find /var/lib -maxdepth 1 -name 'counterd.purged-*' | sort)
user_existed=no
group_existed=no
getent passwd counterd >/dev/null && user_existed=yes
getent group counterd >/dev/null && group_existed=yes

make_temp_dir work test-deb
chmod 0755 "$work" # apt's _apt user reads the .deb files from here
background=() # processes the end-to-end stage starts (counter-hub, counterd, the notify listener)
cleanup() {
    local package purge=() pid
    for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done
    for package in counterd counter-hub; do
        case "$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null)" in "" | "un ") ;; *) purge+=("$package") ;; esac
    done
    if [ ${#purge[@]} -gt 0 ]; then
        echo "cleanup: dpkg --purge ${purge[*]}"
        # This test's own ledger: deleted, not moved aside (debian/counterd.postrm).
        COUNTERD_PURGE_FORCE=1 timeout 300 dpkg --purge "${purge[@]}" </dev/null >"$work/cleanup.log" 2>&1 || cat "$work/cleanup.log"
    fi
    if [ "$user_existed" = no ] && getent passwd counterd >/dev/null; then
        echo "cleanup: userdel counterd (this test created it)"
        userdel counterd || true
    fi
    if [ "$group_existed" = no ] && getent group counterd >/dev/null; then
        groupdel counterd || true
    fi
}
on_exit cleanup
trap 'exit 130' INT TERM
cp "$counterd_deb" "$work/counterd.deb"
cp "$hub_deb" "$work/counter-hub.deb"
chmod 0644 "$work"/*.deb

dpkg_run() { # LOG ARGS...: dpkg, never waiting for a prompt
    local log=$1
    shift
    timeout 600 dpkg --force-confdef --force-confold "$@" </dev/null >"$work/$log" 2>&1
}

# ---------------------------------------------------------------------------------------------
section_install() {
    apt_install() {
        timeout 900 apt-get install -y --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "$work/counterd.deb" "$work/counter-hub.deb" </dev/null >"$work/install.log" 2>&1
    }
    if ! apt_install; then
        echo "apt-get install failed; apt-get update and one more try"
        timeout 600 apt-get update -qq </dev/null >/dev/null 2>&1
        apt_install || { tail -30 "$work/install.log"; die "could not install the packages"; }
    fi
    sed -n '/^The following NEW packages/,/^[0-9]* upgraded/p' "$work/install.log"
    sed -n '/^counterd is installed/,/^Configuration:/s/^/postinst: /p' "$work/install.log"
    check "postinst prints the next steps (enroll, start, doctor, install.md)" \
        grep -q 'counterd enroll --config /etc/counterd/counterd.yaml' "$work/install.log"
    check "dpkg status of counterd is installed" status_is counterd "ii "
    check "dpkg status of counter-hub is installed" status_is counter-hub "ii "
}
stage "install ${counterd_deb##*/} and ${hub_deb##*/} (apt-get install, dependencies from apt)" section section_install

# ---------------------------------------------------------------------------------------------
section_files() {
    unit=/usr/lib/systemd/system/counterd.service
    files=(/usr/bin/counterd /usr/bin/counterctl "$unit" /usr/lib/sysusers.d/counterd.conf
        /usr/lib/tmpfiles.d/counterd.conf /usr/lib/udev/rules.d/70-counterd-scanners.rules /etc/counterd/counterd.yaml
        /usr/share/counterd/printers/generic/generic-58.json /usr/share/counterd/scanners/README.md /usr/share/counterd/printers/README.md
        /usr/share/man/man8/counterd.8.gz /usr/share/man/man1/counterctl.1.gz)
    # A version without a Debian revision is a native package: changelog.gz, else changelog.Debian.gz.
    case "$version" in *-*) changelog=changelog.Debian.gz ;; *) changelog=changelog.gz ;; esac
    docs=(README.md configuration.md install.md openapi.yaml examples/counterd.example.yaml copyright "$changelog")
    for file in "$repo"/docs/*.md; do docs+=("${file##*/}"); done
    mapfile -t docs < <(printf '%s\n' "${docs[@]}" | sort -u)
    for doc in "${docs[@]}"; do files+=("/usr/share/doc/counterd/$doc"); done
    for name in counterd counterctl; do
        files+=("/usr/share/bash-completion/completions/$name" "/usr/share/zsh/vendor-completions/_$name"
            "/usr/share/fish/vendor_completions.d/$name.fish")
    done
    hub_files=(/usr/bin/counter-hub /usr/share/man/man1/counter-hub.1.gz /usr/share/bash-completion/completions/counter-hub
        /usr/share/zsh/vendor-completions/_counter-hub /usr/share/fish/vendor_completions.d/counter-hub.fish
        /usr/share/doc/counter-hub/copyright "/usr/share/doc/counter-hub/$changelog")

    for binary in /usr/bin/counterd /usr/bin/counterctl /usr/bin/counter-hub; do
        check "$binary is executable" executable "$binary"
    done
    for file in "${files[@]}" "${hub_files[@]}"; do
        case "$file" in /usr/bin/*) continue ;; esac
        check "$file" nonempty "$file"
    done
    for family in scanners printers; do
        if [ -d "$repo/drivers/$family" ]; then
            expected=$(find "$repo/drivers/$family" -name '*.json' | wc -l)
            check "/usr/share/counterd/$family has the $expected profiles of drivers/$family" \
                same "$(find "/usr/share/counterd/$family" -name '*.json' | wc -l)" "$expected"
        fi
    done
    check "dpkg -L counterd lists the binaries, unit, sysusers, tmpfiles, udev rules, conffile, man pages, completions, docs" \
        listed counterd "${files[@]}"
    check "dpkg -L counter-hub lists its binary, man page, completions and docs" listed counter-hub "${hub_files[@]}"
    check "/etc/counterd/counterd.yaml is a conffile" \
        grep -q '^ /etc/counterd/counterd.yaml ' <<<"$(dpkg-query -W -f='${Conffiles}\n' counterd)"
    if command -v man >/dev/null 2>&1; then
        check "man -w counterd finds section 8" same "$(man -w counterd 2>&1)" /usr/share/man/man8/counterd.8.gz
        check "man -w counterctl finds section 1" same "$(man -w counterctl 2>&1)" /usr/share/man/man1/counterctl.1.gz
        check "man -w counter-hub finds section 1" same "$(man -w counter-hub 2>&1)" /usr/share/man/man1/counter-hub.1.gz
    fi
    if command -v groff >/dev/null 2>&1; then
        for page in /usr/share/man/man8/counterd.8.gz /usr/share/man/man1/counterctl.1.gz /usr/share/man/man1/counter-hub.1.gz; do
            check "$page renders without groff warnings" man_renders "$page"
        done
    fi
    check "counterd.8 has the subcommands' help (counterd run, check-config, enroll)" \
        bash -c 'zcat /usr/share/man/man8/counterd.8.gz | grep -q "^\.SS \"counterd run\"" &&
                 zcat /usr/share/man/man8/counterd.8.gz | grep -q "^\.SS \"counterd check-config\"" &&
                 zcat /usr/share/man/man8/counterd.8.gz | grep -q "^\.SS \"counterd enroll\""'
    check "counterctl.1 has the subcommands' help (counterctl status, receipt preview)" \
        bash -c 'zcat /usr/share/man/man1/counterctl.1.gz | grep -q "^\.SS \"counterctl status\"" &&
                 zcat /usr/share/man/man1/counterctl.1.gz | grep -q "^\.SS \"counterctl receipt preview\""'
    for name in counterd counterctl counter-hub; do
        check "bash completion of $name is valid bash" bash -n "/usr/share/bash-completion/completions/$name"
    done
}
stage "files" section section_files

# ---------------------------------------------------------------------------------------------
section_user() {
    passwd=$(getent passwd counterd)
    check "user counterd exists" test -n "$passwd"
    check "group counterd exists" getent group counterd
    check "counterd's home is /var/lib/counterd" same "$(cut -d: -f6 <<<"$passwd")" /var/lib/counterd
    check "counterd has a nologin shell" bash -c '[[ $1 == */nologin || $1 == /bin/false ]] || { echo "shell $1"; exit 1; }' - \
        "$(cut -d: -f7 <<<"$passwd")"
    check "counterd is a system user (uid < 1000)" test "$(cut -d: -f3 <<<"$passwd")" -lt 1000
    check "/var/lib/counterd is counterd:counterd 0750" owned /var/lib/counterd counterd:counterd 750
    check "/run/counterd is counterd:counterd 0750" owned /run/counterd counterd:counterd 750
    check "/etc/counterd/counterd.yaml is root:counterd 0640" owned /etc/counterd/counterd.yaml root:counterd 640
    wants=/etc/systemd/system/multi-user.target.wants/counterd.service
    check "counterd.service is enabled ($wants)" exists "$wants"
    check "the enable link points to the packaged unit" same "$(readlink -f "$wants")" "$(readlink -f "$unit")"
    check "counterd is not running" not_running
    check "systemd-analyze verify $unit is clean" quiet systemd-analyze verify "$unit"
    check "systemd-analyze security: exposure 2.0 or lower" exposure_at_most 2.0 "$unit"
}
stage "user, directories, service" section section_user

# ---------------------------------------------------------------------------------------------
section_programs() {
    cd /
    check "counterd check-config --config /etc/counterd/counterd.yaml (root)" \
        timeout 60 /usr/bin/counterd check-config --config /etc/counterd/counterd.yaml
    if command -v runuser >/dev/null 2>&1; then
        check "counterd check-config as the counterd user (reads the 0640 file)" \
            timeout 60 runuser -u counterd -- /usr/bin/counterd check-config --config /etc/counterd/counterd.yaml
    fi
    check "check-config finds the packaged scanner profiles, none broken" \
        bash -c 'out=$(timeout 60 /usr/bin/counterd check-config --config /etc/counterd/counterd.yaml 2>&1) || exit 1
                 echo "$out"; grep -q " [1-9][0-9]* USB scanner profile" <<<"$out" && ! grep -q "skipped" <<<"$out"'
    if command -v runuser >/dev/null 2>&1; then
        check "counterd run, not enrolled, as the counterd user: exit 78 and how to enroll" \
            bash -c 'out=$(timeout 60 runuser -u counterd -- /usr/bin/counterd run --config /etc/counterd/counterd.yaml 2>&1)
                     status=$?; echo "exit $status: $out"; [ "$status" -eq 78 ] && grep -q "enroll" <<<"$out"'
    fi
    check "counterd udev-rules (from the installed profiles) equals the installed rules" \
        same "$(timeout 60 /usr/bin/counterd udev-rules 2>&1 | md5sum)" "$(md5sum </usr/lib/udev/rules.d/70-counterd-scanners.rules)"
    check "counterd --version prints the package version $version" same "$(timeout 60 /usr/bin/counterd --version 2>&1)" "$version"
    check "counterctl --help" timeout 60 /usr/bin/counterctl --help
    check "counterctl status without a daemon exits 69 (unreachable)" \
        exit_status_is 69 timeout 60 /usr/bin/counterctl status --socket /run/counterd/test-deb-no-daemon.sock
    check "counter-hub --help" timeout 60 /usr/bin/counter-hub --help
}
stage "programs" section section_programs

# ---------------------------------------------------------------------------------------------
section_enroll() {
    free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
    hub_data="$work/hub"
    hub_port=$(free_port)
    hub_url="http://127.0.0.1:$hub_port"
    counter-hub shop create --id SHOP-1 --name "测试门店 Test shop" --data "$hub_data" >/dev/null
    counter-hub campaign create --id COFFEE --title "咖啡 Coffee" --product Americano --face-value 18.00 \
        --shop-reward 2.00 --valid-days 30 --data "$hub_data" >/dev/null
    counter-hub serve --data "$hub_data" --listen "127.0.0.1:$hub_port" >"$work/hub.log" 2>&1 &
    background+=($!)
    check "counter-hub answers on $hub_url" wait_for 30 "counter-hub on $hub_url" curl -sf "$hub_url/v1/time"
    code=$(counter-hub tokens issue --campaign COFFEE --count 1 --json --data "$hub_data" |
        python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["code"])')
    enroll_code=$(counter-hub enroll-code --shop SHOP-1 --data "$hub_data")
    # The one-time code goes in on standard input, as install.md says (never on the command line).
    enroll_as_service_user() {
        printf '%s\n' "$enroll_code" | timeout 60 runuser -u counterd -- /usr/bin/counterd enroll --config /etc/counterd/counterd.yaml --hub "$hub_url"
    }
    check "counterd enroll as the counterd user (code on standard input)" enroll_as_service_user
    check "the credential is counterd:counterd 0600" owned /var/lib/counterd/credential.json counterd:counterd 600

    # A stand-in for systemd's notify socket that the counterd user may write to.
    notify_socket=/run/counterd/test-deb-notify.sock
    python3 - "$notify_socket" "$work/notify.log" <<'PY' &
import os, socket, sys
listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
listener.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
listener.settimeout(120)
with open(sys.argv[2], "a") as log:
    try:
        while True:
            log.write(listener.recv(4096).decode() + "\n")
            log.flush()
    except socket.timeout:
        pass
PY
    background+=($!)
    wait_for 10 "the notify listener's socket" test -S "$notify_socket" || die "the notify listener did not start"
    api_port=$(free_port)
    runuser -u counterd -- env NOTIFY_SOCKET="$notify_socket" WATCHDOG_USEC=2000000 JOURNAL_STREAM=0:0 \
        /usr/bin/counterd run --config /etc/counterd/counterd.yaml --set "api.http=127.0.0.1:$api_port" \
        </dev/null >"$work/counterd.log" 2>&1 &
    counterd_pid=$!
    background+=("$counterd_pid")
    check "counterd sends READY=1 with a STATUS line" wait_for 60 "READY=1" grep -q '^READY=1' "$work/notify.log"
    check "counterd pings the watchdog (WATCHDOG=1)" wait_for 10 "WATCHDOG=1" grep -q '^WATCHDOG=1' "$work/notify.log"
    # runuser waits for its child: the daemon is the counterd process of the counterd user.
    daemon_pid=$(pgrep -u counterd -x counterd | head -1)
    check "counterd runs as the counterd user" test -n "$daemon_pid"
    check "counterctl sync" timeout 60 /usr/bin/counterctl sync
    check "counterctl redeem a code the hub issued: accepted" timeout 60 /usr/bin/counterctl redeem "$code"
    check "the redemption reaches counter-hub" wait_for 30 "the redemption at counter-hub" bash -c \
        'counter-hub redemptions --json --data "$1" | grep -q "\"redemption\""' - "$hub_data"
    doctor_json=$(timeout 60 /usr/bin/counterctl doctor --json 2>"$work/doctor.err" || true)
    for id in daemon service_user enrolled hub clock data_age disk database dead_letters udev_rules; do
        check "counterctl doctor: $id is ok" python3 -c '
import json, sys
checks = {c["id"]: c for c in json.loads(sys.argv[1])["checks"]}
check = checks[sys.argv[2]]
sys.exit(0 if check["outcome"] == "ok" else "%s: %s" % (check["outcome"], check["summary"]))' "$doctor_json" "$id"
    done
    check "the journal-style log has priorities and no code" bash -c \
        'grep -q "^<[0-7]>counterd: verdict" "$1" && ! grep -qF "$2" "$1"' - "$work/counterd.log" "$code"
    check "the log holds no device token" bash -c \
        '! grep -qF "$(python3 -c "import json; print(json.load(open(\"/var/lib/counterd/credential.json\"))[\"deviceToken\"])")" "$1"' \
        - "$work/counterd.log"
    kill -TERM "${daemon_pid:-$counterd_pid}" 2>/dev/null || true
    check "counterd stops on SIGTERM and says STOPPING=1" wait_for 30 "STOPPING=1" grep -q '^STOPPING=1' "$work/notify.log"
    wait "$counterd_pid" 2>/dev/null || true
    cd "$repo" || true
}
stage "enroll with the packaged counter-hub, run as the counterd user, redeem and upload" section section_enroll

# ---------------------------------------------------------------------------------------------
section_remove() {
    marker=/var/lib/counterd/test-deb.marker
    echo "written by scripts/test-deb.sh" >"$marker"
    if dpkg_run remove.log -r counterd; then pass "dpkg -r counterd"; else fail "dpkg -r counterd" "$(cat "$work/remove.log")"; fi
    check "dpkg status of counterd is config-files" status_is counterd "rc "
    check "/usr/bin/counterd is gone" absent /usr/bin/counterd
    check "/usr/bin/counterctl is gone" absent /usr/bin/counterctl
    check "the unit is gone" absent "$unit"
    check "the marker in /var/lib/counterd is kept" exists "$marker"
    check "/etc/counterd/counterd.yaml is kept" exists /etc/counterd/counterd.yaml
    check "counter-hub is still installed" executable /usr/bin/counter-hub
}
stage "dpkg -r counterd: programs go, data and configuration stay" section section_remove

section_reinstall() {
    if dpkg_run reinstall.log -i "$work/counterd.deb"; then pass "dpkg -i counterd.deb"; else fail "dpkg -i counterd.deb" "$(cat "$work/reinstall.log")"; fi
    check "/usr/bin/counterd is back" executable /usr/bin/counterd
    check "the marker survived" exists "$marker"
    check "/etc/counterd/counterd.yaml is root:counterd 0640" owned /etc/counterd/counterd.yaml root:counterd 640
    check "counterd.service is enabled again" exists "$wants"
    check "counterd.service is not masked" bash -c '[ "$(readlink /etc/systemd/system/counterd.service)" != /dev/null ]'
    check "counterd is not running" not_running
}
stage "reinstall counterd" section section_reinstall

section_purge() {
    # The redemption above reached counter-hub. Its outbox entry is made pending again, as if the hub had
    # not acknowledged it: the purge must keep that ledger (debian/counterd.postrm), moved aside.
    ledger=/var/lib/counterd/ledger.sqlite
    unacknowledge() { # LEDGER: the delivered redemptions become pending; prints how many are pending
        python3 - "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("UPDATE outbox SET state = 'pending', result = NULL, delivered_at = NULL WHERE kind = 'redemption'")
pending = db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
db.close()
print("%d pending" % pending)
sys.exit(0 if pending >= 1 else 1)
PY
    }
    pending_in() { # LEDGER: at least one event the hub has not acknowledged
        python3 -c 'import sqlite3, sys; n = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0]
sys.exit(0 if n >= 1 else "%s: %d" % (sys.argv[1], n))' "$1" "SELECT count(*) FROM outbox WHERE state = 'pending'"
    }
    check "the ledger holds a redemption the hub has not acknowledged" unacknowledge "$ledger"
    if dpkg_run purge.log --purge counterd counter-hub; then pass "dpkg --purge counterd counter-hub"; else fail "dpkg --purge" "$(cat "$work/purge.log")"; fi
    check "counterd is purged" not_installed counterd
    check "counter-hub is purged" not_installed counter-hub
    for path in /var/lib/counterd /etc/counterd /run/counterd "$wants" /etc/systemd/system/counterd.service \
        /usr/bin/counter-hub /usr/share/counterd /usr/share/doc/counterd; do
        check "$path is gone" absent "$path"
    done
    check "the counterd user is kept (Debian practice)" getent passwd counterd
    mapfile -t kept < <(comm -13 <(printf '%s\n' "${purged_before[@]}" | sort) \
        <(find /var/lib -maxdepth 1 -name 'counterd.purged-*' | sort))
    if [ ${#kept[@]} -eq 1 ] && [ -n "${kept[0]}" ]; then
        pass "the state directory with the unsent ledger is kept as ${kept[0]}"
        check "... with the pending redemption in its ledger" pending_in "${kept[0]}/ledger.sqlite"
        check "... and its credential" exists "${kept[0]}/credential.json"
        check "... and the purge said where" grep -qF "It is now ${kept[0]}" "$work/purge.log"
        rm -rf "${kept[0]}" # this test's own data: the machine is left as it was found
    else
        fail "the state directory with the unsent ledger is kept as /var/lib/counterd.purged-*" \
            "new counterd.purged-* directories: ${kept[*]:-none}; $(cat "$work/purge.log")"
    fi
}
stage "dpkg --purge counterd counter-hub: a ledger with an event not yet uploaded is moved aside, the rest goes but the user" section section_purge

# ---------------------------------------------------------------------------------------------
printf '\n%d passed, %d failed (%d s)\n' "$passed" "$failed" "$((SECONDS - started))"
[ "$failed" -eq 0 ]
