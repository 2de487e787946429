# SPDX-License-Identifier: MIT
# Sourced by the lab's build scripts. Each result lives in a folder named by a
# hash of what it is built from, is built aside in <folder>.partial, and counts
# only once a `complete` stamp is in it, so an interrupted build is never reused.

# lab_cache_key INPUTS...: 16 hex digits hashing the calling script and INPUTS,
# so editing the script or changing an input builds afresh.
lab_cache_key() {
	{
		cat "$0"
		echo "$*"
	} | sha256sum | cut -c1-16
}

# lab_reuse DIR RESULT: when DIR holds a complete build, prints RESULT (the
# caller's last line of stdout) and ends the calling script.
lab_reuse() {
	if [ -f "$1/complete" ]; then
		echo "$2"
		exit 0
	fi
}

# lab_publish WORK DIR RESULT: stamps WORK complete, puts it in place of DIR
# and prints RESULT.
lab_publish() {
	touch "$1/complete"
	rm -rf "$2"
	mv "$1" "$2"
	echo "$3"
}
