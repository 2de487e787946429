# SPDX-License-Identifier: MIT
# Set-up steps for Pulumi's Go parts, sourced by setup.sh after common.sh.
#
# The Pulumi CLI is built from the Go module proxy at the pinned version, with
# the version stamped in, into $PJ_CACHE/pulumi-<ver>/bin. pkg/v3 carries
# replace directives, so `go install pkg@ver` is refused; a throwaway wrapper
# module that requires it by version builds it instead.
#
# Pulumi's Node language host (sdk/nodejs/cmd/pulumi-language-nodejs) is a
# separate module that this machine's Go proxy does not serve at any version, so
# our own minimal one (examples/lab/setup/language-host) is built and installed next to
# pulumi under that name: `pulumi up` etc. then run `runtime: nodejs` projects.

pulumi_bin="$PJ_CACHE/pulumi-$PULUMI_VERSION/bin"
export GOMODCACHE=${GOMODCACHE:-$PJ_CACHE/go/mod} GOCACHE=${GOCACHE:-$PJ_CACHE/go/build}
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
go_build_flags=(-trimpath -tags osusergo,grpcnotrace)

pulumi_cli_built() {
	[ -x "$pulumi_bin/pulumi" ] && "$pulumi_bin/pulumi" version | grep -qx "v$PULUMI_VERSION"
}

build_pulumi_cli() {
	local work="$PJ_CACHE/pulumi-$PULUMI_VERSION/wrapper"
	rm -rf "$work"
	mkdir -p "$work" "$pulumi_bin"
	cd "$work"
	printf 'module pulumi-jailhouse.local/pulumi-cli\n\ngo 1.25.11\n' >go.mod
	cat >tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
	GOFLAGS=-mod=mod go get "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
	GOFLAGS=-mod=mod go mod tidy
	CGO_ENABLED=0 go build "${go_build_flags[@]}" \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
		-o "$pulumi_bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

# The language host is rebuilt when its source, the Pulumi version stamped into
# it or the Go toolchain changes; the hash of those sits next to the binary.
language_host_src="$PJ_ROOT/examples/lab/setup/language-host"
language_host_stamp="$pulumi_bin/.pulumi-language-nodejs.hash"

language_host_hash() {
	{ cat "$language_host_src/go.mod" "$language_host_src/go.sum" "$language_host_src/main.go" &&
		echo "$PULUMI_VERSION" && go version; } | sha256sum | cut -c1-64
}

language_host_built() {
	[ "$(cat "$language_host_stamp" 2>/dev/null)" = "$(language_host_hash)" ] &&
		[ "$("$pulumi_bin/pulumi-language-nodejs" --version)" = "$PULUMI_VERSION" ]
}

# Built with -mod=readonly: go.mod and go.sum are tracked and must already say
# everything; a missing or corrupt one fails the build instead of being rewritten.
build_language_host() {
	mkdir -p "$pulumi_bin"
	cd "$language_host_src"
	CGO_ENABLED=0 GOFLAGS=-mod=readonly go build "${go_build_flags[@]}" \
		-ldflags "-X main.version=$PULUMI_VERSION" -o "$pulumi_bin/pulumi-language-nodejs.new" .
	mv -f "$pulumi_bin/pulumi-language-nodejs.new" "$pulumi_bin/pulumi-language-nodejs"
	language_host_hash >"$language_host_stamp"
}
