// SPDX-License-Identifier: MIT
// `create` without a host: the live state captured once from lab host h3
// (test/vectors/live-h3/) must give a config that passes check and differs
// from examples/lab/system.yaml only where h3 really does; inputs that cannot
// make a config are refused with a message that names the fix.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { after, describe, test } from "node:test";
import { parseGatherOutput } from "../../../provider/src/config/create/gather";
import { parseSpanArgument } from "../../../provider/src/config/create/hypervisor-memory";
import { type LiveState, LiveStateError, readLiveStateDir } from "../../../provider/src/config/create/live-state";
import { sshTarget, TargetError } from "../../../provider/src/config/create/ssh-target";
import { systemFromLiveState } from "../../../provider/src/config/create/system-from-live";
import { diffSystem } from "../../../provider/src/config/diff";
import { encodeSystemConfig, loadConfigFile } from "../../../provider/src/config/load";
import type { CellConfig } from "../../../provider/src/config/schema";
import { errorsOf, validateHost } from "../../../provider/src/config/validate";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const cli = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
const vector = path.join(repoRoot, "test", "vectors", "live-h3");
const example = (name: string) => path.join(repoRoot, "examples", "lab", name);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-create-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const h3 = (): LiveState => readLiveStateDir(vector);
const cell = (name: string) => loadConfigFile(example(name)).config as CellConfig;

function run(...args: string[]) {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: repoRoot });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The live state with one device-tree property replaced (or removed, for undefined). */
function withProperty(state: LiveState, property: string, value: Buffer | undefined): LiveState {
    const lines = state.devicetree.split("\n").filter((line) => !line.startsWith(`${property} `));
    if (value) lines.push(`${property} ${value.toString("hex")}`);
    return { ...state, devicetree: lines.join("\n") };
}

const cells32 = (...values: number[]) =>
    Buffer.concat(values.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])));

function refused(make: () => unknown, pattern: RegExp) {
    assert.throws(make, (error: Error) => {
        assert.ok(error instanceof LiveStateError || error instanceof TargetError, `${error.name}: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
    });
}

describe("create from h3's captured live state", () => {
    test("gives a config that passes check with the lab cells and compiles", () => {
        const { config, yaml } = systemFromLiveState(h3(), { rootName: "lab-root" });
        const issues = validateHost(config, [cell("rt-timer.yaml"), cell("uart-hello.yaml")], { cpuCount: 4 });
        assert.deepEqual(errorsOf(issues), []);
        assert.ok(encodeSystemConfig(config).length > 0);
        assert.equal(config.hypervisor.memory.phys, 0x7f000000n);
        assert.equal(config.hypervisor.memory.size, 16n << 20n);
        assert.deepEqual(config.platform.gic, {
            version: 3,
            maintenanceIrq: 25,
            distributor: 0x08000000n,
            redistributor: 0x080a0000n,
            cpuInterface: 0n,
            hypervisorInterface: 0n,
            virtualCpuInterface: 0n,
            padding: 0,
        });
        assert.equal(config.debugConsole.type, "pl011");
        assert.equal(config.debugConsole.address, 0x09000000n);
        assert.deepEqual(config.rootCell.cpus, [0, 1, 2, 3]);
        assert.deepEqual(
            config.rootCell.memory.map((r) => [r.name, `0x${r.phys.toString(16)}`, `0x${r.size.toString(16)}`, r.flags.join("+")]),
            [
                ["flash", "0x0", "0x8000000", "read+write+io"],
                ["devices", "0x9000000", "0x36000000", "read+write+io"],
                ["ram", "0x40000000", "0x3f000000", "read+write+execute+dma"],
                ["pcie-ecam-high", "0x4010000000", "0x10000000", "read+write+io"],
                ["pcie-mmio-high", "0x8000000000", "0x8000000000", "read+write+io"],
            ],
        );
        assert.deepEqual(
            config.rootCell.irqchips[0].spis,
            Array.from({ length: 128 }, (_, i) => i),
        );
        assert.match(yaml, /^# System config of h3 \(linux,dummy-virt\)/);
        assert.match(yaml, /Hypervisor memory 0x7f000000-0x7fffffff: found free above Linux's RAM/);
    });

    test("differs from examples/lab/system.yaml only in the low PCIe ECAM window h3 does not have", () => {
        const { config } = systemFromLiveState(h3(), { rootName: "lab-root" });
        const handWritten = loadConfigFile(example("system.yaml")).config as typeof config;
        assert.deepEqual(diffSystem(handWritten, config), ["root cell region devices: 880 MiB -> 864 MiB"]);
    });

    test("the root cell is named after the host unless --root-name says otherwise", () => {
        assert.equal(systemFromLiveState(h3()).config.rootCell.name, "h3");
        refused(
            () => systemFromLiveState({ ...h3(), hostname: `${"x".repeat(40)}\n` }),
            /cannot name the root cell .* give --root-name NAME/,
        );
    });

    test("--hypervisor-memory puts the hypervisor in the region given, and the RAM around it stays the root's", () => {
        const { config } = systemFromLiveState(h3(), { hypervisorMemory: parseSpanArgument("0x70000000,16M", "--hypervisor-memory") });
        assert.equal(config.hypervisor.memory.phys, 0x70000000n);
        assert.deepEqual(
            config.rootCell.memory.filter((r) => r.name?.startsWith("ram")).map((r) => [r.name, r.phys, r.size]),
            [
                ["ram", 0x40000000n, 0x30000000n],
                ["ram-2", 0x71000000n, 0x0f000000n],
            ],
        );
    });

    test("a GICv2 host gets its four register frames", () => {
        let state = withProperty(h3(), "intc@8000000/compatible", Buffer.from("arm,cortex-a15-gic\0"));
        const frames = [0x08000000, 0x08010000, 0x08030000, 0x08040000].flatMap((address) => [0, address, 0, 0x10000]);
        state = withProperty(state, "intc@8000000/reg", cells32(...frames));
        const { config } = systemFromLiveState(state);
        assert.deepEqual(
            [
                config.platform.gic?.version,
                config.platform.gic?.cpuInterface,
                config.platform.gic?.hypervisorInterface,
                config.platform.gic?.virtualCpuInterface,
            ],
            [2, 0x08010000n, 0x08030000n, 0x08040000n],
        );
    });

    test("CPUs offline at capture are still the root's, with a note", () => {
        const { config, notes } = systemFromLiveState({ ...h3(), cpusOnline: "0,3\n" });
        assert.deepEqual(config.rootCell.cpus, [0, 1, 2, 3]);
        assert.ok(
            notes.some((n) => /CPU 1-2 was offline/.test(n)),
            notes.join("\n"),
        );
    });
});

describe("create refuses what cannot make a config, and says why", () => {
    test("no RAM free above Linux's, naming mem= and --hypervisor-memory", () => {
        const state = { ...h3(), iomem: h3().iomem.replace("40000000-6fffffff : System RAM", "40000000-7fffffff : System RAM") };
        refused(
            () => systemFromLiveState(state),
            /no room for the hypervisor's 16 MiB: Linux uses all RAM .* mem=.* --hypervisor-memory ADDR,SIZE/,
        );
    });

    test("--hypervisor-memory inside Linux's RAM, outside RAM, unaligned or misspelt", () => {
        const given = (text: string) => systemFromLiveState(h3(), { hypervisorMemory: parseSpanArgument(text, "--hypervisor-memory") });
        refused(() => given("0x60000000,16M"), /overlaps Linux's System RAM 0x40000000-0x6fffffff; keep that range out of Linux/);
        refused(() => given("0x90000000,16M"), /is not RAM the device tree's memory nodes list/);
        refused(() => given("0x70000800,16M"), /multiples of 4 KiB/);
        refused(() => given("0x70000000"), /write ADDR,SIZE, e.g. --hypervisor-memory 0x7f000000,16M/);
    });

    test("/proc/iomem read without root rights", () => {
        const zeros = h3().iomem.replace(/^(\s*)[0-9a-f]+-[0-9a-f]+/gm, "$100000000-00000000");
        refused(() => systemFromLiveState({ ...h3(), iomem: zeros }), /without root rights; run create as root/);
    });

    test("a GIC without a maintenance interrupt (no EL2 for Linux)", () => {
        refused(
            () => systemFromLiveState(withProperty(h3(), "intc@8000000/interrupts", undefined)),
            /maintenance interrupt is unknown.*virtualization=on/,
        );
    });

    test("no device tree, a garbled one, or no GIC", () => {
        refused(() => systemFromLiveState({ ...h3(), devicetree: "" }), /no device tree .* ACPI/);
        refused(() => systemFromLiveState({ ...h3(), devicetree: "cpus/cpu@0/reg 0000000\n" }), /devicetree.txt line 1: expected/);
        const noGic = h3()
            .devicetree.split("\n")
            .filter((line) => !line.startsWith("intc@8000000/"))
            .join("\n");
        refused(() => systemFromLiveState({ ...h3(), devicetree: noGic }), /no GICv2 or GICv3 node/);
    });

    test("online CPUs the device tree does not have", () => {
        refused(() => systemFromLiveState({ ...h3(), cpusOnline: "0-7\n" }), /CPU 4-7 is online but the device tree lists 4 CPUs/);
    });

    test("a live-state folder with a file missing", () => {
        const partial = path.join(work, "partial");
        fs.mkdirSync(partial);
        fs.copyFileSync(path.join(vector, "iomem.txt"), path.join(partial, "iomem.txt"));
        refused(() => readLiveStateDir(partial), /hostname.txt is missing; a live-state folder holds/);
    });

    test("a lab host by its inventory name", () => {
        const inventory = path.join(work, "inventory.json");
        const h7 = { name: "h7", address: "127.0.0.1", port: 10029, user: "root", keyPath: "/lab/id", hostKeyFingerprint: "SHA256:h7" };
        fs.writeFileSync(inventory, JSON.stringify({ hosts: [h7] }));
        const before = process.env.PJ_LAB_INVENTORY;
        process.env.PJ_LAB_INVENTORY = inventory;
        try {
            assert.deepEqual(sshTarget("h7", undefined, undefined), {
                host: "127.0.0.1",
                port: 10029,
                user: "root",
                privateKeyPath: "/lab/id",
                hostKey: { fingerprint: "SHA256:h7" },
            });
            refused(() => sshTarget("h9", undefined, undefined), /--ssh h9: no such lab host \(the inventory has h7\)/);
        } finally {
            if (before === undefined) delete process.env.PJ_LAB_INVENTORY;
            else process.env.PJ_LAB_INVENTORY = before;
        }
    });

    test("an SSH target without the key or the fingerprint", () => {
        refused(() => sshTarget("root@10.0.0.5:22", undefined, "SHA256:x"), /needs --key PATH .* --fingerprint SHA256/);
        refused(() => sshTarget("a b", undefined, undefined), /give a lab host name \(h1\) or user@host:port/);
        assert.deepEqual(sshTarget("admin@10.0.0.5:2222", "/k", "SHA256:abc"), {
            host: "10.0.0.5",
            port: 2222,
            user: "admin",
            privateKeyPath: "/k",
            hostKey: { fingerprint: "SHA256:abc" },
        });
    });
});

describe("the gathered answer", () => {
    test("becomes the same text files as a capture: the device tree from its tar", () => {
        const tree = path.join(work, "dt");
        fs.mkdirSync(path.join(tree, "base", "cpus", "cpu@0"), { recursive: true });
        fs.writeFileSync(path.join(tree, "base", "cpus", "cpu@0", "reg"), cells32(0x100));
        fs.writeFileSync(path.join(tree, "base", "model"), "board\0");
        const archive = zlib.gzipSync(execFileSync("tar", ["-c", "-C", tree, "base"])).toString("base64");
        const output = [
            "==> hostname <==",
            "h9",
            "==> cpusOnline <==",
            "0",
            "==> iomem <==",
            "40000000-4fffffff : System RAM",
            "==> interrupts <==",
            "  CPU0",
            "==> devicetreeArchive <==",
            archive,
            "",
        ].join("\n");
        const state = parseGatherOutput(output);
        assert.equal(state.hostname, "h9\n");
        assert.equal(state.iomem, "40000000-4fffffff : System RAM\n");
        assert.equal(state.devicetree, "cpus/cpu@0/reg 00000100\nmodel 626f61726400\n");
    });
});

describe("jailhouse-config create", () => {
    test("--from a captured folder writes YAML that check accepts, and diff shows h3's one difference", () => {
        const out = path.join(work, "h3.yaml");
        const created = run("create", "--from", vector, "--root-name", "lab-root", "-o", out);
        assert.equal(created.status, 0, created.stderr);
        assert.equal(created.stdout, `${out}: system config "lab-root"\n`);
        const check = run("check", out, example("rt-timer.yaml"), example("uart-hello.yaml"), "--cpus", "4");
        assert.equal(check.status, 0, check.stderr);
        assert.equal(run("diff", example("system.yaml"), out).stdout, "system: root cell region devices: 880 MiB -> 864 MiB\n");
    });

    test("bad command lines and impossible hosts exit 2 and 1 with the reason", () => {
        const stray = run("create", "extra");
        assert.equal(stray.status, 2);
        assert.match(stray.stderr, /create takes options only, not extra/);
        const keyAlone = run("create", "--from", vector, "--key", "/k");
        assert.equal(keyAlone.status, 1);
        assert.match(keyAlone.stderr, /--key and --fingerprint go with --ssh/);
        const full = run("create", "--from", vector, "--hypervisor-memory", "0x50000000,16M");
        assert.equal(full.status, 1);
        assert.match(full.stderr, /^jailhouse-config create: --hypervisor-memory 0x50000000-0x50ffffff overlaps Linux's System RAM/);
    });
});
