#!/usr/bin/env bash
# The hardware-in-the-loop suite in one command: sets the guest up (apt packages, the Debian kernel's
# USB modules, the initramfs) and boots it once per scenario in Tests/HIL/scenarios, running the
# real counterd and counterctl of this build against USB gadgets and QEMU's usb-kbd through the guest
# kernel's real drivers (docs/testing.md).
#
#   scripts/test-hil.sh [SCENARIO]      all scenarios, or one
#
# Uses .build/debug by default; HIL_BUILD=release uses .build/release (what .ci/run does after the
# package's release build: it runs faster under emulation). Needs root for apt-get on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
begun=$SECONDS
stage "hardware in the loop: setup" Tests/HIL/setup.sh
scenarios=${1:-all}
status=0
Tests/HIL/run.sh "$scenarios" || status=$?
echo "==> hardware in the loop: $scenarios took $((SECONDS - begun)) s in all (build ${HIL_BUILD:-debug}), exit $status"
exit $status
