#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against the real binaries, and a
# benchmark smoke run. Prints each stage's duration.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
    local name=$1; shift
    local start=$SECONDS
    echo "==> $name"
    "$@"
    echo "==> $name took $((SECONDS - start)) s"
}

stage "setup" source scripts/setup.sh
stage "build (debug, with tests)" swift build --build-tests
stage "swift test (unit + integration)" swift test --skip-build
stage "benchmark smoke run" .build/debug/counter-bench redeem --count 100 --directory "${TMPDIR:-/tmp}"
stage "OpenAPI conformance of counter-hub" python3 Tests/Conformance/check_openapi.py docs/openapi.yaml .build/debug/counter-hub
