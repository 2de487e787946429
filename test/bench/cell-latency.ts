// SPDX-License-Identifier: MIT
// Timer-IRQ latency of the timer demo in a cell (rt-timer, CPU 1) under the
// hypervisor, on a machine booted from the lab image under QEMU
// -icount shift=0,sleep=off, to set against the same demo on the bare machine
// (timer-latency.ts). The stack is built once on a lab host by the Hypervisor
// resource; its artifacts are copied to the icount machine, which is slow
// enough under single-threaded TCG that it should not compile anything. The
// firmware comes from here instead: this tree's and the anchor commit's, so
// the same run measures both (anchor-firmware.ts).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consoleTail, type LabHost, sshArgs } from "../../examples/lab/tooling/lab";
import { bootVariant } from "../support/lab-variant";
import { labHost } from "../support/lab-hosts";
import { testStack } from "../support/stack";
import { hypervisorProgram } from "../e2e/programs";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { type LatencyFigures, parseTimerSummary } from "./timer-latency";
import { buildFirmwares } from "./anchor-firmware";
import { cliInTree } from "../../provider/src/resources/remote-layout";

const src = "/var/lib/pulumi-jailhouse/src";
const artifacts = [
    `${src}/kmod/jailhouse.ko`,
    `${src}/${cliInTree}`,
    `${src}/hypervisor/inmates/demos/timer.bin`,
    "/etc/jailhouse/system.cell",
];

function onHost(host: LabHost, command: string, input?: Buffer, timeout = 600_000): Buffer {
    return execFileSync("ssh", [...sshArgs(host), command], { input, timeout, maxBuffer: 64 << 20 });
}

/** Enables `firmware` on the icount machine, runs the timer demo in rt-timer, and disables it again. */
async function timerInCell(vm: LabHost, firmware: Buffer, ticks: number): Promise<Omit<LatencyFigures, "setting">> {
    const jh = `${src}/${cliInTree}`;
    onHost(vm, "mkdir -p /lib/firmware && cat > /lib/firmware/jailhouse.bin", firmware);
    onHost(
        vm,
        [
            "set -e",
            `${jh} enable /etc/jailhouse/system.cell`,
            `${jh} cell create /root/rt-timer.cell`,
            `${jh} cell load rt-timer ${src}/hypervisor/inmates/demos/timer.bin -a 0 -s "con=hvc ticks=${ticks}" -a 0x1000`,
            `${jh} cell start rt-timer`,
        ].join("\n"),
    );
    const deadline = Date.now() + 600_000;
    let output = "";
    while (!/timer-demo: done/.test(output)) {
        if (Date.now() > deadline) throw new Error(`the timer cell printed no summary:\n${output.slice(-2000)}\n${consoleTail(vm)}`);
        await new Promise((r) => setTimeout(r, 5000));
        output = onHost(vm, "cat /sys/devices/jailhouse/cells/*/console 2>/dev/null; true").toString();
    }
    onHost(vm, `${jh} cell destroy rt-timer && ${jh} disable`);
    return parseTimerSummary(output);
}

/**
 * The timer demo in a cell under this tree's hypervisor and under the
 * anchor commit's, in that order, in one boot of the icount machine.
 */
export async function cellTimerLatency(ticks = 20, hostName = process.env.PJ_BENCH_HOST ?? "h2"): Promise<LatencyFigures[]> {
    const host = labHost(hostName);
    const t = await testStack("bench-cell-latency", hypervisorProgram(host.name));
    let bundle: Buffer;
    try {
        await t.stack.up();
        bundle = onHost(host, `tar -c -P ${artifacts.join(" ")}`);
    } finally {
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-bench-icount-"));
    const firmwares = buildFirmwares(path.join(work, "firmware"));
    const cellConfig = path.join(work, "rt-timer.cell");
    execFileSync(process.execPath, [
        path.join(repoRoot, "dist", "provider", "src", "config", "cli.js"),
        "compile",
        path.join(repoRoot, "examples", "lab", "rt-timer.yaml"),
        "-o",
        cellConfig,
    ]);
    const vm = await bootVariant(
        host,
        {
            name: "icount",
            machine: "virtualization=on",
            cpu: "cortex-a57",
            append: "kvm-arm.mode=none",
            accel: "tcg",
            extraQemuArgs: ["-icount", "shift=0,sleep=off"],
        },
        work,
        1_800_000,
    );
    try {
        onHost(vm, "tar -x -P", bundle);
        onHost(vm, "cat > /root/rt-timer.cell", fs.readFileSync(cellConfig));
        onHost(vm, `insmod ${src}/kmod/jailhouse.ko`);
        const figures: LatencyFigures[] = [];
        // Both firmwares in the same machine, one after the other, under the same driver.
        for (const firmware of [firmwares.current, firmwares.anchor]) {
            figures.push({
                setting: `timer demo in cell rt-timer (CPU 1) under the hypervisor of ${firmware.label}, Linux in the root (-icount shift=0,sleep=off, -smp 4)`,
                ...(await timerInCell(vm, fs.readFileSync(firmware.file), ticks)),
            });
        }
        return figures;
    } finally {
        vm.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}
