#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The idempotent set-up that `npm start`, `npm test` and `npm run lab` run
# first. Everything downloaded or built lands in $PULUMI_JAILHOUSE_CACHE
# (default ~/.cache/pulumi-jailhouse) so a fresh clone on the same machine
# reuses it. Each step is skipped when its result is already in place.
set -euo pipefail
[ "${1:-}" = --quiet ] && export PJ_QUIET=1
. "$(dirname "$0")/common.sh"
cd "$PJ_ROOT"

host_packages=(qemu-system-arm qemu-utils qemu-user-static binfmt-support
	debootstrap e2fsprogs gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	openssh-server openssh-client ipxe-qemu socat xz-utils make gcc
	ansible-core)

missing_packages() {
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${host_packages[@]}" 2>/dev/null |
		awk '$2 != "ii" {print $1}'
	for p in "${host_packages[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"
	done
}

install_host_packages() {
	export DEBIAN_FRONTEND=noninteractive
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	apt-get update -qq
	# shellcheck disable=SC2046
	apt-get install -y -qq --no-install-recommends $(missing_packages | sort -u)
}

# The lab's image build runs arm64 binaries in a chroot through qemu-user.
enable_binfmt() {
	if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	fi
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
	grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64
}

lock_hash() { sha256sum package-lock.json | cut -c1-64; }

install_npm_packages() {
	npm ci --prefer-offline --no-audit --no-fund
	lock_hash >node_modules/.pj-lock-hash
}

check_node() {
	local v
	v=$(node_modules/.bin/node -p 'process.versions.node')
	[ "${v%%.*}" -ge 22 ] || { echo "node_modules/.bin/node is $v, need >= 22"; return 1; }
}

install_pulumi_launcher() {
	local bin="$PJ_CACHE/pulumi-$PULUMI_VERSION/bin"
	install -m 755 node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs "$bin/"
}

build_typescript() { node_modules/.bin/tsc -p tsconfig.json; }

export npm_config_cache="$PJ_CACHE/npm"

if [ -n "$(missing_packages)" ]; then
	[ "$(id -u)" = 0 ] || pj_die "debian-packages" "missing $(missing_packages | sort -u | tr '\n' ' ')- run as root or install them"
	pj_step debian-packages install_host_packages
fi
grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null || pj_step binfmt enable_binfmt
if [ ! -f node_modules/.pj-lock-hash ] || [ "$(cat node_modules/.pj-lock-hash)" != "$(lock_hash)" ]; then
	pj_step npm-packages install_npm_packages
fi
pj_step node22 check_node
pj_step pulumi-cli bash test/setup/pulumi-cli.sh
pj_step pulumi-launcher install_pulumi_launcher
pj_step typescript build_typescript
