// SPDX-License-Identifier: MIT
// End to end on a lab host: `jailhouse-config create --ssh <host>` writes the
// host's system config from its live state; it differs from the hand-written
// examples/lab/system.yaml only where the live host does; compiled to .cell
// it enables the hypervisor, and the lab cells rt-timer and uart-hello run
// under it.
//
// Host: the first inventory host (PJ_HV_HOST to choose another). The suite
// leaves it disabled, module unloaded, all CPUs online.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { cellSession, newest, sysfs, waitFor } from "../support/cell-session";
import { resetHostScript, suiteFolder } from "../support/host-build";
import { pickHost, run, sh } from "../support/lab-shell";
import { cliInTree } from "../../provider/src/resources/remote-layout";

const execFileAsync = promisify(execFile);
const configCli = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
const remote = "/root/pj-create";
const cli = `${remote}/${cliInTree}`;
const resetHost = resetHostScript();

/**
 * What the live lab host really differs in from the hand-written config: the
 * example's devices region reaches 0x3fffffff, over QEMU's low PCIe ECAM
 * window (0x3f000000, 16 MiB), which the virt machine leaves unused, and out
 * of its device tree, when the high ECAM at 0x4010000000 is in use.
 */
const expectedDifferences = ["system: root cell region devices: 880 MiB -> 864 MiB"];

async function configCommand(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await execFileAsync(process.execPath, [configCli, ...args], { cwd: repoRoot, timeout: 300_000 });
        return { code: 0, stdout, stderr };
    } catch (error) {
        const failed = error as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
}

describe("create on a lab host", { timeout: 30 * 60_000 }, () => {
    let host: LabHost;
    let work: string;
    let created: string;

    const { cellConsole, launchCommand: launch, labTest } = cellSession(() => host, remote);

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-create-"));
        created = path.join(work, "created.yaml");
        await sh(host, resetHost);
    });

    after(async () => {
        if (host) await sh(host, resetHost);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test("create --ssh writes the host's system config", async () => {
        const result = await configCommand("create", "--ssh", host.name, "--root-name", "lab-root", "-o", created);
        assert.equal(result.code, 0, result.stderr);
        const yaml = fs.readFileSync(created, "utf8");
        assert.match(yaml, new RegExp(`^# System config of ${host.name} `));
        assert.match(yaml, /memory: \{ phys: 0x7f000000, size: 16 MiB \}/);
        const check = await configCommand("check", created, "examples/lab/rt-timer.yaml", "examples/lab/uart-hello.yaml", "--cpus", "4");
        assert.equal(check.code, 0, check.stderr);
    });

    test("diff against examples/lab/system.yaml shows only what the live host differs in", async () => {
        const result = await configCommand("diff", "examples/lab/system.yaml", created);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(result.stdout.trim().split("\n"), expectedDifferences);
    });

    labTest("its .cell enables the hypervisor, and rt-timer and uart-hello run under it", async () => {
        for (const [source, out] of [
            [created, "system.cell"],
            ["examples/lab/rt-timer.yaml", "rt-timer.cell"],
            ["examples/lab/uart-hello.yaml", "uart-hello.cell"],
        ]) {
            const compiled = await configCommand("compile", source, "-o", path.join(work, out));
            assert.equal(compiled.code, 0, compiled.stderr);
        }
        await suiteFolder(host, remote, work, ["system.cell", "rt-timer.cell", "uart-hello.cell"]);
        await run(
            host,
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin && insmod ${remote}/kmod/jailhouse.ko`,
        );

        await run(host, `${cli} enable ${remote}/system.cell`);
        assert.equal((await run(host, `cat ${sysfs}/enabled`)).trim(), "1");
        await run(host, launch("rt-timer", "timer", "con=hvc hz=10"));
        await run(host, launch("uart-hello", "uart-hello", "con=hvc period-ms=500"));
        await waitFor("the timer demo's 10th tick", async () => newest(await cellConsole("rt-timer"), /tick (\d+) /g) >= 10);
        await waitFor("uart-hello's third line", async () => newest(await cellConsole("uart-hello"), /hello (\d+) from a cell/g) >= 3);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");

        await run(host, `${cli} cell destroy rt-timer && ${cli} cell destroy uart-hello && ${cli} disable && rmmod jailhouse`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        assert.equal((await sh(host, `test -e ${sysfs}`)).code, 1);
    });
});
