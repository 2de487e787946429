// SPDX-License-Identifier: MIT
// Root overhead: one CPU-and-memory workload in the root cell (Linux) of a
// lab host with the hypervisor enabled against disabled, in one run. The
// stack is deployed with the Hypervisor resource (as a user would); the
// runs alternate disabled/enabled so drift in the emulator's speed hits both
// sides alike, and the ratio is of the medians.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { sshArgs, type LabHost } from "../../examples/lab/tooling/lab";
import { labHost } from "../support/lab-hosts";
import { testStack } from "../support/stack";
import { hypervisorProgram } from "../e2e/programs";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { median } from "../support/stats";

// Random read-modify-write over 16 MiB (mostly TLB and cache misses, the
// part stage-2 translation can slow) followed by a pure-CPU loop; prints
// the nanoseconds of each part.
const workload = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static uint64_t now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec;
}
int main(void)
{
	const size_t words = (16u << 20) / sizeof(uint64_t);
	uint64_t *buf = calloc(words, sizeof(uint64_t)), x = 88172645463325252u, sum = 0;
	uint64_t t0 = now();
	for (size_t i = 0; i < 4 * words; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		buf[x % words] += x;
	}
	uint64_t t1 = now();
	for (uint64_t i = 0; i < 60000000u; i++)
		sum = sum * 6364136223846793005u + i;
	uint64_t t2 = now();
	printf("memory_ns=%llu cpu_ns=%llu check=%llu\n", (unsigned long long)(t1 - t0),
	       (unsigned long long)(t2 - t1), (unsigned long long)(sum ^ buf[7]));
	return 0;
}
`;

export interface OverheadFigures {
    host: string;
    runs: number;
    disabledMs: { memory: number; cpu: number };
    enabledMs: { memory: number; cpu: number };
    ratio: { memory: number; cpu: number; total: number };
}

function onHost(host: LabHost, command: string, input?: string): string {
    return execFileSync("ssh", [...sshArgs(host), command], { encoding: "utf8", input, timeout: 600_000 });
}

function runWorkload(host: LabHost): { memory: number; cpu: number } {
    const out = onHost(host, "taskset -c 0 /root/pj-workload");
    const match = /memory_ns=(\d+) cpu_ns=(\d+)/.exec(out);
    if (!match) throw new Error(`the workload printed no figures: ${out}`);
    return { memory: Number(match[1]) / 1e6, cpu: Number(match[2]) / 1e6 };
}

export async function rootOverhead(hostName = process.env.PJ_BENCH_HOST ?? "h2", runs = 5): Promise<OverheadFigures> {
    const host = labHost(hostName);
    onHost(host, "cat > /root/pj-workload.c && gcc -O2 -o /root/pj-workload /root/pj-workload.c", workload);
    const t = await testStack("bench-overhead", hypervisorProgram(host.name));
    try {
        const up = await t.stack.up();
        if (up.outputs.enabled.value !== true) throw new Error(`${host.name}: the hypervisor did not enable`);
        const enabled: Array<{ memory: number; cpu: number }> = [];
        const disabled: Array<{ memory: number; cpu: number }> = [];
        for (let i = 0; i < runs; i++) {
            onHost(host, "jailhouse disable");
            disabled.push(runWorkload(host));
            onHost(host, "jailhouse enable /etc/jailhouse/system.cell");
            enabled.push(runWorkload(host));
        }
        const pick = (list: typeof enabled) => ({ memory: median(list.map((r) => r.memory)), cpu: median(list.map((r) => r.cpu)) });
        const off = pick(disabled);
        const on = pick(enabled);
        const round = (n: number) => Number(n.toFixed(3));
        return {
            host: host.name,
            runs,
            disabledMs: { memory: Math.round(off.memory), cpu: Math.round(off.cpu) },
            enabledMs: { memory: Math.round(on.memory), cpu: Math.round(on.cpu) },
            ratio: {
                memory: round(on.memory / off.memory),
                cpu: round(on.cpu / off.cpu),
                total: round((on.memory + on.cpu) / (off.memory + off.cpu)),
            },
        };
    } finally {
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
    }
}

export function rootOverheadTable(f: OverheadFigures) {
    return {
        columns: ["host", "runs each", "part", "disabled (median ms)", "enabled (median ms)", "enabled / disabled"],
        rows: [
            [f.host, f.runs, "random read-modify-write, 16 MiB", f.disabledMs.memory, f.enabledMs.memory, f.ratio.memory],
            [f.host, f.runs, "CPU loop", f.disabledMs.cpu, f.enabledMs.cpu, f.ratio.cpu],
            [f.host, f.runs, "both", f.disabledMs.memory + f.disabledMs.cpu, f.enabledMs.memory + f.enabledMs.cpu, f.ratio.total],
        ],
        notes: [
            `The workload runs pinned to CPU 0 of the root cell on lab host ${f.host} (QEMU TCG, cortex-a57); runs alternate disabled/enabled. Source: ${path
                .relative(repoRoot, __filename)
                .replace(/^dist\//, "")
                .replace(/\.js$/, ".ts")}.`,
        ],
    };
}
