// SPDX-License-Identifier: MIT
// `npm run bench`: measures and reports figures; it passes or fails nothing.
// Results go to test/bench/results/latest.json and latest.md, with the
// machine they ran on.
//
//   node dist/test/bench/run.js                      every bench
//   node dist/test/bench/run.js fleet-scale ...      only the named ones (timer-latency, fleet-scale, side-by-side,
//                                                    root-overhead, converge, fleet-speed, linux-cell);
//                                                    the other sections of latest.json are kept as they were
//   node dist/test/bench/run.js record h1            record a lab host's live state for the simulated hosts
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { benchRecording, recordLiveState } from "../support/sim-hosts";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { sideBySide, sideBySideTable } from "./ansible";
import { fleetScale, fleetScaleTable, realLabEnabled, realLabFleetScale } from "./fleet-scale";
import { fleetSpeed } from "./fleet-speed";
import { cellTimerLatency } from "./cell-latency";
import { convergeTable, convergeTime } from "./converge";
import { linuxCellBench, linuxCellTable } from "./linux-cell";
import { rootOverhead, rootOverheadTable } from "./root-overhead";
import { bareTimerLatency, type LatencyFigures, latencyRatio } from "./timer-latency";
import { anchorCommit } from "./anchor-firmware";

interface Section {
    /** Which bench wrote it, so running one bench replaces only its own section. */
    id?: string;
    title: string;
    /** When this section's figures were measured. */
    ran?: string;
    columns: string[];
    rows: Array<Array<string | number>>;
    notes: string[];
}

/** The kind of machine this workplace names (its env README), when it is there to read. */
function machineKind(): string | undefined {
    try {
        const text = fs.readFileSync(path.join(repoRoot, "..", ".library", "env", "README.md"), "utf8");
        return /Now: `([^`]+)`/.exec(text)?.[1];
    } catch {
        return undefined;
    }
}

function machine() {
    return {
        kind: machineKind() ?? "unknown",
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        node: process.version,
        // The lab's emulators may share the machine with the benches; the load says how busy it was.
        loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
        date: new Date().toISOString(),
    };
}

function markdown(sections: Section[], host: ReturnType<typeof machine>): string {
    const lines = [
        "# Benchmark results",
        "",
        `Machine: ${host.cpus} x ${host.cpuModel}, ${host.memoryGiB} GiB, Linux ${host.kernel}, Node ${host.node} (workplace kind ${host.kind}, load average ${host.loadAverage1m} at the start); run ${host.date}.`,
    ];
    for (const s of sections) {
        lines.push("", `## ${s.title}`, "");
        if (s.ran) lines.push(`Measured ${s.ran}.`, "");
        lines.push(`| ${s.columns.join(" | ")} |`, `|${s.columns.map(() => "---").join("|")}|`);
        for (const row of s.rows) lines.push(`| ${row.join(" | ")} |`);
        if (s.notes.length) lines.push("", ...s.notes);
    }
    return lines.join("\n") + "\n";
}

const timerTitle = "Timer-IRQ latency (timer demo, QEMU -icount)";
const benches = ["timer-latency", "fleet-scale", "side-by-side", "root-overhead", "converge", "fleet-speed", "linux-cell"] as const;
type Bench = (typeof benches)[number];

const timerRow = (f: LatencyFigures) => [f.setting, f.ticks, f.minNs, f.maxNs, f.meanNs];

async function timerSection(): Promise<Section> {
    const bare = await bareTimerLatency();
    const [current, anchor] = await cellTimerLatency();
    return {
        id: "timer-latency",
        title: timerTitle,
        columns: ["setting", "ticks", "min ns", "max ns", "mean ns", `mean / ${anchorCommit}'s`],
        rows: [
            [...timerRow(bare), "-"],
            [...timerRow(current), latencyRatio(current, anchor)],
            [...timerRow(anchor), "1.00"],
        ],
        notes: [
            "Under -icount shift=0 one instruction is one virtual ns; the counter resolves 16 ns (62.5 MHz).",
            `The anchor is the hypervisor at ${anchorCommit}, before the isolation work, built here with the same compiler and run in the same boot of the same machine, under the same driver and cell; the ratio is of the mean (goal: within 1.10).`,
        ],
    };
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    if (args[0] === "record") {
        if (!args[1]) throw new Error("record: name the lab host, e.g. node dist/test/bench/run.js record h2");
        const recording = recordLiveState(args[1]);
        console.log(`${recording.file}\n${recording.header.join("\n")}`);
        return;
    }
    const unknown = args.filter((a) => !(benches as readonly string[]).includes(a));
    if (unknown.length)
        throw new Error(`unknown bench ${unknown.join(", ")}; give any of ${benches.join(", ")}, or none for all (or: record <lab host>)`);
    const chosen = new Set<Bench>(args.length ? (args as Bench[]) : benches);
    const host = machine();
    const out = path.join(repoRoot, "test", "bench", "results");
    fs.mkdirSync(out, { recursive: true });

    // One recording for the whole run, so the fleet-scale and side-by-side figures serve the same live state.
    const recorded = chosen.has("fleet-scale") || chosen.has("side-by-side") ? benchRecording() : undefined;
    const fresh: Section[] = [];
    // A section says when its measurement started.
    const since = () => new Date().toISOString();
    if (chosen.has("timer-latency")) {
        const ran = since();
        fresh.push({ ...(await timerSection()), ran });
    }
    if (chosen.has("fleet-scale")) {
        const ran = since();
        const result = await fleetScale(undefined, undefined, recorded);
        const rows = [...result.rows];
        const real = realLabEnabled() ? await realLabFleetScale() : [];
        const title = real.length
            ? "Fleet scale: pulumi preview --refresh, SIMULATED hosts and real lab hosts"
            : "Fleet scale: pulumi preview --refresh, SIMULATED hosts";
        rows.push(...real);
        fresh.push({ id: "fleet-scale", title, ran, ...fleetScaleTable(rows), notes: result.notes });
    }
    if (chosen.has("side-by-side")) {
        const ran = since();
        const result = await sideBySide(undefined, undefined, recorded);
        fresh.push({
            id: "side-by-side",
            title: "Side by side: the same state check by Ansible and by our host layer",
            ran,
            ...sideBySideTable(result.rows),
            notes: result.notes,
        });
    }

    if (chosen.has("root-overhead")) {
        const ran = since();
        const figures = await rootOverhead();
        fresh.push({
            id: "root-overhead",
            title: "Root overhead: a workload in Linux with the hypervisor enabled against disabled",
            ran,
            ...rootOverheadTable(figures),
        });
    }
    if (chosen.has("converge")) {
        const ran = since();
        const figures = await convergeTime();
        fresh.push({ id: "converge", title: "Converge time: pulumi up of the default example", ran, ...convergeTable(figures) });
    }

    if (chosen.has("fleet-speed")) {
        const ran = since();
        const jsonFile = path.join(out, "latest.json");
        const before = fs.existsSync(jsonFile)
            ? ((JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { sections?: Section[] }).sections ?? []).find(
                  (s) => s.id === "fleet-speed",
              )
            : undefined;
        const result = await fleetSpeed(before ? { rows: before.rows, ran: before.ran } : undefined);
        fresh.push({
            id: "fleet-speed",
            title: "Fleet speed: each figure as a ratio to its anchor in the same run, next to its goal",
            ran,
            columns: result.columns,
            rows: result.table,
            notes: result.notes,
        });
    }

    if (chosen.has("linux-cell")) {
        const ran = since();
        fresh.push({
            id: "linux-cell",
            title: "Linux in a cell: boot to prompt against a bare machine; rt-timer latency next to it against alone",
            ran,
            ...linuxCellTable(await linuxCellBench()),
        });
    }

    // Sections of benches not run now stay as the last run left them (each says when it was measured).
    let sections: Section[] = fresh;
    const jsonFile = path.join(out, "latest.json");
    if (fs.existsSync(jsonFile)) {
        const previous = (JSON.parse(fs.readFileSync(jsonFile, "utf8")) as { sections?: Section[] }).sections ?? [];
        const idOf = (s: Section) => s.id ?? (s.title === timerTitle ? "timer-latency" : s.title);
        const kept = previous.filter((s) => !fresh.some((f) => f.id === idOf(s)));
        const order = (s: Section) => {
            const index = (benches as readonly string[]).indexOf(idOf(s));
            return index < 0 ? benches.length : index;
        };
        sections = [...kept, ...fresh].sort((a, b) => order(a) - order(b));
    }
    fs.writeFileSync(jsonFile, JSON.stringify({ machine: host, sections }, null, 2) + "\n");
    fs.writeFileSync(path.join(out, "latest.md"), markdown(sections, host));
    process.stdout.write(markdown(sections, host));
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
