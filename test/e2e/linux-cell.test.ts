// SPDX-License-Identifier: MIT
// End to end on a lab host: the host's own Debian kernel boots in a
// non-root cell (examples/lab/linux.yaml: CPUs 2-3, 128 MiB, the PCI 16550
// and its SPI) next to rt-timer on CPU 1, with `jailhouse cell linux`, the
// device tree from `jailhouse-config dtb` and the lab's busybox initramfs.
// Its console is the 16550, which the lab exposes on the machine running
// QEMU as a unix socket: the suite types there and reads the answers.
//
// Shown: a shell prompt and a command typed on the socket that runs there;
// 2 CPUs in /proc/cpuinfo and the cell's RAM in `free`; `poweroff` leaves
// the cell "shut down" with the root and rt-timer unaffected; busybox
// devmem from the cell on root RAM and on the hypervisor's memory fails
// (the cell is stopped) and the root stays healthy, where the same
// addresses are readable on the bare machine and devmem works in the cell
// on memory it owns (its comm region); PJ_LINUX_CYCLES (10) rounds of create, boot to the
// prompt and destroy leave every CPU online in the root and the
// hypervisor's page pool at its baseline.
//
// Host: the first inventory host (PJ_HV_HOST to choose another). The suite
// leaves it disabled, module unloaded, all CPUs online, the 16550 given back
// to the root's serial driver.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { buildInitramfs, type LabHost } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { cellSession, compileConfig, newest, sysfs, waitFor as waitUntil } from "../support/cell-session";
import { suiteFolder } from "../support/host-build";
import { pickHost, run, sh } from "../support/lab-shell";
import { median } from "../support/stats";
import { cliInTree } from "../../provider/src/resources/remote-layout";

const remote = "/root/pj-linux";
const cli = `${remote}/${cliInTree}`;
const pciUart = "0000:00:04.0";
// examples/lab/system.yaml and linux.yaml
const hypervisorMemory = 0x7f000000;
const cellRam = { start: 0x74000000, size: 128 * 1024 * 1024 };
const rootRam = 0x40000000;
const commRegion = 0x80000000;
const prompt = /linux-cell# $/;
const cycles = Number(process.env.PJ_LINUX_CYCLES ?? 10);
const bootTimeoutMs = 240_000;

// The suite's CLI may not be there yet (a fresh host): any earlier one will do.
const resetHost =
    `cli=$(ls ${cli} /root/pj-build/*/${cliInTree} /root/pj-*/${cliInTree} 2>/dev/null | head -1); ` +
    `for c in $(ls ${sysfs}/cells 2>/dev/null); do [ "$c" = 0 ] || $cli cell destroy $c; done; ` +
    `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then $cli disable; fi; ` +
    "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; " +
    "rmmod jailhouse 2>/dev/null; " +
    // Linux takes the 16550 back only when no cell can own it any more.
    `[ -e ${sysfs} ] || [ -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/bind 2>/dev/null; true`;

/** The cell's UART socket: what arrived so far, and typing. */
async function connectUart(host: LabHost) {
    assert.ok(
        host.cellUartSocket && fs.existsSync(host.cellUartSocket),
        `${host.name} has no cell UART socket (a lab booted by older code)`,
    );
    const socket = net.createConnection(host.cellUartSocket);
    await once(socket, "connect");
    let raw = "";
    socket.on("data", (data: Buffer) => (raw += data.toString("latin1")));
    // Line editing's terminal queries (also one still arriving, split over
    // reads) and carriage returns are dropped.
    // eslint-disable-next-line no-control-regex -- the escape character starts the sequences being dropped
    const received = () => raw.replace(/\x1b(\[[0-9;?]*[A-Za-z]?)?/g, "").replace(/\r/g, "");
    return { received, send: (text: string) => socket.write(text), close: () => socket.destroy() };
}

describe("Linux in a cell on a lab host", { timeout: 60 * 60_000 }, () => {
    let host: LabHost;
    let work: string;
    let uart: Awaited<ReturnType<typeof connectUart>>;
    let poolBaseline = 0;
    const bare: Record<string, string> = {};
    const figures: string[] = [];

    const {
        cells,
        state,
        cellConsole,
        hvConsole,
        labTest: linuxTest,
    } = cellSession(() => host, remote, { evidence: () => ({ "cell UART tail": uart ? uart.received().slice(-2000) : "" }) });
    /** Polls twice a second: the UART's output arrives on this machine, no round trip needed. */
    const waitFor = (what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000) => waitUntil(what, cond, timeoutMs, 500);
    /** Boots the cell and waits for its prompt; returns the boot time in ms. */
    const boot = async (): Promise<number> => {
        const mark = uart.received().length;
        const started = Date.now();
        await run(
            host,
            `${cli} cell linux ${remote}/linux.cell /boot/vmlinuz-$(uname -r) -i ${remote}/initramfs.cpio.gz -d ${remote}/linux.dtb`,
        );
        await waitFor("the cell's shell prompt", () => prompt.test(uart.received().slice(mark)), bootTimeoutMs);
        return Date.now() - started;
    };
    /**
     * Types a command on the cell's console and returns what it printed up
     * to the next prompt. The command's own echo is cut off.
     */
    const type = async (command: string, timeoutMs = 30_000): Promise<string> => {
        const mark = uart.received().length;
        uart.send(`${command}\r`);
        await waitFor(
            `'${command}' to finish`,
            () =>
                prompt.test(
                    uart
                        .received()
                        .slice(mark)
                        .replace(/^[^\n]*\n/, ""),
                ),
            timeoutMs,
        );
        return uart
            .received()
            .slice(mark)
            .replace(/^[^\n]*\n/, "")
            .replace(prompt, "");
    };
    const rtTimerTicks = async () => newest(await cellConsole("rt-timer"), /tick (\d+) /g);
    const rootHealthy = async () => {
        assert.equal((await sh(host, "true")).code, 0, "root answers over SSH");
        assert.equal(await state("rt-timer"), "running");
        const before = await rtTimerTicks();
        await waitFor("rt-timer to tick on", async () => (await rtTimerTicks()) > before, 30_000);
    };

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-linux-"));
        await sh(host, resetHost);
        for (const name of ["system", "rt-timer", "linux"]) compileConfig(`examples/lab/${name}.yaml`, path.join(work, `${name}.cell`));
        const compiler = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
        execFileSync(
            process.execPath,
            [
                compiler,
                "dtb",
                path.join(repoRoot, "examples/lab/system.yaml"),
                path.join(repoRoot, "examples/lab/linux.yaml"),
                "-o",
                path.join(work, "linux.dtb"),
            ],
            {
                stdio: "pipe",
            },
        );
        fs.copyFileSync(buildInitramfs(), path.join(work, "initramfs.cpio.gz"));

        await suiteFolder(host, remote, work, ["system.cell", "rt-timer.cell", "linux.cell", "linux.dtb", "initramfs.cpio.gz"]);
        await run(
            host,
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin && insmod ${remote}/kmod/jailhouse.ko`,
        );

        // The bare machine: nothing stops these reads yet (neither address
        // is RAM of the root's kernel, mem=768M, so /dev/mem allows them).
        for (const addr of [hypervisorMemory, cellRam.start]) {
            const hex = `0x${addr.toString(16)}`;
            bare[hex] = (await run(host, `${remote}/hvpoke ${hex} read`)).trim();
            assert.match(bare[hex], /^read 0x/, `bare machine read of ${hex}`);
        }
        await run(host, `${cli} enable ${remote}/system.cell`);
        poolBaseline = Number((await run(host, `cat ${sysfs}/mem_pool_used`)).trim());
        await run(
            host,
            `${cli} cell create ${remote}/rt-timer.cell && ${cli} cell load rt-timer ${remote}/timer.bin -a 0 -s "con=hvc hz=1" -a 0x1000 && ${cli} cell start rt-timer`,
        );
        await run(host, `echo ${pciUart} > /sys/bus/pci/drivers/serial/unbind`);
        uart = await connectUart(host);
    });

    after(async () => {
        if (figures.length) console.log(figures.map((f) => `# ${f}`).join("\n"));
        uart?.close();
        if (!host) return;
        await sh(host, resetHost);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    linuxTest("the stock kernel boots to a prompt: 2 CPUs, the cell's RAM, commands typed on its UART run", async () => {
        const ms = await boot();
        figures.push(`cell linux -> shell prompt: ${(ms / 1000).toFixed(1)} s`);
        assert.match(uart.received(), /Booting Linux on physical CPU 0x0*2/);
        assert.match(uart.received(), /SMP: Total of 2 processors activated/);
        assert.equal((await type("echo typed-$((6 * 7))")).trim(), "typed-42");
        assert.equal((await type("grep -c ^processor /proc/cpuinfo")).trim(), "2");
        const free = await type("free");
        const total = Number(/Mem:\s+(\d+)/.exec(free)?.[1]);
        // All of the cell's RAM less the kernel's own image and reservations.
        assert.ok(total > 64 * 1024 && total <= cellRam.size / 1024, `free: ${free}`);
        assert.match(await type("cat /proc/iomem"), /74000000-7bffffff : System RAM/);
        figures.push(`free in the cell: total ${total} kB of ${cellRam.size / 1024} kB`);
        const list = await cells();
        assert.equal(list.find((c) => c.name === "linux")?.cpus_assigned, "2-3");
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0");
        await rootHealthy();
    });

    linuxTest("poweroff in the cell leaves it shut down, the root and rt-timer unaffected", async () => {
        uart.send("poweroff\r");
        await waitFor("the cell to be shut down", async () => (await state("linux")) === "shut down", 120_000);
        assert.match(await hvConsole(), /Cell "linux" CPU \d: PSCI SYSTEM_OFF: cell shut down/);
        assert.match(await run(host, `${cli} cell list`), /linux\s+shut down\s+2-3/);
        await rootHealthy();
    });

    linuxTest("devmem from the cell on root RAM and hypervisor memory fails, the root stays healthy", async () => {
        const attacks = [
            {
                what: "root RAM write",
                command: `devmem 0x${rootRam.toString(16)} 32 0x12345678`,
                report: /stage-2 write fault at IPA 0x40000000/,
            },
            {
                what: "hypervisor memory read",
                command: `devmem 0x${hypervisorMemory.toString(16)} 32`,
                report: /stage-2 read fault at IPA 0x7f000000/,
            },
        ];
        for (const attack of attacks) {
            await boot();
            // devmem itself works here: the cell's comm region, which it
            // owns and its kernel neither uses nor reserves ("JHCO...").
            assert.equal((await type(`devmem 0x${commRegion.toString(16)} 32`)).trim(), "0x4F43484A");
            uart.send(`${attack.command}\r`);
            await waitFor(`the cell to be stopped after the ${attack.what}`, async () => (await state("linux")) === "failed", 60_000);
            const report = (await hvConsole())
                .split("\n")
                .filter((l) => attack.report.test(l))
                .pop();
            assert.ok(
                report && /Cell "linux" CPU \d: .*access outside the cell: cell stopped, state failed/.test(report),
                `${attack.what}: ${report}`,
            );
            figures.push(`${attack.what} from the cell: ${report}`);
            await rootHealthy();
        }
        figures.push(
            `bare machine, same reads: ${Object.entries(bare)
                .map(([a, r]) => `${a} ${r}`)
                .join(", ")}`,
        );
    });

    linuxTest(`${cycles} cycles of create, boot to the prompt, destroy: CPUs back online, page pool at baseline`, async () => {
        const times: number[] = [];
        const pool = async () => Number((await run(host, `cat ${sysfs}/mem_pool_used`)).trim());
        // Measured after the first cycle: the root's stage 2 keeps the
        // tables that splitting its blocks for a cell's memory and
        // redistributors needed once.
        let baseline = 0;
        for (let i = 1; i <= cycles; i++) {
            times.push(await boot());
            assert.equal((await type(`echo cycle-$((${i} + 1000))`)).trim(), `cycle-${i + 1000}`);
            await run(host, `${cli} cell destroy linux`);
            assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0,2-3", `after cycle ${i}`);
            if (i === 1) baseline = await pool();
        }
        assert.equal(await pool(), baseline);
        await run(host, `${cli} cell destroy rt-timer`);
        assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        figures.push(`mem_pool_used: ${poolBaseline} after enable, ${baseline} after the first cycle and after the last`);
        figures.push(
            `${cycles} boots to the prompt: median ${(median(times) / 1000).toFixed(1)} s, max ${(Math.max(...times) / 1000).toFixed(1)} s`,
        );
    });
});
