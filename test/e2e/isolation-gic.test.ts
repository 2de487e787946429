// SPDX-License-Identifier: MIT
// End to end on a lab host: the GIC filter and the hand-over of a CPU from
// one owner to the next (review findings F5, F7-F10, F12). Each act is first
// run on the bare emulated machine, where it works, then in a cell (the probe
// cell gic-probe on CPU 1, test/e2e/fixtures/isolation-gic-probe.yaml, with
// SPI 100 = INTID 132 of its own) or from the root kernel (a test module,
// test/e2e/fixtures/isolation-gic-mod). Under the hypervisor each must be
// blocked, i.e. the cell is failed with the reason on the hypervisor console,
// or the write has no effect, or the call fails; and the root and the
// bystander cell uart-hello (CPU 2) keep running. The suite's root config
// covers the GIC with one device region (F14): the hypervisor must still
// keep the distributor out of the root's reach.
//
// Host: PJ_HV_HOST (else the first inventory host). The suite leaves it
// disabled, module unloaded, all CPUs online.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { runBare } from "../support/bare-qemu";
import { cellSession, compileConfig, newest, waitFor } from "../support/cell-session";
import { resetHostScript, suiteFolder } from "../support/host-build";
import { pickHost, run, sh } from "../support/lab-shell";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const remote = "/root/pj-iso-gic";
const mod = `${remote}/test/e2e/fixtures/isolation-gic-mod/isogic_mod.ko`;
// The probe cell's own SPI, and Linux's PL011 (enabled by Linux).
const ownSpi = 100;
const ownIntid = ownSpi + 32;
const linuxIntid = 33;
// The lab's distributor (examples/lab/system.yaml) and its routing registers.
const gicdBase = 0x08000000;
const GICD_IROUTER = 0x6000;
const resetHost = resetHostScript(["isogic_mod"]);

describe("isolation on a lab host: the GIC and CPU hand-over", { timeout: 40 * 60_000 }, () => {
    let host: LabHost;
    let work: string;
    let dmesgMark = 0;
    // The evidence lines, printed after the suite for the record.
    const figures: string[] = [];
    const {
        cli,
        cells,
        cell,
        cellConsole,
        hvConsole,
        launchCommand,
        relaunch,
        probeRun,
        labTest: isoTest,
    } = cellSession(() => host, remote);
    const newDmesg = async () => (await run(host, "dmesg")).split("\n").slice(dmesgMark).join("\n");
    /** Runs the test module with the given parameters; returns its report lines. */
    const rootAct = async (params: string) => {
        const before = (await run(host, "dmesg")).split("\n").length - 1;
        await run(host, `insmod ${mod} ${params} && rmmod isogic_mod`);
        return (await run(host, "dmesg"))
            .split("\n")
            .slice(before)
            .filter((l) => l.includes("isogic:"))
            .join("\n");
    };
    /** Loads the probe with an act into gic-probe and starts it (load stops the cell first). */
    const startProbe = (args: string) => relaunch("gic-probe", "probe", `con=hvc ${args}`);
    /** The bystander keeps printing and the root keeps its CPUs. */
    const othersRun = async () => {
        const hello = async () => newest(await cellConsole("uart-hello"), /hello (\d+) from a cell/g);
        const before = await hello();
        assert.equal((await cell("uart-hello")).state, "running");
        await waitFor("uart-hello to print on", async () => (await hello()) > before, 15_000);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");
    };
    const recreateProbe = () => run(host, `${cli} cell destroy gic-probe 2>/dev/null; ${cli} cell create ${remote}/gic-probe.cell`);

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-iso-gic-"));
        await sh(host, resetHost);
        // The root config covers the GIC with one device region, as many
        // boards' configs do: the filter must hold all the same.
        const systemYaml = path.join(work, "system.yaml");
        const labSystem = fs.readFileSync(path.join(repoRoot, "examples/lab/system.yaml"), "utf8");
        const flashAndDevices = /^ {4}- \{ name: flash,.*\n(?:.*\n)*? {4}- \{ name: devices,.*\n/m;
        assert.match(labSystem, flashAndDevices);
        fs.writeFileSync(
            systemYaml,
            labSystem.replace(flashAndDevices, "    - { name: low-io, phys: 0x00000000, size: 0x40000000, flags: [read, write, io] }\n"),
        );
        compileConfig(systemYaml, path.join(work, "system.cell"));
        compileConfig("examples/lab/uart-hello.yaml", path.join(work, "uart-hello.cell"));
        compileConfig("test/e2e/fixtures/isolation-gic-probe.yaml", path.join(work, "gic-probe.cell"));
        const built = await suiteFolder(host, remote, work, ["system.cell", "uart-hello.cell", "gic-probe.cell"]);
        console.error(`# ${host.name}: module, test module and CLI ${built.reused ? "found" : "built"} on the host in ${built.seconds} s`);
        await run(
            host,
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin && insmod ${remote}/kmod/jailhouse.ko`,
        );
        dmesgMark = (await run(host, "dmesg")).split("\n").length - 1;
    });

    after(async () => {
        if (figures.length) console.log(figures.map((f) => `# ${f.trim()}`).join("\n"));
        if (!host) return;
        await sh(host, resetHost);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    // Without a hypervisor every act works: that is what makes "blocked" mean something.
    test("bare machine: the GIC and CPU-state acts really do what they say", async () => {
        const acts: [string, RegExp][] = [
            [`act=mask-irq irq=${ownSpi} foreign=1`, /own SPI masked and unpended\nprobe: NOT BLOCKED: foreign SPI enabled and masked/],
            [`act=spi-self irq=${ownSpi}`, new RegExp(`own SPI ${ownIntid} taken on this CPU`)],
            [`act=route-own-irq irq=${ownSpi} cpu=1`, /NOT BLOCKED: own SPI routed to a foreign CPU/],
            [
                "act=misaligned-gicd kind=odd",
                /16-bit read of GICD_IGROUPR1\nprobe: value 0x[0-9a-f]+\nprobe: NOT BLOCKED: odd GICD access returned/,
            ],
            [
                "act=misaligned-gicd kind=unaligned",
                /MMU on; 32-bit read at GICD \+ 0x82\nprobe: value 0x[0-9a-f]+\nprobe: NOT BLOCKED: odd GICD access returned/,
            ],
            ["act=cpu-state", /probe: state VBAR_EL1 0x[0-9a-f]+ TTBR0_EL1[^]*probe: state PMCR_EL0 0x[0-9a-f]+ [^\n]* V0 0x[0-9a-f]+\n/],
            ["act=plant-sgi sgi=2", /SGI 2 sent to this CPU, highest pending 2\n/],
        ];
        for (const [cmdline, expected] of acts) {
            const output = await runBare("probe", cmdline, /probe: done\n/);
            assert.match(output, expected, `${cmdline}:\n${output}`);
        }
    });

    isoTest("set-up: the hypervisor runs uart-hello on CPU 2 and the probe cell on CPU 1", async () => {
        await run(host, `${cli} enable ${remote}/system.cell`);
        await run(host, launchCommand("uart-hello", "uart-hello", "con=hvc period-ms=500"));
        // Linux routed every SPI to its boot CPU; create hands the probe's to CPU 1.
        assert.match(await rootAct(`router=${ownIntid}`), new RegExp(`INTID ${ownIntid} IROUTER 0x[03]\\b`));
        await run(host, `${cli} cell create ${remote}/gic-probe.cell`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");
    });

    isoTest("F14: a root region over the GIC does not map the distributor: the root cannot read a cell's SPI routing", async () => {
        // Mapped, the read would return the routing create wrote (CPU 1, 0x1).
        const mark = (await hvConsole()).slice(-200);
        assert.match(await rootAct(`router=${ownIntid}`), new RegExp(`INTID ${ownIntid} IROUTER 0x0\\b`));
        const irouter = (gicdBase + GICD_IROUTER + ownIntid * 8).toString(16);
        const console = await hvConsole();
        assert.match(console.slice(console.lastIndexOf(mark) + mark.length), new RegExp(`Root cell CPU \\d+: .*IPA 0x${irouter}\\b`));
        await othersRun();
    });

    isoTest("F8: the root disables an SPI through GICD_ICENABLER and enables it again", async () => {
        const report = await rootAct(`mask=${linuxIntid}`);
        assert.match(report, new RegExp(`INTID ${linuxIntid} enabled 1, after ICENABLER 0, after ISENABLER 1`));
        figures.push(`F8 root: ${report}`);
    });

    isoTest("F8: a cell masks and unpends its own SPI; its writes to Linux's SPI have no effect", async () => {
        await startProbe(`act=mask-irq irq=${ownSpi} foreign=${linuxIntid - 32}`);
        const out = await probeRun("gic-probe", "mask-irq");
        assert.match(
            out,
            new RegExp(`own SPI ${ownIntid}: enabled 1, disabled 1, pending 1, unpended 1\\r?\\nprobe: own SPI masked and unpended`),
        );
        assert.match(out, /probe: blocked: foreign SPI enabled and masked/);
        figures.push(
            `F8 cell: ${out
                .replace(/\r/g, "")
                .split("\n")
                .filter((l) => l)
                .join(" | ")}`,
        );
        // Linux's UART interrupt is still enabled.
        assert.match(
            await rootAct(`mask=${linuxIntid}`),
            new RegExp(`INTID ${linuxIntid} enabled 1, after ICENABLER 0, after ISENABLER 1`),
        );
        await othersRun();
    });

    // The root cannot read the routing of an SPI it gave away: the cell reads it.
    isoTest("F7: the cell's SPI was routed to its CPU at create, and reaches the cell, not Linux", async () => {
        await startProbe(`act=spi-self irq=${ownSpi}`);
        const out = await probeRun("gic-probe", "spi-self");
        assert.match(out, new RegExp(`SPI ${ownIntid} routed to 0x1\\r?\\n[^]*own SPI ${ownIntid} taken on this CPU`));
        assert.doesNotMatch(await newDmesg(), /Unexpected interrupt|irq \d+: nobody cared/);
        figures.push(
            `F7 spi-self: ${out
                .replace(/\r/g, "")
                .split("\n")
                .filter((l) => l)
                .join(" | ")}`,
        );
        await othersRun();
    });

    isoTest("F7: the cell cannot route its own SPI to a CPU outside it", async () => {
        await startProbe(`act=route-own-irq irq=${ownSpi} cpu=0`);
        await waitFor(
            "the routing refusal",
            async () => new RegExp(`routing IRQ ${ownIntid} to 0x0, outside the cell, refused`).test(await hvConsole()),
            30_000,
        );
        await waitFor("the probe cell to be failed", async () => (await cell("gic-probe")).state === "failed", 10_000);
        assert.doesNotMatch(await cellConsole("gic-probe"), /NOT BLOCKED/);
        figures.push(`F7 route-own-irq: ${/[^\n]*routing IRQ \d+ to 0x0[^\n]*/.exec(await hvConsole())?.[0]}`);
        await othersRun();
    });

    for (const [kind, access, what] of [
        ["odd", "2 bytes at offset 0x84", "an odd-size (16-bit)"],
        ["unaligned", "4 bytes at offset 0x82", "an unaligned"],
    ]) {
        isoTest(`F5: ${what} GICD access fails the cell before it reaches the device; the root still programs the GIC`, async () => {
            await recreateProbe();
            await startProbe(`act=misaligned-gicd kind=${kind}`);
            await waitFor("the probe cell to be failed", async () => (await cell("gic-probe")).state === "failed", 30_000);
            const refusal = new RegExp(
                `Cell "gic-probe" CPU 1: GICD access of ${access} refused: not a size and alignment the register has: cell stopped, state failed`,
            );
            assert.match(await hvConsole(), refusal);
            figures.push(`F5 ${kind}: ${refusal.exec(await hvConsole())?.[0]}`);
            assert.doesNotMatch(await cellConsole("gic-probe"), /probe: value|NOT BLOCKED/);
            // The distributor lock is free: the root's read-modify-write paths still work.
            assert.match(await rootAct(`mask=${linuxIntid}`), /after ICENABLER 0, after ISENABLER 1/);
            await othersRun();
        });
    }

    isoTest("F9: the cell's CPU comes from Linux, and from the cell's last run, with reset EL1 state", async () => {
        const zero = (out: string) => {
            const values = [...out.matchAll(/(\w+) (0x[0-9a-f]+)/g)].filter((m) => /_EL|V0/.test(m[1]));
            assert.ok(values.length >= 25, out);
            for (const [, name, value] of values) assert.equal(value, "0x0", `${name} is ${value}:\n${out}`);
        };
        // CPU 1 last ran Linux: recreate so the cell takes it straight from Linux.
        await run(host, `${cli} cell destroy gic-probe`);
        await run(host, "taskset -c 1 sh -c 'for i in 1 2 3; do cat /proc/self/stat > /dev/null; done'");
        await run(host, `${cli} cell create ${remote}/gic-probe.cell`);
        await startProbe("act=cpu-state mark=1");
        const fromLinux = await probeRun("gic-probe", "cpu-state mark=1");
        assert.match(fromLinux, /probe: state marked/);
        zero(fromLinux.split("probe: state marked")[0]);
        figures.push(
            `F9 from Linux: ${fromLinux
                .replace(/\r/g, "")
                .split("\n")
                .filter((l) => l)
                .join(" | ")}`,
        );
        await startProbe("act=cpu-state");
        zero(await probeRun("gic-probe", "cpu-state"));
        await othersRun();
    });

    isoTest("F10: an SGI the cell leaves pending (Linux's IPI_CPU_STOP) does not reach Linux with the CPU", async () => {
        const cpuStops = async () => {
            const line = (await run(host, "grep 'IPI2:' /proc/interrupts")).trim().split(/\s+/);
            return line.slice(1, 5).map(Number);
        };
        await startProbe("act=plant-sgi sgi=2");
        assert.match(await probeRun("gic-probe", "plant-sgi sgi=2"), /SGI 2 sent to this CPU, highest pending 2/);
        await run(host, `${cli} cell destroy gic-probe`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-1,3");
        // CPU 1 runs Linux's work again and never took a CPU stop.
        await run(host, "timeout 30 taskset -c 1 sh -c 'for i in 1 2 3; do cat /proc/self/stat > /dev/null; done'", 60_000);
        const stops = await cpuStops();
        figures.push(`F10: ${(await run(host, "grep -E 'CPU0|IPI2:' /proc/interrupts")).replace(/\s+/g, " ")}`);
        assert.ok(
            stops.every((n) => n === 0 || Number.isNaN(n)),
            `CPU stop interrupts: ${stops}`,
        );
        assert.doesNotMatch(await newDmesg(), /stall|BUG|Oops|WARNING/i);
        // Destroy handed the cell's SPI back to a root CPU.
        assert.match(await rootAct(`router=${ownIntid}`), new RegExp(`INTID ${ownIntid} IROUTER 0x[03]\\b`));
        await run(host, `${cli} cell create ${remote}/gic-probe.cell`);
    });

    isoTest("F12: the root's SiP call and SYSTEM_SUSPEND are refused; PSCI and CPU hotplug still work", async () => {
        for (const fn of ["0xc2000001", "0x83000000", "0xc400000e"]) {
            assert.match(await rootAct(`smc=${fn} arg=0x40000000`), new RegExp(`SMC ${fn} returned -1`));
            const line = new RegExp(`Root cell CPU \\d: SMC ${fn} refused, not supported`);
            const hv = await hvConsole();
            assert.match(hv, line);
            figures.push(`F12: ${line.exec(hv)?.[0]}`);
        }
        // PSCI_VERSION still reaches the firmware; SYSTEM_SUSPEND is not offered.
        const version = /SMC 0x84000000 returned (\d+)/.exec(await rootAct("smc=0x84000000"));
        assert.ok(version && Number(version[1]) >= 0x10000, "PSCI version");
        assert.match(await rootAct("smc=0x8400000a arg=0xc400000e"), /returned -1/);
        await run(host, "echo 0 > /sys/devices/system/cpu/cpu3/online && echo 1 > /sys/devices/system/cpu/cpu3/online");
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");
        await othersRun();
    });

    isoTest("afterwards: the hypervisor answers, and destroy and disable leave the host clean", async () => {
        assert.deepEqual((await cells()).map((c) => c.name).sort(), ["gic-probe", "lab-root", "uart-hello"].sort());
        await run(host, `${cli} cell destroy gic-probe && ${cli} cell destroy uart-hello && ${cli} disable && rmmod jailhouse`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        assert.doesNotMatch(await newDmesg(), /stall|BUG|Oops|WARNING|Unexpected interrupt/i);
    });
});
