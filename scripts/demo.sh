#!/usr/bin/env bash
# Builds counterd and counterctl and runs counterd on its embedded demo configuration:
# demo codes are printed at start; type one and press Enter to see the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --product counterd
swift build --product counterctl
echo "counterctl is at $(pwd)/.build/debug/counterctl"
exec .build/debug/counterd "$@"
