# SPDX-License-Identifier: MIT
# Shared by the set-up steps: where the cache lives, pinned versions, and how a
# step reports progress or fails.
PJ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PJ_CACHE=${PULUMI_JAILHOUSE_CACHE:-$HOME/.cache/pulumi-jailhouse}
mkdir -p "$PJ_CACHE"
export PJ_ROOT PJ_CACHE
# shellcheck source=versions.env
. "$PJ_ROOT/test/setup/versions.env"
export PULUMI_VERSION DEBIAN_SUITE

pj_die() {
	echo "setup: step '$1' failed: $2" >&2
	exit 1
}

# pj_step NAME COMMAND...: runs one step, prints how long it took, keeps its
# output in the cache's log folder and shows the tail when it fails.
pj_step() {
	local name=$1 start=$SECONDS log
	shift
	log="$PJ_CACHE/logs/setup-$name.log"
	mkdir -p "$PJ_CACHE/logs"
	[ "${PJ_QUIET:-0}" = 1 ] || printf 'setup: %s ...\n' "$name" >&2
	if ! "$@" >"$log" 2>&1; then
		tail -n 15 "$log" >&2
		pj_die "$name" "see $log (last lines above)"
	fi
	local took=$((SECONDS - start))
	printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$took" >>"$PJ_CACHE/logs/setup-times.tsv"
	[ "${PJ_QUIET:-0}" = 1 ] && [ "$took" -lt 5 ] || printf 'setup: %s done (%ss)\n' "$name" "$took" >&2
}
