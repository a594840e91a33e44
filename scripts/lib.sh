# shellcheck shell=bash
# Helpers shared by the scripts in scripts/, .ci/run and the test harnesses in Tests/ (bash only:
# the hardware-in-the-loop scenarios source it too, inside the guest, where they run the host's bash
# chrooted into the host root). Sourcing it defines functions and sets one EXIT trap; it changes no
# shell option, creates nothing and prints nothing.
#
#   source "$(dirname "$0")/lib.sh"        (or "$repo/scripts/lib.sh")
#
#   stage NAME COMMAND...     prints "==> NAME", runs COMMAND, prints "==> NAME took N s". When
#                             COMMAND fails, its status is the stage's: under set -e the script ends
#                             there as it would without stage, and the EXIT trap prints
#                             "==> NAME failed (exit S) after N s" on stderr; without set -e stage
#                             prints that line and returns the status.
#   on_exit COMMAND...        runs COMMAND when the script exits (normally, by exit, by set -e, or
#                             by a signal that a trap turns into exit), after the cleanups registered
#                             later (last in, first out). The script's exit status is kept. Scripts
#                             that source this file register cleanups here instead of `trap ... EXIT`,
#                             which would replace this file's trap.
#   make_temp_dir VAR [NAME]  a new directory ${TMPDIR:-/tmp}/NAME.XXXXXX (NAME: the script's name)
#                             in the variable VAR, removed on exit (on_exit rm -rf).
#   wait_for SECONDS WHAT COMMAND...
#                             runs COMMAND (its output discarded) every WAIT_FOR_INTERVAL seconds
#                             (default 0.2) until it succeeds; after SECONDS seconds of failures it
#                             prints "timed out after SECONDS s waiting for WHAT" on stderr and
#                             returns 1, or, when the script defines a function on_wait_timeout,
#                             calls that with the message instead (Tests/HIL/lib.sh ends the scenario).

# Stages being run, innermost last, for the failure line of the EXIT trap.
_lib_stage_names=()
_lib_stage_starts=()

stage() {
    echo "==> $1"
    _lib_stage_names+=("$1")
    _lib_stage_starts+=("$SECONDS")
    shift
    # Not in an if or after || : inside a condition bash ignores set -e in COMMAND's functions too.
    # No local variable is set before COMMAND runs: bash's locals are visible to (and assigned by)
    # the functions it calls, so a COMMAND assigning its own "name" would rename the stage.
    "$@"
    local _lib_status=$? _lib_name=${_lib_stage_names[-1]} _lib_begun=${_lib_stage_starts[-1]}
    unset '_lib_stage_names[-1]' '_lib_stage_starts[-1]'
    if [ "$_lib_status" -ne 0 ]; then
        echo "==> $_lib_name failed (exit $_lib_status) after $((SECONDS - _lib_begun)) s" >&2
        return "$_lib_status"
    fi
    echo "==> $_lib_name took $((SECONDS - _lib_begun)) s"
}

_lib_exit_commands=()

on_exit() {
    local command
    printf -v command '%q ' "$@"
    _lib_exit_commands+=("$command")
}

_lib_on_exit() {
    local status=$? i
    # A stage still open here ended the script (set -e, exit or a signal): say which.
    for ((i = ${#_lib_stage_names[@]} - 1; status != 0 && i >= 0; i--)); do
        echo "==> ${_lib_stage_names[i]} failed (exit $status) after $((SECONDS - _lib_stage_starts[i])) s" >&2
    done
    _lib_stage_names=()
    for ((i = ${#_lib_exit_commands[@]} - 1; i >= 0; i--)); do
        eval "${_lib_exit_commands[i]}" || true
    done
    _lib_exit_commands=()
    exit "$status"
}
trap _lib_on_exit EXIT

make_temp_dir() {
    local _lib_dir
    _lib_dir=$(mktemp -d "${TMPDIR:-/tmp}/${2:-$(basename "$0" .sh)}.XXXXXX") || return 1
    on_exit rm -rf "$_lib_dir"
    printf -v "$1" '%s' "$_lib_dir"
}

wait_for() {
    local _lib_seconds=$1 _lib_what=$2
    shift 2
    local _lib_deadline=$((SECONDS + _lib_seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$_lib_deadline" ]; then
            if declare -F on_wait_timeout >/dev/null; then
                on_wait_timeout "timed out after ${_lib_seconds}s waiting for $_lib_what"
            else
                echo "timed out after ${_lib_seconds}s waiting for $_lib_what" >&2
            fi
            return 1
        fi
        sleep "${WAIT_FOR_INTERVAL:-0.2}"
    done
}
