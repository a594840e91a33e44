#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against the real binaries, and a
# benchmark smoke run. Prints each stage's duration.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib.sh

stage "setup" source scripts/setup.sh
# Fast (no build): the module tables of docs/architecture.md against Package.swift.
stage "architecture doc matches Package.swift" python3 scripts/check-architecture.py
# A private cupsd for the whole run (the receipt tests start their own as well, to stop and restart them).
stop_cups() { kill "$cups_pid" 2>/dev/null || true; }
start_cups() {
    cups_dir="${TMPDIR:-/tmp}/counterd-test-cups"
    rm -rf "$cups_dir"
    cups_pid=$(Tests/cups/start-cupsd.sh "$cups_dir" 6631)
    on_exit stop_cups
    export COUNTERD_TEST_CUPS=127.0.0.1:6631
    echo "cupsd $cups_pid on $COUNTERD_TEST_CUPS"
}
stage "start cupsd" start_cups
stage "build (debug, with tests)" swift build --build-tests
stage "swift test (unit)" swift test --skip-build --skip IntegrationTests
# The integration tests start real daemons, hubs, cupsd and curl: one at a time, so that 2 cores never
# starve a daemon's graceful shutdown or a process spawn (run in parallel they hung now and then).
stage "swift test (integration, one at a time)" swift test --skip-build --filter IntegrationTests --skip CounterPageIntegrationTests --no-parallel
# Headless Chromium takes most of a core: its tests run on their own, not beside the timing-sensitive ones.
stage "browser tests (cashier's page in headless Chromium)" swift test --skip-build --filter CounterPageIntegrationTests
stage "benchmark smoke run" .build/debug/counter-bench redeem --count 100 --directory "${TMPDIR:-/tmp}"
stage "receipt benchmark smoke run" .build/debug/counter-bench print --count 20 --cups-server "$COUNTERD_TEST_CUPS" --directory "${TMPDIR:-/tmp}"
stage "footprint benchmark smoke run" .build/debug/counter-bench footprint --tokens 10000 --idle-seconds 2 --directory "${TMPDIR:-/tmp}"
stage "holdings benchmark smoke run" .build/debug/counter-bench holdings --any-shop-codes 3000 --shop-codes 300 --revocations 300 --directory "${TMPDIR:-/tmp}"
stage "scanner benchmark smoke run" .build/debug/counter-bench scan --samples 5 --repetitions 20 --devices 5 --directory "${TMPDIR:-/tmp}"
stage "OpenAPI conformance of counter-hub" python3 Tests/Conformance/check_openapi.py docs/openapi.yaml .build/debug/counter-hub
stage "schemathesis against counter-hub (fixed seed, bounded examples)" scripts/test-schemathesis.sh .build/debug/counter-hub
# counter-hub's second backend: a private cluster (scripts/postgres-cluster.sh), stopped on exit; then the same hub
# tests, counterd's sync suites against a hub on it, the conformance check and schemathesis (about 4 minutes), and
# the fleet benchmark's smoke run.
start_postgres() {
    make_temp_dir pg_dir postgres
    postgres_url=$(scripts/postgres-cluster.sh start "$pg_dir/cluster")
    on_exit scripts/postgres-cluster.sh stop "$pg_dir/cluster"
    echo "PostgreSQL at $postgres_url"
}
test_postgres() {
    COUNTER_HUB_TEST_POSTGRES="$postgres_url" swift test --skip-build --filter CounterHubTests
    # counterd against a counter-hub process on PostgreSQL: sync, hostile proxy, token rotation, the restore from
    # a pg_dump and the shift close's reconciliation (about 40 s).
    COUNTER_HUB_TEST_POSTGRES="$postgres_url" swift test --skip-build --no-parallel \
        --filter "SyncIntegrationTests|RestoreIntegrationTests|TokenRotationIntegrationTests|ReconciliationIntegrationTests"
    local base="${postgres_url%%/postgres\?*}" query="${postgres_url#*\?}"
    psql -q "$postgres_url" -c "CREATE DATABASE conformance" -c "CREATE DATABASE schemathesis"
    COUNTER_HUB_DATABASE="$base/conformance?$query" python3 Tests/Conformance/check_openapi.py docs/openapi.yaml .build/debug/counter-hub
    COUNTER_HUB_DATABASE="$base/schemathesis?$query" scripts/test-schemathesis.sh .build/debug/counter-hub
}
stage "start a private PostgreSQL cluster" start_postgres
stage "counter-hub on PostgreSQL (hub tests, sync and restore suites, conformance, schemathesis)" test_postgres
# 200 counters on PostgreSQL, then SQLite, then two hub processes with one killed; the audit must be clean (about 2 minutes).
stage "fleet benchmark smoke run" .build/debug/counter-bench fleet --counters 200 --steady-seconds 20 --interval 5 \
    --burst-seconds 5 --postgres "$postgres_url" --failover --directory "${TMPDIR:-/tmp}"
stage "package postrm in scratch roots (purge keeps a ledger not yet uploaded)" Tests/Packaging/test-postrm.sh
