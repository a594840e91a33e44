#!/usr/bin/env bash
# Tests debian/counterd.postrm in scratch roots (DPKG_ROOT), without dpkg, root or the package:
# a purge keeps a ledger whose outbox holds events the hub has not acknowledged (moved aside to
# var/lib/counterd.purged-TIMESTAMP, and says where), keeps it when it cannot read the outbox, and
# deletes it when the outbox is empty or COUNTERD_PURGE_FORCE=1.
#
#   Tests/Packaging/test-postrm.sh
#
# Needs python3 (to write the ledgers); the sqlite3 CLI, when present, is tested as the reader too.
# The script under test runs with a PATH of its own: stubs for deb-systemd-helper, and rm and mv
# wrappers that refuse any path outside the scratch root, so that a bug cannot touch this machine.
# shellcheck disable=SC2016 # bash -c scripts in single quotes
set -uo pipefail
export LC_ALL=C.UTF-8

repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/scripts/lib.sh"
postrm="$repo/debian/counterd.postrm"
passed=0
failed=0

pass() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; printf '%s\n' "$2" | sed -e '/^$/d' -e 's/^/      | /' | head -30; }
check() { # DESCRIPTION COMMAND...
    local description=$1 output
    shift
    if output=$("$@" 2>&1); then pass "$description"; else fail "$description" "${output:-failed}"; fi
}

python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || python=
[ -x "$python" ] || { echo "test-postrm: needs python3" >&2; exit 2; }
make_temp_dir work test-postrm

# Command directories for the script under test: "both" has sqlite3 (if this machine has it) and
# python3, "python" only python3, "none" neither; "nomv" has an mv that always fails.
tools() { # NAME [TOOL...]: a directory with sh, the basic commands, the stubs, and TOOL...
    local dir="$work/bin-$1" tool
    shift
    mkdir -p "$dir"
    for tool in sh date cat "$@"; do
        if [ "$tool" = python3 ]; then
            ln -sf "$python" "$dir/python3" # the interpreter itself, not a wrapper such as a pyenv shim
        elif command -v "$tool" >/dev/null 2>&1; then
            ln -sf "$(command -v "$tool")" "$dir/$tool"
        fi
    done
    cat >"$dir/deb-systemd-helper" <<'EOF'
#!/bin/sh
echo "deb-systemd-helper $*" >>"$DPKG_ROOT/deb-systemd-helper.log"
EOF
    for tool in rm mv; do
        cat >"$dir/$tool" <<EOF
#!/bin/sh
# Refuses any path outside the scratch root \$DPKG_ROOT.
for argument; do
    case "\$argument" in
    -*) ;;
    "\$DPKG_ROOT"/*) ;;
    *) echo "$tool: refused: \$argument is outside \$DPKG_ROOT" >&2; exit 99 ;;
    esac
done
exec $(command -v "$tool") "\$@"
EOF
    done
    chmod 0755 "$dir"/*
    printf '%s\n' "$dir"
}
both=$(tools both sqlite3 python3)
python_only=$(tools python python3)
none=$(tools none)
nomv=$(tools nomv sqlite3 python3)
printf '#!/bin/sh\necho "mv: cannot move (test)" >&2\nexit 1\n' >"$nomv/mv"
have_sqlite3=no
[ -e "$both/sqlite3" ] && have_sqlite3=yes

# A scratch root as a counter leaves it: /var/lib/counterd with a credential and (unless LEDGER is
# "none") a ledger whose outbox holds one event per STATE; /etc/counterd, /run/counterd.
make_root() { # NAME LEDGER STATE...   LEDGER: plain, wal (the events only in the WAL), garbage, none
    local root="$work/$1" kind=$2
    shift 2
    mkdir -p "$root/var/lib/counterd" "$root/etc/counterd" "$root/run/counterd"
    echo '{"deviceToken":"test"}' >"$root/var/lib/counterd/credential.json"
    echo "device: test" >"$root/etc/counterd/counterd.yaml.dpkg-old"
    case "$kind" in
    none) ;;
    garbage) head -c 4096 /dev/urandom >"$root/var/lib/counterd/ledger.sqlite" ;;
    *)
        python3 - "$root/var/lib/counterd/ledger.sqlite" "$kind" "$@" <<'PY' || exit 2
import shutil, sqlite3, sys
path, kind, states = sys.argv[1], sys.argv[2], sys.argv[3:]
# The outbox as Sources/CounterLedger/Ledger+Migrations.swift makes it (v1 and v2-sync).
db = sqlite3.connect(path if kind == "plain" else path + ".live", isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("""CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
    item_id TEXT NOT NULL UNIQUE, priority INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at DATETIME NOT NULL,
    result TEXT, result_reason TEXT, delivered_at DATETIME)""")
if kind == "wal":
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA wal_autocheckpoint=0")
for number, state in enumerate(states):
    db.execute("INSERT INTO outbox (kind, item_id, priority, state, created_at) VALUES ('redemption', ?, 0, ?, '2026-01-01')",
               ("event-%d" % number, state))
if kind == "wal":
    # Copied while the connection is open: the main file has the empty outbox, the WAL the events,
    # as after a crash (a clean close would checkpoint the WAL into the main file).
    for suffix in ("", "-wal", "-shm"):
        shutil.copyfile(path + ".live" + suffix, path + suffix)
db.close()
if kind == "wal":
    import os
    os.remove(path + ".live")
PY
        ;;
    esac
    printf '%s\n' "$root"
}

run_postrm() { # ROOT TOOLS ARGUMENT [ENV...]: runs postrm; its stderr goes to ROOT.stderr
    local root=$1 bin=$2 argument=$3
    shift 3
    env -i PATH="$bin" DPKG_ROOT="$root" "$@" "$bin/sh" "$postrm" "$argument" 2>"$root.stderr"
}

gone() { [ ! -e "$1" ] || { echo "$1 still exists"; ls -la "$1"; return 1; }; }
there() { [ -e "$1" ] || { echo "$1 does not exist"; return 1; }; }
kept_dir() { # ROOT: the one var/lib/counterd.purged-* directory
    local found=("$1"/var/lib/counterd.purged-*)
    if [ ${#found[@]} -ne 1 ] || [ ! -d "${found[0]}" ]; then
        echo "no single counterd.purged-* in $1/var/lib: ${found[*]}"
        return 1
    fi
    printf '%s\n' "${found[0]}"
}
says() { grep -qF -- "$2" "$1.stderr" || { echo "stderr lacks: $2"; cat "$1.stderr"; return 1; }; }
silent() { [ ! -s "$1.stderr" ] || { echo "stderr:"; cat "$1.stderr"; return 1; }; }
pending_in() { # DIRECTORY COUNT: the kept ledger still holds COUNT undelivered events
    local found
    found=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
        "SELECT count(*) FROM outbox WHERE state IS NOT '"'delivered'"'").fetchone()[0])' "$1/ledger.sqlite" 2>&1)
    [ "$found" = "$2" ] || { echo "undelivered events in $1/ledger.sqlite: $found, expected $2"; return 1; }
}
all_else_gone() { # ROOT: purge removed /var/lib/counterd, /etc/counterd and /run/counterd
    gone "$1/var/lib/counterd" && gone "$1/etc/counterd" && gone "$1/run/counterd"
}

readers=("$python_only")
[ "$have_sqlite3" = yes ] && readers+=("$both")
for bin in "${readers[@]}"; do
    with="with ${bin##*/bin-}"
    echo "== reader: ${bin##*/bin-} (sqlite3 CLI: $([ -e "$bin/sqlite3" ] && echo yes || echo no))"

    root=$(make_root "delivered-${bin##*/}" plain delivered delivered)
    run_postrm "$root" "$bin" purge
    check "$with: every event acknowledged: purge deletes the state directory" all_else_gone "$root"
    check "$with: ... and keeps nothing aside" bash -c '! compgen -G "$1/var/lib/counterd.purged-*"' - "$root"
    check "$with: ... silently" silent "$root"
    check "$with: ... and purges the unit's state" grep -q 'deb-systemd-helper purge counterd.service' "$root/deb-systemd-helper.log"

    root=$(make_root "pending-${bin##*/}" plain delivered pending)
    run_postrm "$root" "$bin" purge
    status=$?
    check "$with: a pending event: postrm succeeds (exit $status)" test "$status" -eq 0
    check "$with: ... /var/lib/counterd, /etc/counterd and /run/counterd are gone" all_else_gone "$root"
    if kept=$(kept_dir "$root"); then
        pass "$with: ... the state directory is moved to ${kept#"$root"}"
        check "$with: ... with its ledger and its pending event" pending_in "$kept" 1
        check "$with: ... and the credential" there "$kept/credential.json"
        check "$with: ... and postrm says where" says "$root" "It is now $kept"
        check "$with: ... and how many events" says "$root" "it holds 1 event(s) the hub has not acknowledged"
        check "$with: ... and how to delete it" says "$root" "COUNTERD_PURGE_FORCE=1"
    else
        fail "$with: ... the state directory is moved aside" "$(kept_dir "$root"; cat "$root.stderr")"
    fi

    root=$(make_root "dead-${bin##*/}" plain delivered dead)
    run_postrm "$root" "$bin" purge
    check "$with: a dead-lettered event (refused, can be retried) keeps the ledger too" kept_dir "$root"

    root=$(make_root "wal-${bin##*/}" wal pending)
    run_postrm "$root" "$bin" purge
    if kept=$(kept_dir "$root"); then
        pass "$with: a pending event only in the WAL (after a crash) keeps the ledger"
        check "$with: ... with its WAL" there "$kept/ledger.sqlite-wal"
    else
        fail "$with: a pending event only in the WAL (after a crash) keeps the ledger" "$(cat "$root.stderr")"
    fi

    root=$(make_root "garbage-${bin##*/}" garbage)
    run_postrm "$root" "$bin" purge
    check "$with: a damaged ledger (the outbox cannot be read) is kept" kept_dir "$root"
    check "$with: ... and postrm says why" says "$root" "its outbox could not be read"
done

echo "== no reader (neither sqlite3 nor python3)"
root=$(make_root no-reader plain delivered)
run_postrm "$root" "$none" purge
check "no sqlite3 and no python3: an acknowledged-only ledger is kept all the same (not provably empty)" kept_dir "$root"
check "... and postrm says it needs sqlite3 or python3" says "$root" "that needs sqlite3 or python3"
check "... /etc/counterd and /run/counterd are gone" all_else_gone "$root"

echo "== COUNTERD_PURGE_FORCE=1"
root=$(make_root force plain pending pending)
run_postrm "$root" "$both" purge COUNTERD_PURGE_FORCE=1
check "COUNTERD_PURGE_FORCE=1: a ledger with pending events is deleted" all_else_gone "$root"
check "... nothing is kept aside" bash -c '! compgen -G "$1/var/lib/counterd.purged-*"' - "$root"
check "... and postrm says so" says "$root" "COUNTERD_PURGE_FORCE=1: deleting"
root=$(make_root force-other plain pending)
run_postrm "$root" "$both" purge COUNTERD_PURGE_FORCE=yes
check "COUNTERD_PURGE_FORCE=yes (not 1) does not force" kept_dir "$root"

echo "== other cases"
root=$(make_root no-ledger none)
run_postrm "$root" "$none" purge
check "no ledger at all: purge deletes the state directory" all_else_gone "$root"
check "... silently" silent "$root"

root=$(make_root twice plain pending)
mkdir -p "$root/var/lib/counterd.purged-old"
run_postrm "$root" "$both" purge
check "an earlier counterd.purged-* directory is left alone" there "$root/var/lib/counterd.purged-old"

root=$(make_root cannot-move plain pending)
run_postrm "$root" "$nomv" purge
check "mv fails (a mount point): the ledger stays in place, not deleted" there "$root/var/lib/counterd/ledger.sqlite"
check "... and postrm says so" says "$root" "left in place"

root=$(make_root remove plain pending)
run_postrm "$root" "$both" remove
check "remove (not purge) keeps the state directory and the configuration" \
    bash -c '[ -e "$1/var/lib/counterd/ledger.sqlite" ] && [ -e "$1/etc/counterd" ]' - "$root"
check "... and masks the unit" grep -q 'deb-systemd-helper mask counterd.service' "$root/deb-systemd-helper.log"
run_postrm "$root" "$both" bogus
check "an unknown argument fails" test $? -eq 1

if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck debian/counterd.postrm" shellcheck "$postrm"
fi
check "sh -n debian/counterd.postrm" sh -n "$postrm"

printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
