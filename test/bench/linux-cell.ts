// SPDX-License-Identifier: MIT
// Linux in a cell, two figures each against an anchor measured in the same
// run:
// - boot to the shell prompt of the lab's Debian kernel and busybox
//   initramfs in the Linux cell (examples/lab/linux.yaml: 2 CPUs, 128 MiB,
//   the PCI 16550) on a lab host, from `jailhouse cell linux` to the prompt
//   on the cell's UART, against the same kernel and initramfs booting on a
//   bare emulated machine (QEMU TCG virt, cortex-a57, 2 CPUs, 128 MiB, the
//   same PCI 16550 as its console), from QEMU's start to the prompt;
// - rt-timer's timer-IRQ latency (max and p99) over 600 ticks at 10 Hz while
//   the Linux cell boots and then spins a busy loop on both its CPUs,
//   against rt-timer alone before it.
// The lab hosts run under plain TCG (no -icount), so latencies are wall
// time of an emulated machine sharing the cores with other work: the ratio
// is the figure, read with the load average the run reports.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildInitramfs, existingImage } from "../../examples/lab/tooling/lab";
import { hypervisorProgram } from "../e2e/programs";
import { cellShell, waitFor } from "../support/cell-shell";
import { terminalText } from "../../examples/lab/tooling/terminal-text";
import { labHost } from "../support/lab-hosts";
import { run, sh } from "../support/lab-shell";
import { testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const remote = "/root/pj-bench-linux";
const sysfs = "/sys/devices/jailhouse";
const demos = "/var/lib/pulumi-jailhouse/src/hypervisor/inmates/demos";
const pciUart = "0000:00:04.0";
const prompt = /linux-cell# $/;
const bootTimeoutMs = 600_000;
/*
 * Every read of rt-timer's console is an SSH exec that keeps the root's CPU
 * busy under TCG, on the same host cores as the booting cell. At 10 ticks a
 * second of about 30 bytes the cell's 8 KiB ring holds some 25 s, so a read
 * every few seconds loses nothing and leaves the cores to the cells.
 */
const consolePollMs = 4_000;

export interface LinuxCellFigures {
    host: string;
    bareBootS: number;
    /** From `jailhouse cell linux` (create, unpack and load the kernel in the root, start) to the prompt. */
    cellBootS: number;
    /** From the return of `jailhouse cell linux`, the cell just started, to the prompt. */
    cellStartS: number;
    alone: LatencyStats;
    withLinux: LatencyStats;
    notes: string[];
}

export interface LatencyStats {
    ticks: number;
    maxNs: number;
    p99Ns: number;
}

function stats(latencies: number[]): LatencyStats {
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
        ticks: sorted.length,
        maxNs: sorted[sorted.length - 1] ?? 0,
        p99Ns: sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
    };
}

/** Boots `kernel` and `initrd` on a bare QEMU machine like a lab host's, 2 CPUs and 128 MiB; seconds to the prompt. */
export function bareBoot(kernel: string, initrd: string): Promise<number> {
    const started = Date.now();
    const qemu = spawn(
        "qemu-system-aarch64",
        [
            ...["-M", "virt,gic-version=3,its=off", "-cpu", "cortex-a57", "-smp", "2", "-m", "128M", "-accel", "tcg,thread=multi"],
            ...["-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0,115200"],
            ...["-chardev", "stdio,id=uart", "-device", "pci-serial,chardev=uart,addr=0x4", "-serial", "none"],
            ...["-monitor", "none", "-display", "none", "-nodefaults"],
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
    );
    return new Promise((resolve, reject) => {
        let raw = "";
        let output = "";
        const timer = setTimeout(
            () => finish(new Error(`bare boot: no prompt after ${bootTimeoutMs / 1000} s:\n${output.slice(-2000)}`)),
            bootTimeoutMs,
        );
        const finish = (error?: Error) => {
            clearTimeout(timer);
            qemu.kill("SIGKILL");
            if (error) reject(error);
            else resolve((Date.now() - started) / 1000);
        };
        qemu.stdout.on("data", (data: Buffer) => {
            raw += data.toString("latin1");
            output = terminalText(raw);
            if (prompt.test(output)) finish();
        });
        qemu.stderr.on("data", (data: Buffer) => (raw += data.toString()));
        qemu.on("error", (error) => finish(error));
        qemu.on("exit", (code) => finish(new Error(`bare boot: QEMU exited (${code}) before the prompt:\n${output.slice(-2000)}`)));
    });
}

export async function linuxCellBench(hostName = process.env.PJ_BENCH_HOST ?? "h2"): Promise<LinuxCellFigures> {
    const host = labHost(hostName);
    const kernel = path.join(existingImage().dir, "vmlinuz");
    const initrd = buildInitramfs();
    const notes: string[] = [];

    const bareBootS = await bareBoot(kernel, initrd);

    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-bench-linux-"));
    const cli = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
    const lab = (name: string) => path.join(repoRoot, "examples", "lab", name);
    const node = (args: string[]) =>
        new Promise<void>((resolve, reject) =>
            spawn(process.execPath, [cli, ...args], { stdio: "inherit" }).on("exit", (code) =>
                code ? reject(new Error(`jailhouse-config ${args[0]}: ${code}`)) : resolve(),
            ),
        );
    await node(["compile", lab("rt-timer.yaml"), "-o", path.join(work, "rt-timer.cell")]);
    await node(["compile", lab("linux.yaml"), "-o", path.join(work, "linux.cell")]);
    await node(["dtb", lab("system.yaml"), lab("linux.yaml"), "-o", path.join(work, "linux.dtb")]);
    fs.copyFileSync(initrd, path.join(work, "initramfs.cpio.gz"));

    // The Hypervisor resource builds (or finds built) and enables the stack;
    // the cells are made by hand on the enabled host and gone before destroy.
    const t = await testStack("bench-linux-cell", hypervisorProgram(host.name));
    const shell = await cellShell(host);
    try {
        await t.stack.up();
        await run(host, `rm -rf ${remote} && mkdir -p ${remote}`);
        for (const file of fs.readdirSync(work)) await sh(host, `cat > ${remote}/${file}`, fs.readFileSync(path.join(work, file)));
        await run(host, `[ ! -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/unbind`);
        await run(
            host,
            `jailhouse cell create ${remote}/rt-timer.cell && jailhouse cell load rt-timer ${demos}/timer.bin -a 0 -s "con=hvc hz=10" -a 0x1000 && jailhouse cell start rt-timer`,
        );
        const timerId = (await run(host, `grep -l '^rt-timer$' ${sysfs}/cells/*/name`)).trim().split("/").slice(-2)[0];
        const seen = new Map<number, number>();
        const poll = async () => {
            const out = await run(host, `cat ${sysfs}/cells/${timerId}/console`);
            for (const m of out.matchAll(/tick (\d+) latency (\d+) ns/g)) seen.set(Number(m[1]), Number(m[2]));
            return seen.size ? Math.max(...seen.keys()) : 0;
        };
        const collect = async (fromTick: number, until: () => boolean) => {
            for (;;) {
                const latest = await poll();
                if (until() && latest >= fromTick + 600)
                    return {
                        latencies: [...seen].filter(([tick]) => tick > fromTick && tick <= latest).map(([, ns]) => ns),
                        elapsed: latest - fromTick,
                    };
                await new Promise((r) => setTimeout(r, consolePollMs));
            }
        };

        // rt-timer alone; ticks from its first second on (its start-up is not steady state).
        await waitFor("rt-timer's first ticks", async () => (await poll()) >= 10, 120_000);
        const aloneRun = await collect(await poll(), () => true);
        const alone = stats(aloneRun.latencies);

        // The same, from the Linux cell's start: boot, then a busy loop on both its CPUs for 30 s or more.
        const startTick = await poll();
        const mark = shell.mark();
        const started = Date.now();
        let busySince = Infinity;
        const booted = (async () => {
            await run(
                host,
                `jailhouse cell linux ${remote}/linux.cell /boot/vmlinuz-$(uname -r) -i ${remote}/initramfs.cpio.gz -d ${remote}/linux.dtb`,
            );
            const loaded = Date.now();
            await shell.waitForPrompt(mark, bootTimeoutMs);
            const prompted = Date.now();
            shell.send("for i in 1 2; do (while :; do :; done) & done\r");
            busySince = Date.now();
            return { cellBootS: (prompted - started) / 1000, cellStartS: (prompted - loaded) / 1000 };
        })();
        let failure: unknown;
        booted.catch((error: unknown) => (failure = error ?? new Error("the Linux cell did not boot")));
        const withRun = await collect(startTick, () => {
            if (failure) throw failure;
            return Date.now() - busySince > 30_000;
        });
        const { cellBootS, cellStartS } = await booted;
        const withLinux = stats(withRun.latencies);
        notes.push(
            `rt-timer alone: ${alone.ticks} of ${aloneRun.elapsed} ticks read; with Linux: ${withLinux.ticks} of ${withRun.elapsed} ticks from \`cell linux\` to 30 s or more of busy loop read ` +
                `(the root reads the cell's 8 KiB console ring over SSH every ${consolePollMs / 1000} s; lines overwritten before a read are not counted).`,
        );
        await run(host, "jailhouse cell destroy linux; jailhouse cell destroy rt-timer");
        return { host: host.name, bareBootS, cellBootS, cellStartS, alone, withLinux, notes };
    } finally {
        shell.close();
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
        await sh(
            host,
            `rm -rf ${remote}; [ -e /sys/bus/pci/devices/${pciUart}/driver ] || echo ${pciUart} > /sys/bus/pci/drivers/serial/bind 2>/dev/null; true`,
        );
        fs.rmSync(work, { recursive: true, force: true });
    }
}

const ratio = (value: number, anchor: number) => (anchor ? `${(value / anchor).toFixed(2)}x` : "n/a");

export function linuxCellTable(f: LinuxCellFigures) {
    const maxChange = f.alone.maxNs ? (f.withLinux.maxNs / f.alone.maxNs - 1) * 100 : 0;
    return {
        columns: ["figure", "anchor (same run)", "measured", "ratio", "goal"],
        rows: [
            [
                `boot to prompt, Linux cell on ${f.host}, from the cell's start (s)`,
                `bare QEMU, 2 CPUs, 128 MiB, from QEMU's start: ${f.bareBootS.toFixed(1)}`,
                f.cellStartS.toFixed(1),
                ratio(f.cellStartS, f.bareBootS),
                "<= 1.2x",
            ],
            [
                `the same from \`jailhouse cell linux\` (the root unpacks and loads the kernel first) (s)`,
                `bare QEMU: ${f.bareBootS.toFixed(1)}`,
                f.cellBootS.toFixed(1),
                ratio(f.cellBootS, f.bareBootS),
                "report",
            ],
            [
                `rt-timer max latency (ns)`,
                `alone: ${f.alone.maxNs}`,
                `Linux booting + busy: ${f.withLinux.maxNs}`,
                ratio(f.withLinux.maxNs, f.alone.maxNs),
                `change < 10% (${maxChange.toFixed(0)}%)`,
            ],
            [
                `rt-timer p99 latency (ns)`,
                `alone: ${f.alone.p99Ns}`,
                `Linux booting + busy: ${f.withLinux.p99Ns}`,
                ratio(f.withLinux.p99Ns, f.alone.p99Ns),
                "report",
            ],
        ] as Array<Array<string | number>>,
        notes: [
            ...f.notes,
            "Lab hosts run under plain TCG (4 vCPUs on the shared cores), the bare machine in its own QEMU (2 vCPUs): wall-clock figures of emulated machines, read with the load average at the start.",
        ],
    };
}
