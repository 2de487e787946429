// SPDX-License-Identifier: MIT
// Timer-IRQ latency of the timer demo on the bare emulated machine (no
// hypervisor), under QEMU -icount shift=0,sleep=off: one instruction is one
// virtual nanosecond, so the figure is deterministic and counts the
// instructions on the interrupt path.
import { buildInmates, runBare } from "../support/bare-qemu";

export interface LatencyFigures {
    setting: string;
    ticks: number;
    minNs: number;
    maxNs: number;
    meanNs: number;
}

export function parseTimerSummary(output: string): Omit<LatencyFigures, "setting"> {
    const match = /timer-demo: done ticks=(\d+) min_ns=(\d+) max_ns=(\d+) mean_ns=(\d+)/.exec(output);
    if (!match) throw new Error(`the timer demo printed no summary; its output was:\n${output.slice(-2000)}`);
    return { ticks: Number(match[1]), minNs: Number(match[2]), maxNs: Number(match[3]), meanNs: Number(match[4]) };
}

export async function bareTimerLatency(ticks = 20): Promise<LatencyFigures> {
    buildInmates();
    const output = await runBare("timer", `ticks=${ticks}`, /timer-demo: done .*\n/);
    return { setting: "bare emulated machine, no hypervisor (-icount shift=0,sleep=off, -smp 1)", ...parseTimerSummary(output) };
}

/** The mean latency of `measured` over the anchor's, to two decimals ("n/a" when the anchor's mean is 0). */
export function latencyRatio(measured: LatencyFigures, anchor: LatencyFigures): string {
    return anchor.meanNs > 0 ? (measured.meanNs / anchor.meanNs).toFixed(2) : "n/a";
}
