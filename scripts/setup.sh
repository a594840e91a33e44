#!/usr/bin/env bash
# Installs what counterd needs to build and test on Debian 12, if it is missing.
# Swift 6.3 is expected at /opt/swift (or on PATH); system libraries come from apt.
set -euo pipefail

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="$PATH:/opt/swift/usr/bin"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "setup: swift not found. Install Swift 6.3 for Debian 12 (https://www.swift.org/install/linux/) into /opt/swift." >&2
    exit 1
fi

# Python libraries the OpenAPI conformance check uses.
if ! python3 -c "import yaml, openapi_schema_validator" 2>/dev/null; then
    echo "setup: installing pyyaml and openapi-schema-validator for the OpenAPI conformance check"
    python3 -m pip install --quiet pyyaml openapi-schema-validator
fi

# Debian packages the build and the tests use.
# cups: cupsd, lpadmin and libcups for receipts; unifont: the bitmap font for text printers cannot
# print; libqrencode-dev: bitmap QR codes; zlib1g-dev: the PNG preview; zbar-tools: the tests read
# the preview's QR code back; libusb-1.0-0-dev: USB enumeration and hotplug; libxkbcommon-dev and
# xkb-data: keyboard layouts for keyboard-wedge scanners; curl: the tests read the event stream;
# chromium, chromium-driver and fonts-noto-cjk: the cashier's page test in a real headless browser;
# systemd: systemd-analyze checks the unit; debhelper, dpkg-dev, help2man and binutils (strip): the Debian
# packages (dpkg-buildpackage on debian/, man pages, stripped binaries, Depends from dpkg-shlibdeps);
# postgresql (server and client: initdb, pg_ctl, psql, pg_dump): counter-hub's PostgreSQL backend, tested in a
# private cluster (scripts/postgres-cluster.sh).
packages=(libsqlite3-dev cups cups-client cups-bsd libcups2-dev unifont libqrencode-dev zlib1g-dev zbar-tools curl
          libusb-1.0-0-dev libxkbcommon-dev xkb-data chromium chromium-driver fonts-noto-cjk systemd
          debhelper dpkg-dev help2man binutils postgresql postgresql-client)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
