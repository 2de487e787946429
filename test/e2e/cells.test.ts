// SPDX-License-Identifier: MIT
// End to end on a lab host: non-root cells. Two cells run at once (the
// timer demo on CPU 1, the UART demo on CPU 2) while Linux keeps CPUs 0 and
// 3; every act of the isolation probe is blocked and reported; a cell that
// owns the lab's PCI UART gets that UART's interrupts, which no other cell
// can take; a two-CPU cell starts its second CPU with PSCI CPU_ON; 50
// create/load/start/destroy cycles leave nothing behind.
//
// The cells print through the debug-console hypercall (con=hvc); the
// hypervisor writes each line as "[<cell>] text" into its console, and
// /sys/devices/jailhouse/cells/<id>/console shows a cell's own lines.
//
// Build: jailhouse.bin and the inmates are cross-built here (or on the host
// when there is no aarch64 cross compiler), the cell configs are compiled
// here from examples/lab/*.yaml, the module and the CLI on the host.
// Host: the first inventory host (PJ_HV_HOST to choose another). The suite
// leaves it disabled, module unloaded, all CPUs online.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { resetHostScript, suiteFolder } from "../support/host-build";
import { cellSession, compileConfig, newest, sysfs, waitFor } from "../support/cell-session";
import { connectUart, pickHost, run, sh } from "../support/lab-shell";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const remote = "/root/pj-cells";
// uart-hello's RAM (examples/lab/uart-hello.yaml), the probe's write target.
const uartHelloRam = 0x70100000;
// The lab's PCI 16550 that uart-echo takes (examples/lab/uart-echo.yaml).
const pciUart = "0000:00:04.0";
const pciUartIntid = 35;
// Leaves the host as the suite found it, whatever a run left behind: no
// cells, hypervisor disabled, every CPU online, module unloaded.
// The PCI UART goes back to Linux only once no cell can own it.
const resetHost =
    resetHostScript() +
    `; [ -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/bind 2>/dev/null; true`;

describe("cells on a lab host", { timeout: 30 * 60_000 }, () => {
    let host: LabHost;
    let work: string;
    let dmesgMark = 0;
    let poolAfterEnable = 0;
    const figures: string[] = [];
    const {
        cli,
        cells,
        cell,
        cellConsole,
        hvConsole,
        launchCommand: launch,
        relaunch,
        probeRun,
        labTest: cellTest,
    } = cellSession(() => host, remote);
    /** Restarts rt-timer with the isolation probe (load stops the cell first). */
    const startProbe = (args: string) => relaunch("rt-timer", "probe", `con=hvc ${args}`);
    /** Linux's timer interrupts so far on CPUs 0 and 3 (only online CPUs have a column). */
    const timerTicks = async (): Promise<number[]> => {
        const [header, line] = (await run(host, "head -1 /proc/interrupts; grep arch_timer /proc/interrupts")).trim().split("\n");
        const columns = header.trim().split(/\s+/);
        const counts = line.trim().split(/\s+/).slice(1);
        return ["CPU0", "CPU3"].map((cpu) => Number(counts[columns.indexOf(cpu)]));
    };

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-cells-"));
        await sh(host, resetHost);

        for (const name of ["system", "rt-timer", "uart-hello", "uart-echo"])
            compileConfig(`examples/lab/${name}.yaml`, path.join(work, `${name}.cell`));
        // rt-timer with CPUs 1 and 3, from the review example.
        compileConfig("examples/review/rt-timer-2cpu.yaml", path.join(work, "rt-timer-2cpu.cell"));

        const built = await suiteFolder(host, remote, work, [
            "system.cell",
            "rt-timer.cell",
            "uart-hello.cell",
            "uart-echo.cell",
            "rt-timer-2cpu.cell",
        ]);
        console.error(`# ${host.name}: module + CLI ${built.reused ? "found" : "built"} on the host in ${built.seconds} s`);
        await run(
            host,
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin && insmod ${remote}/kmod/jailhouse.ko`,
        );
        dmesgMark = (await run(host, "dmesg")).split("\n").length - 1;
        await run(host, `${cli} enable ${remote}/system.cell`);
        poolAfterEnable = Number((await run(host, `cat ${sysfs}/mem_pool_used`)).trim());
    });

    after(async () => {
        if (figures.length) console.log(figures.map((f) => `# ${f}`).join("\n"));
        if (!host) return;
        await sh(host, resetHost);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    cellTest("two cells run at once and print, Linux keeps CPUs 0 and 3", async () => {
        // Create to first output, measured on the host.
        const timed = await run(
            host,
            "t0=$(date +%s%N); " +
                launch("rt-timer", "timer", "con=hvc hz=10") +
                " && for i in $(seq 2000); do " +
                `id=$(for d in ${sysfs}/cells/*; do [ "$(cat $d/name)" = rt-timer ] && basename $d; done); ` +
                `grep -q timer-demo ${sysfs}/cells/$id/console && break; sleep 0.005; done; ` +
                'echo "latency_ms=$(( ($(date +%s%N) - t0) / 1000000 ))"',
        );
        const latency = Number(/latency_ms=(\d+)/.exec(timed)?.[1]);
        await run(host, launch("uart-hello", "uart-hello", "con=hvc period-ms=500"));

        const list = await cells();
        const timer = list.find((c) => c.name === "rt-timer");
        const hello = list.find((c) => c.name === "uart-hello");
        assert.equal(timer?.state, "running");
        assert.equal(timer?.cpus_assigned, "1");
        assert.equal(hello?.state, "running");
        assert.equal(hello?.cpus_assigned, "2");
        assert.equal(list.find((c) => c.id === 0)?.cpus_assigned, "0,3");
        assert.match(await run(host, `${cli} cell list`), /rt-timer\s+running\s+1/);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");

        const ticksBefore = await timerTicks();
        // The capture keeps what is still in the hypervisor's ring: compare
        // the newest counter, earlier lines may have scrolled out.
        await waitFor("the timer demo's 20th tick", async () => newest(await cellConsole("rt-timer"), /tick (\d+) /g) >= 20, 60_000);
        await waitFor(
            "uart-hello's third line",
            async () => newest(await cellConsole("uart-hello"), /hello (\d+) from a cell/g) >= 3,
            30_000,
        );
        const ticksAfter = await timerTicks();
        // Linux's own timer keeps ticking on its CPUs.
        assert.ok(
            ticksAfter[0] > ticksBefore[0] && ticksAfter[1] > ticksBefore[1],
            `CPU 0 and 3 timer interrupts ${ticksBefore} -> ${ticksAfter}`,
        );
        assert.equal((await sh(host, "true")).code, 0);

        const timerOut = await cellConsole("rt-timer");
        const last = [...timerOut.matchAll(/min (\d+), max (\d+)/g)].pop();
        assert.ok(last, timerOut);
        assert.ok(!/\[rt-timer\]/.test(timerOut), "the per-cell capture carries no prefix");
        assert.match(await hvConsole(), /\[uart-hello\] uart-hello: hello \d+ from a cell/);
        figures.push(`create -> first output of rt-timer: ${latency} ms (create + load + start + first print)`);
        figures.push(`timer jitter after 20+ ticks at 10 Hz: min ${last[1]} ns, max ${last[2]} ns`);

        const stats = await run(host, `${cli} cell stats rt-timer`);
        const hypercalls = Number(/vmexits_hypercall\s+(\d+)/.exec(stats)?.[1]);
        const virq = Number(/vmexits_virt_irq\s+(\d+)/.exec(stats)?.[1]);
        // Every printed character is a hypercall, every tick a timer interrupt.
        assert.ok(hypercalls > 100, stats);
        assert.ok(virq >= 20, stats);
    });

    describe("isolation: each probe act is blocked, the root and uart-hello keep running", () => {
        const acts: { act: string; args: string; report: RegExp; failed: boolean }[] = [
            {
                act: "read-root-ram",
                args: "addr=0x40000000",
                report: /Cell "rt-timer" CPU 1: stage-2 read fault at IPA 0x40000000/,
                failed: true,
            },
            {
                act: "write-cell-ram",
                args: `addr=0x${uartHelloRam.toString(16)}`,
                report: /Cell "rt-timer" CPU 1: stage-2 write fault at IPA 0x70100000/,
                failed: true,
            },
            {
                act: "enable-irq",
                args: "irq=1",
                report: /Cell "rt-timer" CPU 1: GICD write .* touches IRQs it does not own/,
                failed: false,
            },
            {
                act: "route-irq",
                args: "irq=1 cpu=0",
                report: /Cell "rt-timer" CPU 1: access to the routing of IRQ 33 refused/,
                failed: true,
            },
            {
                act: "cpu-on",
                args: "cpu=0",
                report: /Cell "rt-timer" CPU 1: PSCI CPU_ON of MPIDR 0x0 outside the cell refused/,
                failed: true,
            },
            { act: "root-hypercall", args: "", report: /Cell "rt-timer" CPU 1: hypercall 1 refused/, failed: true },
        ];
        let helloImage: Buffer;

        before(() => {
            const demos = path.join(repoRoot, "hypervisor", "inmates", "demos");
            helloImage = fs.readFileSync(path.join(demos, "uart-hello.bin"));
        });

        for (const a of acts) {
            cellTest(a.act, async () => {
                const helloLines = async () => newest(await cellConsole("uart-hello"), /hello (\d+) from a cell/g);
                const helloBefore = await helloLines();
                await startProbe(`act=${a.act} ${a.args}`);
                await waitFor(`the report of ${a.act}`, async () => a.report.test(await hvConsole()), 30_000);
                if (a.failed) {
                    await waitFor("the probe cell to be failed", async () => (await cell("rt-timer")).state === "failed", 10_000);
                    assert.equal((await cell("rt-timer")).cpus_failed, "1");
                } else {
                    // The capture also holds earlier runs: look after this act's start.
                    const verdict = new RegExp(`probe: act=${a.act}[^\\n]*\\n(?:(?!probe: act=)[\\s\\S])*probe: done`);
                    await waitFor("the probe's verdict", async () => verdict.test(await cellConsole("rt-timer")), 10_000);
                    const out = await cellConsole("rt-timer");
                    assert.match(out, new RegExp(`probe: act=${a.act}[^\\n]*\\n(?:(?!probe: act=)[\\s\\S])*probe: blocked`));
                }
                assert.doesNotMatch(await cellConsole("rt-timer"), /NOT BLOCKED|FOREIGN CPU STARTED/);
                // The others carry on.
                assert.equal((await cell("uart-hello")).state, "running");
                await waitFor("uart-hello to print on", async () => (await helloLines()) > helloBefore, 10_000);
                assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,3");
            });
        }

        cellTest("uart-hello's memory is unchanged after the write attempt", async () => {
            // Shutdown lends the loadable RAM back to the root: read it there.
            await run(host, `${cli} cell shutdown uart-hello`);
            assert.equal((await cell("uart-hello")).state, "shut down");
            // Words through /dev/mem (mmap: read() refuses non-RAM).
            const words = await run(host, `for o in $(seq 0 4 60); do ${remote}/hvpoke $((0x${uartHelloRam.toString(16)} + o)) read; done`);
            const values = [...words.matchAll(/read (0x[0-9a-f]+)/g)].map((m) => Number(m[1]));
            assert.equal(values.length, 16, words);
            const bytes = Buffer.alloc(64);
            values.forEach((v, i) => bytes.writeUInt32LE(v, i * 4));
            assert.deepEqual(bytes, helloImage.subarray(0, 64), "the image's first 64 bytes");
            assert.notEqual(values[0], 0x0badce11, "the probe's value is not there");
        });
    });

    cellTest("the PCI UART's interrupt reaches the cell that owns it, and no one else", async () => {
        const uart = await connectUart(host);
        const waitForUart = (pattern: RegExp) => waitFor(`${pattern} on the PCI UART`, async () => pattern.test(uart.received()), 30_000);
        const echoLines = async () => [...(await cellConsole("uart-echo")).matchAll(/line "([^"]*)" via IRQ (\d+) \((\d+) interrupts/g)];
        try {
            await run(host, `${cli} cell destroy uart-hello && echo ${pciUart} > /sys/bus/pci/drivers/serial/unbind`);
            await run(host, launch("uart-echo", "uart-echo", "con=hvc"));
            await waitForUart(/uart-echo ready\r\n/);
            assert.match(await cellConsole("uart-echo"), new RegExp(`16550 at 0x3eff1000, IRQ ${pciUartIntid}, ready`));
            // The demo reads the UART only in its interrupt handler.
            uart.send("ping\r");
            await waitForUart(/echo: PING\r\n/);
            uart.send("hello cell\r");
            await waitForUart(/echo: HELLO CELL\r\n/);
            const lines = await echoLines();
            assert.deepEqual(
                lines.map((m) => [m[1], Number(m[2])]),
                [
                    ["ping", pciUartIntid],
                    ["hello cell", pciUartIntid],
                ],
            );
            const interrupts = Number(lines[1][3]);
            assert.ok(interrupts >= 2, `${interrupts} UART interrupts`);
            const stats = await run(host, `${cli} cell stats uart-echo`);
            assert.ok(Number(/vmexits_virt_irq\s+(\d+)/.exec(stats)?.[1]) >= interrupts, stats);

            // No other cell can take it: it may neither enable nor route it.
            await startProbe(`act=enable-irq irq=${pciUartIntid - 32}`);
            const thisRun = `probe: act=enable-irq irq=${pciUartIntid - 32}[^\\n]*\\n(?:(?!probe: act=)[\\s\\S])*`;
            await waitFor(
                "the probe's verdict",
                async () => new RegExp(`${thisRun}probe: done`).test(await cellConsole("rt-timer")),
                10_000,
            );
            assert.match(await cellConsole("rt-timer"), new RegExp(`${thisRun}probe: blocked`));
            await startProbe(`act=route-irq irq=${pciUartIntid - 32} cpu=1`);
            await waitFor(
                "the routing refusal",
                async () =>
                    new RegExp(`Cell "rt-timer" CPU 1: access to the routing of IRQ ${pciUartIntid} refused`).test(await hvConsole()),
                30_000,
            );
            await waitFor("the probe cell to be failed", async () => (await cell("rt-timer")).state === "failed", 10_000);
            uart.send("still mine\r");
            await waitForUart(/echo: STILL MINE\r\n/);
            assert.equal((await cell("uart-echo")).state, "running");

            // Destroy gives the UART and its interrupt back to Linux.
            await run(host, `${cli} cell destroy uart-echo && echo ${pciUart} > /sys/bus/pci/drivers/serial/bind`);
            const rootUse = await run(
                host,
                "exec 3<>/dev/ttyS0 && printf 'root has the UART again\\n' >&3 && sleep 1 && grep -w ttyS0 /proc/interrupts; exec 3>&-",
            );
            await waitForUart(/root has the UART again/);
            const counts = (/^\s*\d+:((?:\s+\d+)+)\s+GICv3/.exec(rootUse)?.[1] ?? "").trim().split(/\s+/).map(Number);
            assert.ok(
                counts.some((n) => n > 0),
                `Linux got no ttyS0 interrupt: ${rootUse}`,
            );
        } finally {
            uart.close();
        }
    });

    cellTest("a two-CPU cell starts its second CPU with PSCI CPU_ON, and sees its own PSCI and comm region", async () => {
        await run(host, `${cli} cell destroy rt-timer && ${cli} cell create ${remote}/rt-timer-2cpu.cell`);
        await startProbe("act=psci-info");
        assert.match(await probeRun("rt-timer", "psci-info"), /PSCI 1\.0, CPU_ON features 0, SYSTEM_RESET features 0/);
        // The comm region, read by the cell at Jailhouse's offsets: running (0), the lab's GIC.
        await startProbe("act=comm-region");
        assert.match(
            await probeRun("rt-timer", "comm-region"),
            /comm region JHCOMM revision 2, cell state 0, GICv3 distributor 0x8000000 redistributor 0x80a0000/,
        );
        await startProbe("act=start-sibling cpu=3");
        assert.match(
            await probeRun("rt-timer", "start-sibling cpu=3"),
            /sibling CPU running, MPIDR 0x3\r?\n[^]*CPU_ON of the cell's MPIDR 0x3 returned 0\r?\n[^]*sibling started and off again/,
        );
        const twoCpus = await cell("rt-timer");
        assert.equal(twoCpus.cpus_assigned, "1,3");
        assert.equal(twoCpus.cpus_failed, "");
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,2");
    });

    cellTest("50 create/load/start/destroy cycles leave nothing behind", async () => {
        await run(host, `${cli} cell destroy rt-timer`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        const cycle = `${launch("rt-timer", "timer", "con=hvc hz=10")} && ${cli} cell destroy rt-timer`;
        // One warm-up cycle. The first cells split the root's block mappings
        // around their RAM and the PCI UART's page; those page tables stay
        // (one or two per split).
        await run(host, cycle);
        const baseline = Number((await run(host, `cat ${sysfs}/mem_pool_used`)).trim());
        assert.ok(baseline - poolAfterEnable <= 4, `the cells so far kept ${baseline - poolAfterEnable} pages`);

        const started = Date.now();
        const out = await run(
            host,
            `for i in $(seq 50); do ${cycle} || { echo "cycle $i failed"; exit 1; }; done; echo cycles-done`,
            900_000,
        );
        assert.match(out, /cycles-done/);
        figures.push(`50 cycles in ${Math.round((Date.now() - started) / 1000)} s`);
        const poolAfter = Number((await run(host, `cat ${sysfs}/mem_pool_used`)).trim());
        figures.push(
            `mem_pool_used (pages): ${poolAfterEnable} after enable, ${baseline} baseline after one warm-up cycle, ${poolAfter} after 50 cycles`,
        );
        assert.equal(poolAfter, baseline);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        assert.deepEqual(
            (await cells()).map((c) => c.id),
            [0],
        );
        const dmesg = (await run(host, "dmesg")).split("\n").slice(dmesgMark).join("\n");
        assert.doesNotMatch(dmesg, /WARNING|BUG|Oops|Call trace|stall/i);
    });

    cellTest("disable afterwards leaves the host clean", async () => {
        await run(host, `${cli} disable && rmmod jailhouse`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        assert.equal((await sh(host, `test -e ${sysfs}`)).code, 1);
    });
});
