// SPDX-License-Identifier: MIT
// Linux in a cell, two figures each against an anchor measured in the same
// run:
// - boot to the shell prompt of the lab's Debian kernel and busybox
//   initramfs in the Linux cell (examples/lab/linux.yaml: 2 CPUs, 128 MiB,
//   the PCI 16550) on a lab host, from `jailhouse cell linux` to the prompt
//   on the cell's UART, against the same kernel and initramfs booting on a
//   bare emulated machine (QEMU TCG virt, cortex-a57, 2 CPUs, 128 MiB, the
//   same PCI 16550 as its console), from QEMU's start to the prompt; each
//   boot PJ_BENCH_LINUX_BOOTS times (default 3), alternated, and the median
//   taken;
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
import { median, medianRange } from "../support/stats";
import { dedicateCore } from "./vcpu-pinning";
import { testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const remote = "/root/pj-bench-linux";
const sysfs = "/sys/devices/jailhouse";
const demos = "/var/lib/pulumi-jailhouse/src/hypervisor/inmates/demos";
const pciUart = "0000:00:04.0";
/** rt-timer's CPU (examples/lab/rt-timer.yaml). */
const rtTimerCpu = 1;
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
    /** One per boot, alternated with the cell's. */
    bareBootS: number[];
    /** From `jailhouse cell linux` (create, unpack and load the kernel in the root, start) to the prompt. */
    cellBootS: number[];
    /** From the return of `jailhouse cell linux`, the cell just started, to the prompt. */
    cellStartS: number[];
    alone: LatencyStats;
    withLinux: LatencyStats;
    /** The same with rt-timer's vCPU on a host core of its own (vcpu-pinning.ts), the Linux cell busy; undefined on one core. */
    dedicated?: { alone: LatencyStats; withLinux: LatencyStats };
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
    const boots = Math.max(1, Number(process.env.PJ_BENCH_LINUX_BOOTS || 3));

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
        const onOwnCore = async () => {
            const undo = await dedicateCore(host, rtTimerCpu);
            if (!undo) return undefined;
            try {
                return stats((await collect(await poll(), () => true)).latencies);
            } finally {
                undo();
            }
        };
        const dedicatedAlone = await onOwnCore();

        // Boots alternated with the bare machine's. The last one keeps the
        // cell: rt-timer's figure runs from its `cell linux` through the boot
        // and then 30 s or more of a busy loop on both the cell's CPUs.
        const bareBootS: number[] = [];
        const cellBootS: number[] = [];
        const cellStartS: number[] = [];
        let withRun: { latencies: number[]; elapsed: number } | undefined;
        for (let boot = 1; boot <= boots; boot++) {
            const last = boot === boots;
            bareBootS.push(await bareBoot(kernel, initrd));
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
                const prompted = await shell.promptArrival(mark, bootTimeoutMs);
                if (last) {
                    shell.send("for i in 1 2; do (while :; do :; done) & done\r");
                    busySince = Date.now();
                }
                cellBootS.push((prompted - started) / 1000);
                cellStartS.push((prompted - loaded) / 1000);
            })();
            if (last) {
                let failure: unknown;
                booted.catch((error: unknown) => (failure = error ?? new Error("the Linux cell did not boot")));
                withRun = await collect(startTick, () => {
                    if (failure) throw failure;
                    return Date.now() - busySince > 30_000;
                });
            }
            await booted;
            if (!last) await run(host, "jailhouse cell destroy linux");
        }
        if (!withRun) throw new Error("no boot ran");
        const withLinux = stats(withRun.latencies);
        // The busy loop goes on: the same again with rt-timer's vCPU on its own core.
        const dedicatedWithLinux = dedicatedAlone && (await onOwnCore());
        const dedicated = dedicatedAlone && dedicatedWithLinux ? { alone: dedicatedAlone, withLinux: dedicatedWithLinux } : undefined;
        notes.push(
            `rt-timer alone: ${alone.ticks} of ${aloneRun.elapsed} ticks read; with Linux: ${withLinux.ticks} of ${withRun.elapsed} ticks from \`cell linux\` to 30 s or more of busy loop read ` +
                `(the root reads the cell's 8 KiB console ring over SSH every ${consolePollMs / 1000} s; lines overwritten before a read are not counted).`,
        );
        await run(host, "jailhouse cell destroy linux; jailhouse cell destroy rt-timer");
        return { host: host.name, bareBootS, cellBootS, cellStartS, alone, withLinux, dedicated, notes };
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
/** The change of `value` against `anchor` in whole percent. */
const change = (value: number, anchor: number) => (anchor ? ((value / anchor - 1) * 100).toFixed(0) : "0");

export function linuxCellTable(f: LinuxCellFigures) {
    const maxChange = change(f.withLinux.maxNs, f.alone.maxNs);
    return {
        columns: ["figure", "anchor (same run)", "measured", "ratio", "goal"],
        rows: [
            [
                `boot to prompt, Linux cell on ${f.host}, from the cell's start (s)`,
                `bare QEMU, 2 CPUs, 128 MiB, from QEMU's start: ${medianRange(f.bareBootS, 2)}`,
                medianRange(f.cellStartS, 2),
                ratio(median(f.cellStartS), median(f.bareBootS)),
                "<= 1.2x",
            ],
            [
                `the same from \`jailhouse cell linux\` (the root unpacks and loads the kernel first) (s)`,
                `bare QEMU: ${medianRange(f.bareBootS, 2)}`,
                medianRange(f.cellBootS, 2),
                ratio(median(f.cellBootS), median(f.bareBootS)),
                "report",
            ],
            [
                `rt-timer max latency (ns), the host's 2 cores shared by all 4 vCPUs`,
                `alone: ${f.alone.maxNs}`,
                `Linux booting + busy: ${f.withLinux.maxNs}`,
                ratio(f.withLinux.maxNs, f.alone.maxNs),
                f.dedicated ? `report (${maxChange}%)` : `change < 10% (${maxChange}%)`,
            ],
            [
                `rt-timer p99 latency (ns), the host's 2 cores shared by all 4 vCPUs`,
                `alone: ${f.alone.p99Ns}`,
                `Linux booting + busy: ${f.withLinux.p99Ns}`,
                ratio(f.withLinux.p99Ns, f.alone.p99Ns),
                "report",
            ],
            ...(f.dedicated
                ? [
                      [
                          `rt-timer max latency (ns), its vCPU on a host core of its own`,
                          `alone: ${f.dedicated.alone.maxNs}`,
                          `Linux busy: ${f.dedicated.withLinux.maxNs}`,
                          ratio(f.dedicated.withLinux.maxNs, f.dedicated.alone.maxNs),
                          `change < 10% (${change(f.dedicated.withLinux.maxNs, f.dedicated.alone.maxNs)}%)`,
                      ],
                      [
                          `rt-timer p99 latency (ns), its vCPU on a host core of its own`,
                          `alone: ${f.dedicated.alone.p99Ns}`,
                          `Linux busy: ${f.dedicated.withLinux.p99Ns}`,
                          ratio(f.dedicated.withLinux.p99Ns, f.dedicated.alone.p99Ns),
                          "report",
                      ],
                  ]
                : []),
        ] as Array<Array<string | number>>,
        notes: [
            ...f.notes,
            `Boot times are the median (min-max) of ${f.bareBootS.length} boots of each, alternated: bare machine, then the cell (created by \`cell linux\`, destroyed after all but the last), the prompt taken as its bytes arrive.`,
            "Lab hosts run under plain TCG (4 vCPUs on the shared cores), the bare machine in its own QEMU (2 vCPUs): wall-clock figures of emulated machines, read with the load average at the start.",
            ...(f.dedicated
                ? [
                      "\"A host core of its own\": rt-timer's vCPU thread and QEMU's own threads (timers, devices) pinned to host core 0, the other vCPUs to the other core(s) (test/bench/vcpu-pinning.ts), a model of hardware where each CPU is its own; 600 ticks alone, then 600 with the Linux cell's busy loop running, after the shared-core figures.",
                  ]
                : []),
        ],
    };
}
