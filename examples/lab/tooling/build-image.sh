#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the lab's Debian arm64 disk image from Debian packages, cached under
# $PJ_CACHE/lab/images/<key>, where the key hashes this script, the suite and
# the kernel ABI. Prints the image folder as the last line of stdout.
# Needs root (debootstrap, chroot, bind mounts) and qemu-user through binfmt.
set -euo pipefail
. "$(dirname "$0")/../setup/common.sh"
. "$(dirname "$0")/build-cache.sh"

mirror=${PJ_DEBIAN_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)}
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || pj_die lab-image "no Debian mirror found in the apt sources; set PJ_DEBIAN_MIRROR"

kabi=${PJ_KERNEL_ABI:-$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/.*Depends: linux-image-\(.*-arm64\)\(:arm64\)\{0,1\}$/\1/p' | head -n1)}
[ -n "$kabi" ] || pj_die lab-image "cannot tell the arm64 kernel ABI: 'apt-cache depends linux-image-arm64:arm64' names none (is arm64 added with dpkg --add-architecture and apt-get update run?)"

key=$(lab_cache_key "$DEBIAN_SUITE" "$kabi")
images="$PJ_CACHE/lab/images"
out="$images/$key"
lab_reuse "$out" "$out"

log() { printf 'lab build: [%ss] %s\n' "$SECONDS" "$*" >&2; }
work="$images/$key.partial"
rootfs="$work/rootfs"
cleanup_mounts() {
	for d in dev/pts dev sys proc; do
		mountpoint -q "$rootfs/$d" 2>/dev/null && umount -l "$rootfs/$d"
	done
	return 0
}
trap cleanup_mounts EXIT
cleanup_mounts
rm -rf "$work"
mkdir -p "$work"

log "debootstrap $DEBIAN_SUITE arm64 (about 4 min)"
debootstrap --arch=arm64 --variant=minbase \
	--include=systemd-sysv,udev,openssh-server,iproute2,procps,kmod,tar,ca-certificates \
	"$DEBIAN_SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$work/debootstrap.log" >&2; pj_die lab-image "debootstrap failed, log: $work/debootstrap.log"; }

log "configure the root filesystem"
# The kernel of the day lives in the security suite, which debootstrap cannot
# combine with the base suite, so it is installed with apt inside the chroot.
security=${mirror%/debian}/debian-security
cat >"$rootfs/etc/apt/sources.list" <<SRC
deb $mirror $DEBIAN_SUITE main
deb $mirror $DEBIAN_SUITE-updates main
deb $security $DEBIAN_SUITE-security main
SRC
echo lab >"$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$rootfs/etc/hosts"
echo '/dev/vda / ext4 defaults,noatime 0 1' >"$rootfs/etc/fstab"
printf '[Match]\nName=en*\n[Network]\nDHCP=ipv4\n' >"$rootfs/etc/systemd/network/10-lab.network"
# Initrd must carry the virtio and ext4 modules (they are modules in Debian's
# kernel); listing only those keeps it small, which matters under emulation.
mkdir -p "$rootfs/etc/initramfs-tools/conf.d"
echo MODULES=list >"$rootfs/etc/initramfs-tools/conf.d/lab.conf"
printf '%s\n' virtio_pci virtio_blk virtio_net ext4 >>"$rootfs/etc/initramfs-tools/modules"

# Per-host identity (SSH host key, authorized key, hostname) arrives on a
# second small disk holding a tar archive, so one base image serves hosts with
# distinct host keys.
cat >"$rootfs/usr/local/sbin/lab-seed" <<'SEED'
#!/bin/sh
set -e
if [ -b /dev/vdb ]; then
	tar -xf /dev/vdb -C / --no-same-owner
	chmod 600 /etc/ssh/ssh_host_*_key /root/.ssh/authorized_keys
	chmod 700 /root/.ssh
	hostname "$(cat /etc/hostname)"
fi
ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1 || ssh-keygen -A
SEED
chmod 755 "$rootfs/usr/local/sbin/lab-seed"
cat >"$rootfs/etc/systemd/system/lab-seed.service" <<'UNIT'
[Unit]
Description=Per-host identity of a lab host
DefaultDependencies=no
After=local-fs.target
Before=ssh.service network-pre.target
Wants=network-pre.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/lab-seed
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
UNIT

for d in proc sys dev dev/pts; do mount --bind "/$d" "$rootfs/$d"; done
run() { chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
run systemctl enable systemd-networkd lab-seed.service >/dev/null 2>&1
run systemctl mask systemd-networkd-wait-online.service apt-daily.timer \
	apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1
run passwd -d root >/dev/null
install -d -m 700 "$rootfs/root/.ssh"

log "install kernel $kabi, headers and gcc inside the chroot (about 4 min)"
run apt-get update -qq >"$work/chroot-apt.log" 2>&1 ||
	{ tail -n 20 "$work/chroot-apt.log" >&2; pj_die lab-image "apt-get update in the chroot failed"; }
run apt-get install -y -qq --no-install-recommends make gcc libc6-dev bc \
	"linux-image-$kabi" "linux-headers-$kabi" >>"$work/chroot-apt.log" 2>&1 ||
	{ tail -n 20 "$work/chroot-apt.log" >&2; pj_die lab-image "installing the kernel in the chroot failed, log: $work/chroot-apt.log"; }
run apt-get clean
rm -f "$rootfs"/etc/ssh/ssh_host_*
cleanup_mounts

cp "$rootfs/boot/vmlinuz-$kabi" "$work/vmlinuz"
cp "$rootfs/boot/initrd.img-$kabi" "$work/initrd.img"
echo "$kabi" >"$work/kernel-abi"

log "make the ext4 image"
mkfs.ext4 -q -L labroot -d "$rootfs" "$work/base.raw" 4G
qemu-img convert -O qcow2 "$work/base.raw" "$work/base.qcow2"
rm -rf "$work/base.raw" "$rootfs"
sha256sum "$work/base.qcow2" | cut -c1-64 >"$work/base.qcow2.sha256"
log "done: $out"
lab_publish "$work" "$out" "$out"
