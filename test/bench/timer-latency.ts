// SPDX-License-Identifier: MIT
// Timer-IRQ latency of the timer demo on the bare emulated machine (no
// hypervisor), under QEMU -icount shift=0,sleep=off: one instruction is one
// virtual nanosecond, so the figure is deterministic and counts the
// instructions on the interrupt path.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../workbench";

export interface LatencyFigures {
    setting: string;
    ticks: number;
    minNs: number;
    maxNs: number;
    meanNs: number;
}

const inmates = path.join(repoRoot, "hypervisor", "inmates");

export function parseTimerSummary(output: string): Omit<LatencyFigures, "setting"> {
    const match = /timer-demo: done ticks=(\d+) min_ns=(\d+) max_ns=(\d+) mean_ns=(\d+)/.exec(output);
    if (!match) throw new Error(`the timer demo printed no summary; its output was:\n${output.slice(-2000)}`);
    return { ticks: Number(match[1]), minNs: Number(match[2]), maxNs: Number(match[3]), meanNs: Number(match[4]) };
}

export function bareTimerLatency(ticks = 20): LatencyFigures {
    execFileSync("make", ["-s", "-C", inmates], { stdio: "inherit" });
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pj-bench-timer-"));
    const cmdline = path.join(scratch, "cmdline");
    fs.writeFileSync(cmdline, `ticks=${ticks}\0`);
    let output = "";
    try {
        // QEMU keeps running after the demo halts; the timeout ends it.
        execFileSync(
            "timeout",
            ["30", "qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a57", "-smp", "1", "-m", "256M",
                "-display", "none", "-serial", `file:${path.join(scratch, "serial.log")}`,
                "-kernel", path.join(inmates, "bare", "timer.elf"),
                "-device", `loader,file=${cmdline},addr=0x48000000`,
                "-icount", "shift=0,sleep=off"],
            { stdio: "ignore" },
        );
    } catch {
        // exit 124 from timeout is the normal end
    }
    output = fs.readFileSync(path.join(scratch, "serial.log"), "utf8");
    fs.rmSync(scratch, { recursive: true, force: true });
    return { setting: "bare emulated machine, no hypervisor (-icount shift=0,sleep=off, -smp 1)", ...parseTimerSummary(output) };
}
