// SPDX-License-Identifier: MIT
// The native reader's JSON gives the same typed live state as the shell
// reader's key=value lines for the same host, and is refused, with the
// field named, when it is not what this provider reads.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseLiveState, parseNativeOutput, parseShellOutput, readerCommand } from "../../provider/src/resources/live-state";

const shell = [
    "livestate=1",
    "hostname=h2",
    "kernel=6.1.0-57-arm64",
    "online=0-3",
    "cmdline=root=/dev/vda console=ttyAMA0",
    "ram=40000000-6fffffff",
    "bootlog=1",
    "boot=CPU: All CPU(s) started at EL2",
    "module=1",
    "jailhouse.enabled=1",
    "jailhouse.mem_pool_size=16384",
    "jailhouse.mem_pool_used=1279",
    "jailhouse.remap_pool_size=1024",
    "jailhouse.remap_pool_used=",
    "jailhouse.last_error=",
    "cell.0.name=lab-root",
    "cell.0.state=running",
    "cell.0.cpus=0,3",
    "cell.0.failed=",
    "cell.10.name=rt-timer",
    "cell.10.state=running/locked",
    "cell.10.cpus=1",
    "cell.10.failed=",
    `firmware=${"a".repeat(64)}`,
    `stamp=abc 6.1.0-57-arm64`,
    "end=1",
    "",
].join("\n");

const native = {
    format: 1,
    hostname: "h2",
    kernel: "6.1.0-57-arm64",
    online: "0-3",
    cmdline: "root=/dev/vda console=ttyAMA0",
    ram: ["40000000-6fffffff"],
    boot: ["CPU: All CPU(s) started at EL2"],
    module: true,
    jailhouse: {
        enabled: "1",
        mem_pool_size: "16384",
        mem_pool_used: "1279",
        remap_pool_size: "1024",
        remap_pool_used: "",
        last_error: "",
    },
    cells: [
        { id: "10", name: "rt-timer", state: "running/locked", cpus: "1", failed: "" },
        { id: "0", name: "lab-root", state: "running", cpus: "0,3", failed: "" },
    ],
    hashes: { "/lib/firmware/jailhouse.bin": "a".repeat(64), "/etc/jailhouse/system.cell": null },
    texts: { "/var/lib/pulumi-jailhouse/build-stamp": "abc 6.1.0-57-arm64" },
};

describe("native reader", () => {
    test("gives the same live state as the shell reader for the same host", () => {
        const fromShell = parseShellOutput(shell);
        assert.deepEqual(parseNativeOutput(JSON.stringify(native)), fromShell);
        assert.deepEqual(
            parseLiveState(`${JSON.stringify(native)}\n`),
            fromShell,
            "parseLiveState tells the two apart by their first character",
        );
        assert.deepEqual(
            fromShell.cells.map((c) => c.id),
            [0, 10],
        );
    });

    test("without --boot-log the boot log is not read, and says so", () => {
        const { boot: _skipped, ...withoutBoot } = native;
        assert.equal(parseNativeOutput(JSON.stringify(withoutBoot)).bootLog, undefined);
    });

    test("output that is not the reader's is refused with the field named", () => {
        assert.throws(() => parseNativeOutput("{ not json"), /the native reader's output is not JSON/);
        assert.throws(() => parseNativeOutput(JSON.stringify({ ...native, format: 2 })), /format: .*update the CLI on the host/);
        assert.throws(() => parseNativeOutput(JSON.stringify({ ...native, ram: ["0-x"] })), /ram\.0: a RAM range is <start>-<end> in hex/);
        assert.throws(
            () =>
                parseNativeOutput(
                    JSON.stringify({ ...native, cells: [{ id: "root", name: "x", state: "running", cpus: "0", failed: "" }] }),
                ),
            /cell id 'root' is not a number/,
        );
        assert.throws(
            () => parseNativeOutput(JSON.stringify({ ...native, jailhouse: { ...native.jailhouse, mem_pool_used: "lots" } })),
            /mem_pool_used='lots' is not a whole number/,
        );
    });

    test("the default read tries the native reader and falls back to the shell reader in the same command", () => {
        const auto = readerCommand({ bootLog: true });
        assert.match(auto, /^if out=\$\(jailhouse state --json --boot-log --hash \/lib\/firmware\/jailhouse.bin/);
        assert.ok(auto.indexOf("echo livestate=1") > auto.indexOf("else"), "the shell reader is the fallback");
        assert.doesNotMatch(readerCommand({ reader: "native" }), /livestate/);
        assert.doesNotMatch(readerCommand({ reader: "shell" }), /jailhouse state/);
        assert.doesNotMatch(readerCommand(), /journalctl|--boot-log/, "no boot log unless an enable is planned");
    });
});
