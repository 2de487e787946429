// SPDX-License-Identifier: MIT
// The Cell's linux image kind: what the provider uploads and runs, what
// check() refuses, how a changed cmdline is applied and how a Linux cell
// that powered itself off shows in refresh. Pure; the live boot is the
// linux-cell e2e suite's.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { linuxBootLayout } from "../../../provider/src/config/linux/boot-layout";
import { linuxImageFailures, planLinuxBoot } from "../../../provider/src/resources/linux-image";
import {
    type CellResourceState,
    cellDrift,
    diffCellResource,
    resolveCellConfig,
    resolveSystemConfig,
    storeCellConfig,
} from "../../../provider/src/resources/plan";
import { providers } from "../../../provider/src/resources/providers";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const lab = (file: string) => path.join(repoRoot, "examples", "lab", file);
const system = resolveSystemConfig(lab("system.yaml"));
const linuxCell = resolveCellConfig(lab("linux.yaml"));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-linux-image-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const file = (name: string, bytes: number) => {
    const at = path.join(work, name);
    fs.writeFileSync(at, Buffer.alloc(bytes, 7));
    return at;
};
const kernel = file("Image", 4096);
const initrd = file("initrd.cpio.gz", 0x12345);
const ownDtb = file("own.dtb", 64);
const connection = (port: number) => ({ host: "127.0.0.1", port, user: "root", privateKey: "k", hostKey: { trustOnFirstUse: true } });

function decompile(blob: Buffer): string {
    const at = path.join(work, "plan.dtb");
    fs.writeFileSync(at, blob);
    const result = spawnSync("dtc", ["-I", "dtb", "-O", "dts", at], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
}

describe("planLinuxBoot", () => {
    test("without a dtb: uploads kernel, initrd and a DTB made from the configs, then jailhouse cell linux", () => {
        const plan = planLinuxBoot(linuxCell, { kernel, initrd, cmdline: "quiet" }, { system, initrdSize: 0x12345 });
        const dir = "/var/lib/pulumi-jailhouse/images/linux";
        assert.deepEqual(
            plan.uploads.map((u) => [typeof u.source === "string" ? u.source : "generated", u.target]),
            [
                [kernel, `${dir}/linux-kernel`],
                [initrd, `${dir}/linux-initrd`],
                ["generated", `${dir}/linux.dtb`],
            ],
        );
        assert.equal(
            plan.command,
            `jailhouse cell linux /etc/jailhouse/cells/linux.cell ${dir}/linux-kernel -i ${dir}/linux-initrd -d ${dir}/linux.dtb`,
        );
        assert.equal(plan.generatedDtb, true);
        const dts = decompile(plan.uploads[2].source as Buffer);
        assert.match(dts, /bootargs = "console=ttyS0,115200 quiet";/);
        const { initrd: place } = linuxBootLayout({ start: 0x74000000n, size: 128n << 20n }, 0x12345n);
        assert.match(
            dts,
            new RegExp(
                `linux,initrd-start = <0x00 0x${place!.start.toString(16)}>;\\s+linux,initrd-end = <0x00 0x${place!.end.toString(16)}>;`,
            ),
        );
    });

    test("with a dtb of one's own, cmdline goes to the loader's -c, which replaces its bootargs", () => {
        const plan = planLinuxBoot(linuxCell, { kernel, dtb: ownDtb, cmdline: "console=ttyS0,9600 it's" }, {});
        assert.deepEqual(
            plan.uploads.map((u) => u.source),
            [kernel, ownDtb],
        );
        assert.match(plan.command, / -c 'console=ttyS0,9600 it'\\''s' -d \/var\/lib\/pulumi-jailhouse\/images\/linux\/linux\.dtb$/);
        assert.equal(plan.generatedDtb, false);
    });

    test("no dtb and no system config: says both ways out", () => {
        assert.throws(() => planLinuxBoot(linuxCell, { kernel }, {}), /no dtb and no system config.*hypervisor: hv.*linux\.dtb/);
    });
});

describe("check() of a linux image", () => {
    const check = (port: number, images: unknown[], extra: Record<string, unknown> = {}) =>
        providers.cell.check(
            {},
            {
                connection: connection(port),
                config: lab("linux.yaml"),
                resourceName: `linux-${port}`,
                images,
                systemConfig: lab("system.yaml"),
                ...extra,
            },
        );
    const reasons = (failures: { reason: string }[] | undefined) => (failures ?? []).map((f) => f.reason);

    test("accepts kernel, initrd and cmdline with the system config at hand", async () => {
        assert.deepEqual((await check(21001, [{ linux: { kernel, initrd, cmdline: "quiet" } }])).failures, []);
    });

    test("refuses a missing file, other images beside it, state stopped, and no way to a DTB", async () => {
        assert.deepEqual(reasons((await check(21002, [{ linux: { kernel: path.join(work, "nope") } }])).failures), [
            `images[0].linux.kernel: ${path.join(work, "nope")} does not exist on this machine; give the path of the file to load`,
        ]);
        assert.deepEqual(reasons((await check(21003, [{ linux: { kernel } }, { demo: "timer" }], { state: "stopped" })).failures), [
            "images[0].linux: a Linux cell takes its kernel, initrd and DTB from the linux image alone; remove the other 1 image(s)",
            'state: "stopped" cannot be kept with a linux image, which `jailhouse cell linux` starts as it loads it; use "running"',
        ]);
        assert.deepEqual(reasons((await check(21004, [{ linux: { kernel } }], { systemConfig: undefined })).failures), [
            "images: a linux image without dtb has its DTB generated from the system config; pass the Hypervisor to the Cell (hypervisor: hv) or give linux.dtb",
        ]);
        const notLoadable = { ...(storeCellConfig(linuxCell).config as { memory: { flags: string[] }[] }) };
        notLoadable.memory = notLoadable.memory.map((region, i) => (i === 0 ? { ...region, flags: ["read", "write", "execute"] } : region));
        assert.deepEqual(reasons((await check(21006, [{ linux: { kernel } }], { config: notLoadable })).failures), [
            "config.memory[0] (ram).flags: the kernel is loaded into this region (the cell's lowest RAM), so it needs the loadable flag; add loadable",
        ]);
        assert.deepEqual(
            linuxImageFailures([{ linux: { kernel, cmd: "x" } }], "running", () => true),
            ["images[0].linux.cmd: not known; use kernel, initrd, cmdline, dtb"],
        );
    });

    test("a changed cmdline is an in-place update (the cell reboots), not a replacement", async () => {
        const before = await check(21005, [{ linux: { kernel, initrd, cmdline: "quiet" } }]);
        const afterChange = await check(21005, [{ linux: { kernel, initrd, cmdline: "loglevel=8" } }]);
        const diff = diffCellResource(before.inputs as unknown as CellResourceState, afterChange.inputs as unknown as CellResourceState);
        assert.deepEqual([diff.changes, diff.replaces, diff.reload], [true, [], true]);
        assert.deepEqual(diff.reasons, ["cell linux: images changed (reload)"]);
        const same = await check(21005, [{ linux: { kernel, initrd, cmdline: "quiet" } }]);
        assert.equal(
            diffCellResource(before.inputs as unknown as CellResourceState, same.inputs as unknown as CellResourceState).changes,
            false,
        );
    });
});

test("refresh: a Linux cell that powered itself off is drift, in words", () => {
    const off = { id: 2, name: "linux", state: "shut down", cpusAssigned: "2-3", cpusFailed: "" };
    assert.deepEqual(cellDrift(linuxCell, "running", off, true), [
        "cell linux is shut down: its Linux powered the cell off; pulumi up boots it again",
    ]);
    assert.deepEqual(cellDrift(linuxCell, "running", { ...off, state: "running" }, true), []);
});
