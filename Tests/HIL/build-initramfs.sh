#!/bin/bash
# Hardware-in-the-loop harness, step 2: the guest's initramfs.
#
# A busybox-static userland, Tests/HIL/init as /init, and the kernel modules of modules.conf
# with their dependencies, in load order (computed here with `modprobe --show-depends` against
# the extracted kernel, written to /modules.order for /init to insmod). Nothing of counterd goes
# in: the guest mounts the host root over virtio-9p and runs everything from there.
# Output: .build-hil/initramfs.cpio.gz (rebuilt only when an input changed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HIL="$ROOT/.build-hil"
KDIR="$HIL/kernel"
OUT="$HIL/initramfs.cpio.gz"
say() { printf 'hil-initramfs: %s\n' "$*"; }

[ -f "$HIL/kernel-version" ] || { say "no kernel: run Tests/HIL/setup.sh first"; exit 1; }
KV=$(cat "$HIL/kernel-version")
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || { say "busybox missing: run Tests/HIL/setup.sh"; exit 1; }
if command -v file >/dev/null && file -L "$BUSYBOX" | grep -q 'dynamically linked'; then
  say "$BUSYBOX is not static (install busybox-static)"; exit 1
fi

if [ -f "$OUT" ] && [ "$OUT" -nt "$ROOT/Tests/HIL/init" ] && [ "$OUT" -nt "$ROOT/Tests/HIL/modules.conf" ] \
   && [ "$OUT" -nt "$ROOT/Tests/HIL/build-initramfs.sh" ] && [ "$OUT" -nt "$KDIR/.done-$KV" ]; then
  say "up to date: $OUT"
  exit 0
fi

STAGE="$HIL/initramfs"
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,host,scratch,lib/modules}
cp "$BUSYBOX" "$STAGE/bin/busybox"
for a in sh mount umount mkdir insmod cat echo sleep poweroff chroot ls ip grep sed seq dmesg; do
  ln -s busybox "$STAGE/bin/$a"
done
cp "$ROOT/Tests/HIL/init" "$STAGE/init"
chmod 755 "$STAGE/init"

MODS="$(sed -n 's/^MODULES=//p' "$ROOT/Tests/HIL/modules.conf")"
: > "$STAGE/modules.order"
for m in $MODS; do
  modprobe -d "$KDIR" -S "$KV" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
  rel=${ko#"$KDIR"/lib/modules/"$KV"/}
  mkdir -p "$STAGE/lib/modules/$(dirname "$rel")"
  cp "$ko" "$STAGE/lib/modules/$rel"
  echo "/lib/modules/$rel" >> "$STAGE/modules.order"
done
say "$(wc -l < "$STAGE/modules.order") modules in load order"

(cd "$STAGE" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "built $OUT ($(du -h "$OUT" | cut -f1))"
