# SPDX-License-Identifier: MIT
# Shared by the set-up steps: where the cache lives, pinned versions, and how a
# step reports progress or fails.
PJ_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
PJ_CACHE=${PULUMI_JAILHOUSE_CACHE:-$HOME/.cache/pulumi-jailhouse}
mkdir -p "$PJ_CACHE"
export PJ_ROOT PJ_CACHE
# shellcheck source=versions.env
. "$PJ_ROOT/examples/lab/setup/versions.env"
export PULUMI_VERSION DEBIAN_SUITE

pj_die() {
	echo "setup: step '$1' failed: $2" >&2
	exit 1
}

pj_say() { [ "${PJ_QUIET:-0}" = 1 ] || printf 'setup: %s\n' "$*" >&2; }

# pj_step NAME CHECK BUILD...: a step whose result CHECK can verify. When CHECK
# passes, the cached result is kept. Otherwise BUILD runs in a subshell of its
# own with errexit on, because bash ignores `set -e` in anything run as an `if`
# or `||` condition, and a step must fail at its first failing command, not only
# when its last one fails. CHECK must pass after BUILD, so a step never reports
# "done" for a result that is not there. CHECK "-" means the step has no cache:
# BUILD always runs and its exit status is the check.
pj_step() {
	local name=$1 check=$2 start=$SECONDS log status
	shift 2
	if [ "$check" != - ] && "$check" >/dev/null 2>&1; then
		pj_say "$name in place"
		return 0
	fi
	log="$PJ_CACHE/logs/setup-$name.log"
	mkdir -p "$PJ_CACHE/logs"
	pj_say "$name ..."
	set +e
	(
		set -e
		"$@"
	) >"$log" 2>&1
	status=$?
	set -e
	if [ "$status" -ne 0 ]; then
		tail -n 15 "$log" >&2
		pj_die "$name" "exit status $status; log: $log (last lines above)"
	fi
	if [ "$check" != - ] && ! "$check" >>"$log" 2>&1; then
		tail -n 15 "$log" >&2
		pj_die "$name" "it ran, but its result does not pass its check ($check); log: $log"
	fi
	local took=$((SECONDS - start))
	printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$took" >>"$PJ_CACHE/logs/setup-times.tsv"
	[ "${PJ_QUIET:-0}" = 1 ] && [ "$took" -lt 5 ] || printf 'setup: %s done (%ss)\n' "$name" "$took" >&2
}
