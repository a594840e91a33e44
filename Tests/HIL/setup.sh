#!/bin/bash
# Hardware-in-the-loop harness, step 1: host packages and a guest kernel.
#
# Installs (apt, only when missing) qemu-system-x86, busybox-static, kmod and cpio, downloads the
# Debian kernel package that linux-image-amd64 depends on (downloaded, never installed), and
# extracts only the kernel image and the modules the scenarios need into
# .build-hil/kernel/, then runs depmod there. Reruns reuse the cache and take about a second.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HIL="$ROOT/.build-hil"
KDIR="$HIL/kernel"
START=$(date +%s.%N)
say() { printf 'hil-setup: %s\n' "$*"; }
elapsed() { awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }

[ "$(id -u)" = 0 ] || { say "needs root (apt-get); run as root"; exit 1; }
mkdir -p "$HIL" "$HIL/logs"

# 1. Packages.
need=()
for p in qemu-system-x86 busybox-static kmod cpio; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  say "packages installed after $(elapsed) s"
else
  say "packages already installed: qemu-system-x86 busybox-static kmod cpio"
fi

# 2. The kernel package linux-image-amd64 depends on.
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$KPKG" ]; then
  timeout 300 apt-get update -qq
  KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
[ -n "$KPKG" ] || { say "cannot find the kernel package linux-image-amd64 depends on"; exit 1; }
KV=${KPKG#linux-image-}
say "kernel package $KPKG (kernel $KV)"

if [ -f "$KDIR/.done-$KV" ]; then
  say "kernel $KV already extracted in $KDIR"
else
  mkdir -p "$HIL/deb"
  # apt drops privileges to _apt for downloads when that user can write the folder.
  id _apt >/dev/null 2>&1 && chown _apt "$HIL/deb" 2>/dev/null || true
  DEB=$(ls "$HIL/deb/${KPKG}_"*.deb 2>/dev/null | head -1 || true)
  if [ -z "$DEB" ]; then
    say "downloading $KPKG (apt-get download, ~70 MB)"
    (cd "$HIL/deb" && timeout 600 apt-get download -q "$KPKG")
    DEB=$(ls "$HIL/deb/${KPKG}_"*.deb | head -1)
  fi
  say "extracting the kernel image and the needed module folders from $(basename "$DEB")"
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  M="./lib/modules/$KV/kernel"
  dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$KDIR" --wildcards \
    "./boot/vmlinuz-$KV" "./boot/config-$KV" \
    "./lib/modules/$KV/modules.order" "./lib/modules/$KV/modules.builtin" "./lib/modules/$KV/modules.builtin.modinfo" \
    "$M/drivers/usb/*" "$M/drivers/hid/*" "$M/drivers/input/*" \
    "$M/fs/configfs/*" "$M/fs/9p/*" "$M/fs/netfs/*" "$M/fs/fscache/*" "$M/net/9p/*" \
    "$M/drivers/virtio/*" "$M/drivers/char/*" "$M/drivers/base/*" 2>&1 | grep -v 'Not found in archive' || true
  [ -f "$KDIR/boot/vmlinuz-$KV" ] || { say "vmlinuz-$KV missing after extraction"; exit 1; }
  say "depmod"
  depmod -b "$KDIR" "$KV"
  touch "$KDIR/.done-$KV"
fi
echo "$KV" > "$HIL/kernel-version"

# 3. Check that every module the guest loads resolves.
MODS="$(sed -n 's/^MODULES=//p' "$ROOT/Tests/HIL/modules.conf")"
for m in $MODS; do
  modprobe -d "$KDIR" -S "$KV" --show-depends "$m" >/dev/null 2>&1 || { say "module $m does not resolve in $KDIR"; exit 1; }
done
say "all modules resolve: $MODS"
say "done in $(elapsed) s ($(du -sh "$KDIR" | cut -f1) extracted in $KDIR)"
