#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Pulumi CLI from the Go module proxy at one pinned version, with the
# version stamped in, into $PJ_CACHE/pulumi-<ver>/bin. pkg/v3 carries replace
# directives, so `go install pkg@ver` is refused; a throwaway wrapper module
# that requires it by version builds it instead.
# Pulumi's Node language host (sdk/nodejs/cmd/pulumi-language-nodejs) is a
# separate module that this machine's Go proxy does not serve at any version, so
# our own minimal one (test/setup/language-host) is built and installed next to
# pulumi under that name: `pulumi up` etc. then run `runtime: nodejs` projects.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

version=${PULUMI_VERSION:-3.274.1}
dest="$PJ_CACHE/pulumi-$version"
bin="$dest/bin"
export GOMODCACHE="$PJ_CACHE/go/mod" GOCACHE="$PJ_CACHE/go/build" GOFLAGS=-mod=mod
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}

cli_built() {
	[ -x "$bin/pulumi" ] && "$bin/pulumi" version 2>/dev/null | grep -qx "v$version"
}

build_cli() (
work="$dest/wrapper"
rm -rf "$work" && mkdir -p "$work" "$bin"
cd "$work"
cat >go.mod <<MOD
module pulumi-jailhouse.local/pulumi-cli

go 1.25.11
MOD
go get "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
cat >tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
go mod tidy
CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
	-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
	-o "$bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
"$bin/pulumi" version | grep -qx "v$version" || pj_die "pulumi-cli" "built pulumi does not report v$version"
)

# The language host is rebuilt when its source, the Pulumi version stamped into
# it or the Go toolchain changes; the hash of those sits next to the binary.
lh_src="$here/language-host"
lh_stamp="$bin/.pulumi-language-nodejs.hash"
lh_hash() {
	{ cat "$lh_src/go.mod" "$lh_src/go.sum" "$lh_src/main.go"; echo "$version"; go version; } |
		sha256sum | cut -c1-64
}

build_language_host() (
	cd "$lh_src"
	CGO_ENABLED=0 go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-X main.version=$version" -o "$bin/pulumi-language-nodejs.new" .
	mv -f "$bin/pulumi-language-nodejs.new" "$bin/pulumi-language-nodejs"
	lh_hash >"$lh_stamp"
)

if ! cli_built; then build_cli; fi
if [ ! -x "$bin/pulumi-language-nodejs" ] || [ "$(cat "$lh_stamp" 2>/dev/null)" != "$(lh_hash)" ]; then
	pj_step pulumi-language-nodejs build_language_host
fi
