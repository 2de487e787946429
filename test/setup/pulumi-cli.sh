#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Pulumi CLI from the Go module proxy at one pinned version, with the
# version stamped in, into $PJ_CACHE/pulumi-<ver>/bin. pkg/v3 carries replace
# directives, so `go install pkg@ver` is refused; a throwaway wrapper module
# that requires it by version builds it instead.
# The Node language host (sdk/nodejs/cmd/pulumi-language-nodejs) is a separate
# module that this machine's Go proxy does not serve at any version, so programs
# run as Automation API inline programs, which need no language host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

version=${PULUMI_VERSION:-3.274.1}
dest="$PJ_CACHE/pulumi-$version"
bin="$dest/bin"
if [ -x "$bin/pulumi" ] &&
	"$bin/pulumi" version 2>/dev/null | grep -qx "v$version"; then
	exit 0
fi

export GOMODCACHE="$PJ_CACHE/go/mod" GOCACHE="$PJ_CACHE/go/build" GOFLAGS=-mod=mod
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}
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
