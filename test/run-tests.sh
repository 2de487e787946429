#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every test, after the set-up: boots the lab once for all end-to-end suites
# (reusing hosts that are already up), runs node's test runner over the
# compiled tests, and stops the hosts this run started.
set -euo pipefail
. "$(dirname "$0")/../examples/lab/setup/common.sh"
cd "$PJ_ROOT"
lab() { node dist/examples/lab/tooling/lab-cli.js "$@"; }

hosts=${PJ_LAB_HOSTS:-2}
already_up=$(lab status --json | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(s.hosts.filter(h=>h.running).length)')
start=$SECONDS
lab build >/dev/null
lab up "$hosts"
echo "lab: $hosts hosts ready after $((SECONDS - start)) s" >&2
if [ "$already_up" -lt "$hosts" ] && [ "${PJ_KEEP_LAB:-0}" != 1 ]; then
	trap 'lab down' EXIT
fi

mapfile -t files < <(
	for suite in unit integration e2e; do
		[ -d "dist/test/$suite" ] && find "dist/test/$suite" -name '*.test.js' | sort
	done
)
node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
