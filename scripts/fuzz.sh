#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a bounded time (docs/testing.md, "Fuzzing").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      default: about 2 minutes in all
#   FUZZ_TARGETS="SignedCode FeedPage" scripts/fuzz.sh 600     some targets, 10 minutes each
#
# The build uses COUNTERD_FUZZ=1 (Package.swift then declares the fuzz targets and compiles this package's
# modules with -sanitize=fuzzer, reusing the dependencies of the ordinary debug build). Each target starts from its committed corpus (Fuzz/corpus/NAME:
# seeds and regression inputs); inputs it finds go to .build-fuzz/corpus/NAME, crashes to
# .build-fuzz/crashes/NAME/. Exits non-zero when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

all_targets=(SignedCode FeedPage ScanFraming Keyboard EscPos HubEvents Profiles Config HostNames)
read -r -a targets <<< "${FUZZ_TARGETS:-${all_targets[*]}}"
seconds=${1:-$(( 120 / ${#targets[@]} ))}
# The ordinary build path: only this package's modules are compiled again (instrumented, Package.swift), the
# dependencies' objects of the debug build are reused. A plain `swift build` afterwards compiles them back.
build_path=.build
# Inputs found, crashes and logs.
work_dir=.build-fuzz
export COUNTERD_FUZZ=1

build() {
    for target in "${targets[@]}"; do
        swift build --build-path "$build_path" --product "Fuzz$target"
    done
}
stage "fuzz build (debug, -sanitize=fuzzer, ${#targets[@]} targets)" build
bin=$(swift build --build-path "$build_path" --show-bin-path)

summary=()
failed=0
run() {
    local target=$1
    local work="$work_dir/corpus/$target" crashes="$work_dir/crashes/$target" log="$work_dir/logs/$target.log"
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    local status=0
    # Swift's own backtracer would take the crash signal before libFuzzer saves the input.
    # A fixed seed: every run makes the same inputs in the same order, so CI does not turn red by chance.
    SWIFT_BACKTRACE=enable=no "$bin/Fuzz$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$work" "Fuzz/corpus/$target" > "$log" 2>&1 || status=$?
    local executions found
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    found=$(grep -E '^artifact_prefix=.*(crash|timeout|oom|leak)-' "$log" | sed 's/.*Test unit written to //' || true)
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -2 || true
    if [ "$status" -ne 0 ] || [ -n "$found" ]; then
        failed=1
        grep -E -m 12 -B2 -A8 'Fatal error|Precondition failed|deadly signal|ERROR: libFuzzer' "$log" | grep -v '^0x' || tail -20 "$log"
        echo "FAILED: $target (exit $status); input: ${found:-none saved}; log: $log"
        echo "replay: COUNTERD_FUZZ=1 swift build --product Fuzz$target && $bin/Fuzz$target ${found:-INPUT}"
        summary+=("$(printf '%-12s %12s executions  CRASH %s' "$target" "${executions:-?}" "${found:-(exit $status)}")")
    else
        summary+=("$(printf '%-12s %12s executions  0 crashes' "$target" "${executions:-?}")")
    fi
}
for target in "${targets[@]}"; do
    stage "fuzz $target for $seconds s" run "$target"
done
echo "Fuzzing summary ($seconds s per target):"
printf '  %s\n' "${summary[@]}"
exit $failed
