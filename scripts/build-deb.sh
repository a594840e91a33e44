#!/usr/bin/env bash
# Builds the Debian packages counterd_VERSION_ARCH.deb and counter-hub_VERSION_ARCH.deb with
# debhelper: dpkg-buildpackage -b -us -uc on debian/ (the release build, man pages, completions,
# maintainer scripts: debian/rules).
#
#   scripts/build-deb.sh [--bin-dir DIR] [--out DIR]
#
#   --bin-dir DIR  take counterd, counterctl and counter-hub from DIR (e.g. .build/debug) instead
#                  of running the release build (static Swift runtime) first
#   --out DIR      where the .deb files go, with the .buildinfo and .changes (default: dist/)
#
# Needs debhelper, dpkg-dev, help2man and the libraries the binaries link (scripts/setup.sh installs
# them). The version is debian/changelog's; the build checks that counterd --version agrees. Test
# the result with scripts/test-deb.sh (as root).
set -euo pipefail
umask 022
export LC_ALL=C.UTF-8 COLUMNS=80

repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/scripts/lib.sh"
bin_dir=""
out_dir="$repo/dist"

die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

while [ $# -gt 0 ]; do
    case "$1" in
    --bin-dir) [ $# -ge 2 ] || die "--bin-dir needs a directory"; bin_dir=$2; shift 2 ;;
    --bin-dir=*) bin_dir=${1#*=}; shift ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out_dir=$2; shift 2 ;;
    --out=*) out_dir=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
done

need() { # COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 ||
        die "$1 not found: install it with 'sudo apt-get install $2' (scripts/setup.sh installs it)"
}
check_tools() {
    need dpkg-buildpackage dpkg-dev
    need dh debhelper
    need help2man help2man
    need strip binutils
    need perl perl-base
    if [ -z "$bin_dir" ]; then
        if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
            export PATH="$PATH:/opt/swift/usr/bin"
        fi
        command -v swift >/dev/null 2>&1 || die "swift not found (expected in /opt/swift/usr/bin); or pass --bin-dir DIR"
    fi
    echo "architecture $(dpkg --print-architecture), $(dh --version 2>/dev/null | head -1 || echo debhelper), help2man $(help2man --version | head -1 | awk '{print $NF}')"
}
stage "checking tools" check_tools

if [ -n "$bin_dir" ]; then
    [ -d "$bin_dir" ] || die "--bin-dir $bin_dir is not a directory"
    export COUNTERD_BIN_DIR
    COUNTERD_BIN_DIR=$(cd "$bin_dir" && pwd)
fi
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
# The packages' file times are clamped to the last commit's time, and help2man dates the man pages
# with it (dpkg-buildpackage would take debian/changelog's date).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

version=$(cd "$repo" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
# dpkg-buildpackage writes next to the source tree (..) unless told otherwise: everything goes to out_dir.
export COUNTERD_DEB_DIR=$out_dir
build() {
    (cd "$repo" && dpkg-buildpackage -b -us -uc \
        --buildinfo-option="-u$out_dir" --buildinfo-file="$out_dir/counterd_${version}_$arch.buildinfo" \
        --changes-option="-u$out_dir" --changes-file="$out_dir/counterd_${version}_$arch.changes")
}
stage "dpkg-buildpackage -b -us -uc (counterd $version, $arch${COUNTERD_BIN_DIR:+, binaries from $COUNTERD_BIN_DIR})" build

for deb in "$out_dir/counterd_${version}_$arch.deb" "$out_dir/counter-hub_${version}_$arch.deb"; do
    [ -f "$deb" ] || die "dpkg-buildpackage did not make $deb"
    printf '%s  %s bytes (%s)\n' "$deb" "$(stat -c %s "$deb")" "$(du -h "$deb" | cut -f1)"
done
