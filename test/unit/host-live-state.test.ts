// SPDX-License-Identifier: MIT
// parseLiveState on outputs of the live-state script as a host prints them in
// each hypervisor state, and on outputs it must refuse rather than guess from.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { liveCpuList, LiveStateError, parseLiveState } from "../../provider/src/resources/live-state";

const firmware = "a".repeat(64);
const sysconfig = "b".repeat(64);

/** The lines every complete output has, around the parts a test varies. */
function output(middle: string[], head: Partial<Record<"hostname" | "kernel" | "online" | "cmdline" | "module", string>> = {}): string {
    return [
        "livestate=1",
        `hostname=${head.hostname ?? "h1"}`,
        `kernel=${head.kernel ?? "6.1.0-56-arm64"}`,
        `online=${head.online ?? "0-3"}`,
        `cmdline=${head.cmdline ?? "root=/dev/vda console=ttyAMA0 kvm-arm.mode=none mem=768M"}`,
        "ram=40000000-6fffffff",
        "boot=[    0.171717] CPU: All CPU(s) started at EL2",
        "boot=[    0.912345] kvm [1]: KVM disabled from command line",
        `module=${head.module ?? "0"}`,
        ...middle,
        "end=1",
        "",
    ].join("\n");
}

describe("parseLiveState", () => {
    test("hypervisor not installed: the module is absent and there is no jailhouse section", () => {
        const state = parseLiveState(output([]));
        assert.equal(state.hostname, "h1");
        assert.equal(state.kernelRelease, "6.1.0-56-arm64");
        assert.deepEqual(state.onlineCpus, [0, 1, 2, 3]);
        assert.equal(state.cmdline, "root=/dev/vda console=ttyAMA0 kvm-arm.mode=none mem=768M");
        assert.deepEqual(state.systemRam, [[0x40000000n, 0x70000000n]], "RAM is [start, end) with end one past /proc/iomem's last byte");
        assert.equal(
            state.bootLog,
            "[    0.171717] CPU: All CPU(s) started at EL2\n[    0.912345] kvm [1]: KVM disabled from command line",
        );
        assert.equal(state.moduleLoaded, false);
        assert.equal(state.jailhouse, undefined);
        assert.deepEqual(state.cells, []);
        assert.equal(state.firmwareSha256, undefined);
        assert.equal(state.systemConfigSha256, undefined);
        assert.equal(state.buildStamp, undefined);
    });

    test("module loaded, hypervisor disabled: counters read 0 and the driver's last error is kept", () => {
        const state = parseLiveState(
            output(
                [
                    "jailhouse.enabled=0",
                    "jailhouse.mem_pool_size=0",
                    "jailhouse.mem_pool_used=0",
                    "jailhouse.remap_pool_size=0",
                    "jailhouse.remap_pool_used=0",
                    "jailhouse.last_error=enable: CPU 2 did not enter the hypervisor",
                    `firmware=${firmware}`,
                    `sysconfig=${sysconfig}`,
                    "stamp=v0.1.0+abc123 built 2025-01-01",
                ],
                { module: "1" },
            ),
        );
        assert.equal(state.moduleLoaded, true);
        assert.deepEqual(state.jailhouse, {
            enabled: false,
            memPoolSize: 0,
            memPoolUsed: 0,
            remapPoolSize: 0,
            remapPoolUsed: 0,
            lastError: "enable: CPU 2 did not enter the hypervisor",
        });
        assert.deepEqual(state.cells, []);
        assert.equal(state.firmwareSha256, firmware);
        assert.equal(state.systemConfigSha256, sysconfig);
        assert.equal(state.buildStamp, "v0.1.0+abc123 built 2025-01-01");
    });

    test("hypervisor enabled with cells: pools, and cells ordered by numeric id", () => {
        const state = parseLiveState(
            output(
                [
                    "jailhouse.enabled=1",
                    "jailhouse.mem_pool_size=16384",
                    "jailhouse.mem_pool_used=1279",
                    "jailhouse.remap_pool_size=1024",
                    "jailhouse.remap_pool_used=17",
                    "jailhouse.last_error=",
                    "cell.0.name=lab-root",
                    "cell.0.state=running",
                    "cell.0.cpus=0-1",
                    "cell.0.failed=",
                    "cell.10.name=late-cell",
                    "cell.10.state=shut down",
                    "cell.10.cpus=",
                    "cell.10.failed=",
                    "cell.2.name=rt-timer",
                    "cell.2.state=running/locked",
                    "cell.2.cpus=2-3",
                    "cell.2.failed=3",
                    `firmware=${firmware}`,
                ],
                { module: "1" },
            ),
        );
        assert.deepEqual(state.jailhouse, {
            enabled: true,
            memPoolSize: 16384,
            memPoolUsed: 1279,
            remapPoolSize: 1024,
            remapPoolUsed: 17,
            lastError: undefined,
        });
        assert.deepEqual(state.cells, [
            { id: 0, name: "lab-root", state: "running", cpusAssigned: "0-1", cpusFailed: "" },
            { id: 2, name: "rt-timer", state: "running/locked", cpusAssigned: "2-3", cpusFailed: "3" },
            { id: 10, name: "late-cell", state: "shut down", cpusAssigned: "", cpusFailed: "" },
        ]);
    });

    test("optional sections missing: no RAM or boot lines give empty values, not errors", () => {
        const text = output([])
            .split("\n")
            .filter((line) => !line.startsWith("ram=") && !line.startsWith("boot="))
            .join("\n");
        const state = parseLiveState(text);
        assert.deepEqual(state.systemRam, []);
        assert.equal(state.bootLog, undefined, "no boot lines and no bootlog= line: the read skipped the boot log");
        assert.equal(state.hostname, "h1");
        assert.equal(parseLiveState(text.replace("module=", "bootlog=1\nmodule=")).bootLog, "", "read, and nothing found");
    });

    test("values may contain '=' and several RAM ranges keep their order", () => {
        const text = output([]).replace("ram=40000000-6fffffff", "ram=00001000-0009fbff\nram=100000000-63fffffff");
        const state = parseLiveState(text.replace("cmdline=root=/dev/vda", "cmdline=root=PARTUUID=1234-01 a=b=c"));
        assert.equal(state.cmdline, "root=PARTUUID=1234-01 a=b=c console=ttyAMA0 kvm-arm.mode=none mem=768M");
        assert.deepEqual(state.systemRam, [
            [0x1000n, 0x9fc00n],
            [0x100000000n, 0x640000000n],
        ]);
    });

    test("a truncated output (no end line) is refused, naming what is missing", () => {
        const truncated = output([]).split("\n").slice(0, 4).join("\n");
        assert.throws(
            () => parseLiveState(truncated),
            (error: Error) => {
                assert.ok(error instanceof LiveStateError, "a LiveStateError");
                assert.match(error.message, /live state is incomplete \(no cmdline, module, end\); the script stopped early/);
                return true;
            },
        );
    });

    test("garbage is refused, quoting how it began, instead of parsing as an empty host", () => {
        for (const garbage of ["", "bash: line 1: syntax error near unexpected token `fi'\n", "key=value\nother=thing\n"]) {
            assert.throws(
                () => parseLiveState(garbage),
                /this is not the output of the live-state script \(no livestate= line\); it began: /,
                JSON.stringify(garbage),
            );
        }
        assert.throws(() => parseLiveState("Permission denied\n"), /it began: Permission denied/);
    });

    test("malformed values are errors that name the line or key", () => {
        assert.throws(
            () => parseLiveState(output([]).replace("ram=40000000-6fffffff", "ram=00000000")),
            /RAM line 'ram=00000000' is not <start>-<end> in hex/,
        );
        assert.throws(() => parseLiveState(output([], { online: "0-x" })), /live state: online='0-x': CPU list "0-x" is not understood/);
        assert.throws(
            () => parseLiveState(output(["jailhouse.enabled=1", "jailhouse.mem_pool_size=lots"], { module: "1" })),
            /jailhouse\.mem_pool_size='lots' is not a whole number/,
        );
        assert.throws(() => parseLiveState(output(["cell.root.name=x"], { module: "1" })), /cell id 'root' is not a number/);
    });
});

describe("liveCpuList", () => {
    test("lists and ranges expand in order", () => {
        assert.deepEqual(liveCpuList("online", "0-2,4"), [0, 1, 2, 4]);
        assert.deepEqual(liveCpuList("online", "3"), [3]);
        assert.deepEqual(liveCpuList("online", ""), []);
        assert.deepEqual(liveCpuList("online", "0-1,6-7\n"), [0, 1, 6, 7]);
    });

    test("anything else is a LiveStateError naming the key, the value and the form", () => {
        for (const bad of ["a", "1-", "3-1", "0,,x", "-1"])
            assert.throws(
                () => liveCpuList("online", bad),
                (error: Error) => error instanceof LiveStateError && error.message.startsWith(`live state: online='${bad}': CPU `),
                bad,
            );
    });
});
