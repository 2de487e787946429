#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the initramfs a Linux cell boots into: Debian's busybox-static for
# arm64 and an /init that mounts proc, sys and devtmpfs, says what the cell
# has, and leaves a shell on ttyS0 (the cell's 16550) under busybox init, so
# `poweroff` in the cell powers it off (PSCI SYSTEM_OFF). Cached under
# $PJ_CACHE/lab/initramfs/<key>, the key hashing this script, the suite and
# the busybox version. Prints the cpio.gz path as the last line of stdout.
set -euo pipefail
. "$(dirname "$0")/../setup/common.sh"
. "$(dirname "$0")/build-cache.sh"

version=$(apt-cache policy busybox-static:arm64 2>/dev/null | awk '/Candidate:/{print $2; exit}')
[ -n "$version" ] && [ "$version" != "(none)" ] ||
	pj_die lab-initramfs "apt knows no busybox-static:arm64 (is arm64 added with dpkg --add-architecture and apt-get update run?)"
key=$(lab_cache_key "$DEBIAN_SUITE" "$version")
dir="$PJ_CACHE/lab/initramfs/$key"
out="$dir/initramfs.cpio.gz"
lab_reuse "$dir" "$out"

work="$dir.partial"
rm -rf "$work"
mkdir -p "$work/deb" "$work/root"
(cd "$work/deb" && apt-get download -q "busybox-static:arm64=$version" >/dev/null)
dpkg-deb -x "$work"/deb/busybox-static_*.deb "$work/deb/x"
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
install -m 755 "$work/deb/x/bin/busybox" "$root/bin/busybox"
# The kernel gives /init its stdio from /dev/console before anything is mounted.
mknod -m 600 "$root/dev/console" c 5 1

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "linux-cell: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/MemTotal/{print $2 " kB"}' /proc/meminfo)"
exec /bin/busybox init
INIT
chmod 755 "$root/init"
cat >"$root/etc/inittab" <<'TAB'
ttyS0::respawn:-/bin/sh
::shutdown:/bin/umount -a -r
TAB
printf 'export PS1="linux-cell# "\n' >"$root/etc/profile"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner 0:0) | gzip -9 >"$work/initramfs.cpio.gz"
echo "$version" >"$work/busybox-version"
rm -rf "$work/deb" "$root"
lab_publish "$work" "$dir" "$out"
