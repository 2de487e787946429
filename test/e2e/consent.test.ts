// SPDX-License-Identifier: MIT
// End to end on a lab host: a cell has a say in its own shutdown (issue 18).
// Before the root stops a running cell, the hypervisor posts SHUTDOWN_REQUEST
// in the cell's comm region and waits for the answer: the timer demo approves
// at its next tick; the probe's acts deny, never answer, or lock the cell,
// which holds off the creation and destruction of every other cell. After a
// cell is created or destroyed, every other running cell is told
// (RECONFIG_COMPLETED) and acknowledges.
//
// Cells: examples/consent/*.yaml (reply timeout 3 s). Build as the cells
// suite: hypervisor and inmates cross-built here (or on the host), module
// and CLI on the host. Host: PJ_HV_HOST, else the first inventory host; the
// suite leaves it disabled, module unloaded, all CPUs online.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { cellSession, compileConfig, sysfs, waitFor } from "../support/cell-session";
import { suiteFolder } from "../support/host-build";
import { pickHost, run, sh } from "../support/lab-shell";
import { cliInTree } from "../../provider/src/resources/remote-layout";

const remote = "/root/pj-consent";
const cli = `${remote}/${cliInTree}`;
const configs = ["consent-timer", "consent-probe", "consent-spare"];
// A cell may deny once, lock, or keep silent until it is failed: destroying
// every cell three times over gets rid of each of them.
const destroyAll = `for pass in 1 2 3; do for c in $(ls ${sysfs}/cells 2>/dev/null); do [ "$c" = 0 ] || ${cli} cell destroy $c 2>/dev/null; done; done`;
const resetHost =
    `${destroyAll}; ` +
    `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then ${cli} disable; fi; ` +
    "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; " +
    "rmmod jailhouse 2>/dev/null; true";

describe("a cell has a say in its own shutdown", { timeout: 20 * 60_000 }, () => {
    let host: LabHost;
    let work: string;
    const figures: string[] = [];
    const { state, cellConsole, relaunch, refused, labTest: consentTest } = cellSession(() => host, remote);
    // Generous: under emulation with busy neighbours one command can take 20 s.
    const patiently = (what: string, cond: () => Promise<boolean>) => waitFor(what, cond, 300_000, 500);
    /** Loads and starts a created cell with an image and its command line, the console on the hypervisor's. */
    const launch = (cell: string, image: string, args: string) => relaunch(cell, image, `con=hvc ${args}`);

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-consent-"));
        await sh(host, resetHost);
        compileConfig("examples/lab/system.yaml", path.join(work, "system.cell"));
        for (const name of configs) compileConfig(`examples/consent/${name}.yaml`, path.join(work, `${name}.cell`));

        await suiteFolder(host, remote, work, ["system.cell", ...configs.map((c) => `${c}.cell`)]);
        const start = [
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin`,
            `insmod ${remote}/kmod/jailhouse.ko`,
            `${cli} enable ${remote}/system.cell`,
            `${cli} cell create ${remote}/consent-timer.cell`,
            `${cli} cell create ${remote}/consent-probe.cell`,
        ].join(" && ");
        await run(host, start);
    });

    after(async () => {
        if (figures.length) console.log(figures.map((f) => `# ${f}`).join("\n"));
        if (!host) return;
        await sh(host, resetHost);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    consentTest("an approving cell shuts down at its next tick", async () => {
        await launch("consent-timer", "timer", "hz=10");
        // The capture keeps the newest lines only: any tick past the first will do.
        await patiently("the timer's second tick", async () =>
            [...(await cellConsole("consent-timer")).matchAll(/tick (\d+) /g)].some((m) => Number(m[1]) >= 2),
        );
        assert.equal(await state("consent-timer"), "running");
        // Another cell comes and goes: the running timer is told each time
        // (RECONFIG_COMPLETED) and must acknowledge within its 3 s reply
        // timeout, or it would be failed. (Its "noted" lines may have left
        // the 8 KiB ring by now; the probe's are counted in the lock test.)
        await run(host, `${cli} cell create ${remote}/consent-spare.cell && ${cli} cell destroy consent-spare`);
        assert.equal(await state("consent-timer"), "running");
        assert.doesNotMatch(await run(host, `cat ${sysfs}/console`), /did not answer the reconfiguration notice/);
        const timed = await run(
            host,
            `t0=$(date +%s%N); ${cli} cell shutdown consent-timer; echo "ms=$(( ($(date +%s%N) - t0) / 1000000 ))"`,
        );
        assert.equal(await state("consent-timer"), "shut down");
        assert.match(await cellConsole("consent-timer"), /timer-demo: shutdown request approved at tick \d+/);
        assert.match(await run(host, `cat ${sysfs}/console`), /Cell "consent-timer" approved the shutdown request/);
        figures.push(`shutdown of the approving timer cell (10 Hz): ${/ms=(\d+)/.exec(timed)?.[1]} ms on the host`);
    });

    consentTest("a denying cell: shutdown fails with EPERM, the cell keeps running", async () => {
        await launch("consent-probe", "probe", "act=deny count=1");
        await patiently("the probe to listen", async () => /denying 1 shutdown/.test(await cellConsole("consent-probe")));
        const denied = await refused("cell shutdown consent-probe");
        assert.equal(denied.exit, 1);
        assert.match(denied.stderr, /Operation not permitted/);
        assert.equal(denied.lastError, 'cell "consent-probe" refused shutdown (running); nothing was changed');
        assert.equal(await state("consent-probe"), "running");
        assert.match(await cellConsole("consent-probe"), /probe: shutdown request denied/);
        // Denied once, the probe approves the next request.
        await run(host, `${cli} cell shutdown consent-probe`);
        assert.equal(await state("consent-probe"), "shut down");
    });

    consentTest("a silent cell is failed after the reply timeout, then destroyable", async () => {
        await launch("consent-probe", "probe", "act=silent");
        await patiently("the probe to fall silent", async () => /never answering/.test(await cellConsole("consent-probe")));
        const started = Date.now();
        const silent = await refused("cell shutdown consent-probe");
        const waited = Date.now() - started;
        assert.equal(silent.exit, 1);
        assert.match(silent.stderr, /Connection timed out/);
        assert.match(silent.lastError, /^cell "consent-probe" did not answer in time .* and is now failed; nothing else was changed/);
        assert.ok(waited >= 3000, `the refusal came after ${waited} ms, before the 3 s reply timeout`);
        assert.equal(await state("consent-probe"), "failed");
        assert.match(
            await run(host, `cat ${sysfs}/console`),
            /Cell "consent-probe" did not answer the shutdown request within 3000 ms: cell stopped, state failed/,
        );
        // Failed, it is not asked again.
        await run(host, `${cli} cell destroy consent-probe && ${cli} cell create ${remote}/consent-probe.cell`);
        assert.equal(await state("consent-probe"), "shut down");
        figures.push(`silent cell: shutdown refused after ${waited} ms (reply timeout 3000 ms, measured from the test machine)`);
    });

    consentTest("a locked cell holds off create and destroy of other cells with EBUSY until it unlocks", async () => {
        await launch("consent-probe", "probe", "act=lock");
        await patiently("the probe to lock", async () => /probe: locked \(state 1\)/.test(await cellConsole("consent-probe")));
        assert.equal(await state("consent-probe"), "running/locked");

        const destroy = await refused("cell destroy consent-timer");
        assert.equal(destroy.exit, 1);
        assert.match(destroy.stderr, /Device or resource busy/);
        assert.equal(
            destroy.lastError,
            'cannot destroy cell "consent-timer": cell "consent-probe" is running/locked; try again when it unlocks',
        );
        const create = await refused(`cell create ${remote}/consent-spare.cell`);
        assert.equal(create.exit, 1);
        assert.match(create.stderr, /Device or resource busy/);
        assert.equal(
            create.lastError,
            'cannot create cell "consent-spare": cell "consent-probe" is running/locked; try again when it unlocks',
        );
        assert.equal(await state("consent-timer"), "shut down");
        assert.equal(await state("consent-spare"), "absent");
        assert.equal((await run(host, "cat /sys/devices/system/cpu/cpu3/online")).trim(), "1", "CPU 3 is back with Linux");

        // Its own shutdown: denied while locked; the cell unlocks a second later.
        const own = await refused("cell shutdown consent-probe");
        assert.equal(own.exit, 1);
        assert.equal(own.lastError, 'cell "consent-probe" refused shutdown (running/locked); nothing was changed');
        await patiently("the probe to unlock", async () => /probe: unlocked/.test(await cellConsole("consent-probe")));
        assert.equal(await state("consent-probe"), "running");

        await run(
            host,
            `${cli} cell create ${remote}/consent-spare.cell && ${cli} cell destroy consent-spare && ${cli} cell destroy consent-timer`,
        );
        assert.equal(await state("consent-timer"), "absent");
        // Unlocked, the probe was told of each of the three changes.
        assert.equal((await cellConsole("consent-probe")).match(/probe: reconfiguration noted/g)?.length, 3);
        await run(host, `${cli} cell destroy consent-probe`);
        assert.equal(await state("consent-probe"), "absent");
        assert.match(await run(host, `cat ${sysfs}/console`), /Cell create refused: cell "consent-probe" is running\/locked/);
    });
});
