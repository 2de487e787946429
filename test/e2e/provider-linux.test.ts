// SPDX-License-Identifier: MIT
// A Linux cell under Pulumi on a lab host: a stack with the Hypervisor,
// rt-timer (CPU 1) and the Linux cell (examples/lab/linux.yaml) booting the
// Debian kernel the lab runs with the lab's busybox initramfs, both files on
// this machine. Shown: up converges and the cell reaches its shell prompt on
// its UART; a changed cmdline updates only the Linux cell, which boots again
// with it (/proc/cmdline) while rt-timer keeps its id and keeps ticking;
// `poweroff` in the cell is drift that refresh records and preview reports
// ("shut down"); destroy leaves the host clean.
//
// Host: PJ_PROVIDER_HOST (default h2). The suite unbinds the root's serial
// driver from the 16550 the cell owns, and binds it again at the end.
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildInitramfs, existingImage } from "../../examples/lab/tooling/lab";
import { type CellShell, cellShell, waitFor } from "../support/cell-shell";
import { labHost } from "../support/lab-hosts";
import { consoleTail, run, sh } from "../support/lab-shell";
import { type TestStack, testStack } from "../support/stack";
import { linuxCellProgram } from "./programs";

const host = labHost(process.env.PJ_PROVIDER_HOST ?? "h2");
const sysfs = "/sys/devices/jailhouse";
const pciUart = "0000:00:04.0";
const bootTimeoutMs = 300_000;

// Whatever an earlier suite left: no cells, hypervisor off, module out,
// every CPU online; then the 16550 is left to the cell.
const resetHost =
    `for c in $(ls ${sysfs}/cells 2>/dev/null); do [ "$c" = 0 ] || jailhouse cell destroy $c; done; ` +
    `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then jailhouse disable; fi; ` +
    "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; rmmod jailhouse 2>/dev/null; true";
const unbindUart = `[ ! -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/unbind`;
const bindUart = `[ -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/bind 2>/dev/null; true`;

describe(`a Linux cell under Pulumi on ${host.name}`, { timeout: 60 * 60_000 }, () => {
    let t: TestStack;
    let shell: CellShell;
    let cmdline = "pj.mark=first";
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };

    const cells = async (): Promise<Record<string, { id: number; state: string }>> => {
        const out = await run(host, `for c in ${sysfs}/cells/*; do echo "$(cat $c/name) \${c##*/} $(cat $c/state)"; done`);
        return Object.fromEntries(
            out
                .trim()
                .split("\n")
                .map((line) => /^(\S+) (\d+) (.*)$/.exec(line)!)
                .map(([, name, id, state]) => [name, { id: Number(id), state }]),
        );
    };
    const ticks = async (id: number) => {
        const out = await run(host, `cat ${sysfs}/cells/${id}/console`);
        return Math.max(-1, ...[...out.matchAll(/tick (\d+) /g)].map((m) => Number(m[1])));
    };
    const context = async () =>
        `--- pulumi ---\n${output.slice(-3000)}\n--- hypervisor console ---\n${(await sh(host, `tail -c 2000 ${sysfs}/console`)).stdout}` +
        `\n--- cell UART ---\n${shell?.received().slice(-2000)}\n--- ${host.name} serial ---\n${consoleTail(host)}`;
    const step = (name: string, fn: () => Promise<void>) =>
        test(name, async () => {
            try {
                await fn();
            } catch (error) {
                throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await context()}`, { cause: error });
            }
        });

    before(async () => {
        const files = { kernel: path.join(existingImage().dir, "vmlinuz"), initrd: buildInitramfs() };
        await run(host, `${resetHost}; ${unbindUart}`);
        shell = await cellShell(host);
        t = await testStack(
            "provider-linux",
            linuxCellProgram(host.name, files, () => cmdline),
        );
    });
    after(async () => {
        await t?.stack.destroy().catch(() => undefined);
        await t?.dispose();
        shell?.close();
        await sh(host, `${resetHost}; ${bindUart}`);
    });

    step("up converges: rt-timer ticks, the Linux cell reaches its shell prompt with the given cmdline", async () => {
        const mark = shell.mark();
        const result = await t.stack.up(collect);
        assert.equal(result.summary.result, "succeeded");
        assert.equal(result.outputs.linuxState.value, "running");
        await shell.waitForPrompt(mark, bootTimeoutMs);
        assert.match(shell.received().slice(mark), /Booting Linux on physical CPU/);
        assert.match(await shell.type("cat /proc/cmdline"), /^console=ttyS0,115200 pj\.mark=first\s*$/);
        const live = await cells();
        assert.equal(live["rt-timer"].state, "running");
        assert.equal(live.linux.state, "running");
    });

    step("a changed cmdline boots the Linux cell again with it; rt-timer is untouched", async () => {
        const timerId = (await cells())["rt-timer"].id;
        cmdline = "pj.mark=second";
        output = "";
        const preview = await t.stack.preview(collect);
        assert.deepEqual(preview.changeSummary, { same: 3, update: 1 }, output);
        assert.match(output, /cell linux: images changed/);
        const ticksBefore = await ticks(timerId);
        const mark = shell.mark();
        const result = await t.stack.up(collect);
        assert.deepEqual(result.summary.resourceChanges, { same: 3, update: 1 });
        await shell.waitForPrompt(mark, bootTimeoutMs);
        assert.match(shell.received().slice(mark), /Booting Linux on physical CPU/);
        assert.match(await shell.type("cat /proc/cmdline"), /^console=ttyS0,115200 pj\.mark=second\s*$/);
        const live = await cells();
        assert.equal(live["rt-timer"].id, timerId, "rt-timer was recreated");
        assert.equal(live["rt-timer"].state, "running");
        await waitFor("rt-timer to tick on", async () => (await ticks(timerId)) > ticksBefore, 30_000);
    });

    step("poweroff in the cell: refresh records it, preview reports the cell shut down", async () => {
        shell.send("poweroff\r");
        await waitFor("the cell to be shut down", async () => (await cells()).linux.state === "shut down", 120_000);
        output = "";
        const refresh = await t.stack.refresh(collect);
        assert.equal(refresh.summary.resourceChanges?.update, 1, output);
        assert.match(output, /drift: cell linux is shut down: its Linux powered the cell off/);
        output = "";
        const preview = await t.stack.preview(collect);
        assert.equal(preview.changeSummary.update, 1, output);
        assert.match(output, /cell linux: shut down -> running/);
        assert.equal((await cells())["rt-timer"].state, "running");
    });

    step("destroy leaves the host clean: module unloaded, every CPU online", async () => {
        const result = await t.stack.destroy(collect);
        assert.equal(result.summary.result, "succeeded");
        assert.equal((await run(host, "[ -d /sys/module/jailhouse ] && echo loaded || echo unloaded")).trim(), "unloaded");
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
    });
});
