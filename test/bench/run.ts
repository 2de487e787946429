// SPDX-License-Identifier: MIT
// `npm run bench`: measures and reports figures; it passes or fails nothing.
// Results go to test/bench/results/latest.json and latest.md, with the
// machine they ran on.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../workbench";
import { bareTimerLatency } from "./timer-latency";

interface Section {
    title: string;
    columns: string[];
    rows: Array<Array<string | number>>;
    notes: string[];
}

function machine() {
    return {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        node: process.version,
        date: new Date().toISOString(),
    };
}

function markdown(sections: Section[], host: ReturnType<typeof machine>): string {
    const lines = [
        "# Benchmark results",
        "",
        `Machine: ${host.cpus} x ${host.cpuModel}, ${host.memoryGiB} GiB, Linux ${host.kernel}, Node ${host.node}; run ${host.date}.`,
    ];
    for (const s of sections) {
        lines.push("", `## ${s.title}`, "", `| ${s.columns.join(" | ")} |`, `|${s.columns.map(() => "---").join("|")}|`);
        for (const row of s.rows) lines.push(`| ${row.join(" | ")} |`);
        if (s.notes.length) lines.push("", ...s.notes);
    }
    return lines.join("\n") + "\n";
}

async function main(): Promise<void> {
    const sections: Section[] = [];
    const bare = await bareTimerLatency();
    sections.push({
        title: "Timer-IRQ latency (timer demo, QEMU -icount)",
        columns: ["setting", "ticks", "min ns", "max ns", "mean ns"],
        rows: [[bare.setting, bare.ticks, bare.minNs, bare.maxNs, bare.meanNs]],
        notes: ["Under -icount shift=0 one instruction is one virtual ns; the counter resolves 16 ns (62.5 MHz)."],
    });
    const host = machine();
    const out = path.join(repoRoot, "test", "bench", "results");
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "latest.json"), JSON.stringify({ machine: host, sections }, null, 2) + "\n");
    fs.writeFileSync(path.join(out, "latest.md"), markdown(sections, host));
    process.stdout.write(markdown(sections, host));
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
