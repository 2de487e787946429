// SPDX-License-Identifier: MIT
// Fleet scale: `pulumi preview --refresh` of the default program's resources
// (per host a Hypervisor and the two cells of examples/lab/fleet.yaml) at
// N = 1, 2, 4, 8, 16, 32 hosts: wall time, SSH round trips per host and the
// change summary. The lab boots only a few emulated hosts (2 by default, each
// a whole TCG emulator), so the rows beyond them run on SIMULATED hosts
// (test/support/sim-hosts.ts: real sshd on loopback serving a live state
// recorded from a lab host); realLabFleetScale below adds the rows measured
// on the real lab hosts.
import type * as automation from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { type Fleet, fleetProgram, readFleet } from "../../examples/lab/fleet";
import { loadConfigFile } from "../../provider/src/config";
import { closeAll } from "../../provider/src/host";
import { readInventory } from "../../examples/lab/tooling/lab";
import { benchRecording, describeState, type Recording, start as startSimHosts, type SimHost } from "../support/sim-hosts";
import { testStack } from "../support/stack";
import { driftOf } from "./ansible/read-state";
import { cacheDir, repoRoot } from "../../examples/lab/tooling/workbench";
import { medianRange } from "../support/stats";

export const fleetSizes = [1, 2, 4, 8, 16, 32];

export interface FleetScaleRow {
    hosts: number;
    kind: "simulated" | "real lab";
    /** Resources the program declares (3 per host). */
    declared: number;
    /** Resources in the stack's state after the one `up` (fewer when it failed part way). */
    inState: number;
    upSeconds: number;
    /** "succeeded", or how it failed. */
    upOutcome: string;
    /** Wall time of each timed `preview --refresh` at the CLI's default --parallel, in seconds. */
    previewSeconds: number[];
    /** One more preview with --parallel as large as the stack (every resource at once), where that differs from the default. */
    previewAllParallelSeconds?: number;
    /** Commands run per host during one preview (counted by the simulated sshd); undefined where not counted. */
    roundTrips?: { min: number; max: number; mean: number };
    /** The engine's change summary of the preview, e.g. { same: 96 }. */
    changes: Record<string, number>;
}

export interface FleetScaleResult {
    recording: Recording;
    recordingNote: string;
    rows: FleetScaleRow[];
    logDir: string;
    notes: string[];
}

/**
 * What the fleet benches deploy on each host: the default program's demo
 * cells (the Linux cell needs a lab host's 16550 and boots for a minute),
 * on every host whichever hosts the fleet file gives them.
 */
export const demoCells = (fleet: Fleet) =>
    fleet.cells.filter((c) => !c.images.some((i) => "linux" in i)).map(({ hosts: _hosts, ...cell }) => cell);

/** The demo cells the default program declares running, by the names their configs give. */
export function declaredCells(): string[] {
    const file = path.join(repoRoot, "examples", "lab", "fleet.yaml");
    return demoCells(readFleet(file))
        .filter((c) => c.state === "running")
        .map((c) => String((loadConfigFile(path.resolve(path.dirname(file), c.config)).config as { name: string }).name));
}

export const seconds = (ms: number) => Math.round(ms) / 1000;

/** The Pulumi CLI's --parallel when none is given: 4 x the CPUs it sees (since v3.100, pulumi/pulumi#15016). */
export const defaultParallel = () => 4 * os.cpus().length;

/** The default program's fleet file with its hosts replaced and its paths made absolute, so fleetProgram runs unchanged. */
function writeFleetFile(dir: string, hosts: Array<SimHost | { inventory: string }>): string {
    const defaultFleet = path.join(repoRoot, "examples", "lab", "fleet.yaml");
    const fleet = readFleet(defaultFleet);
    const base = path.dirname(defaultFleet);
    const document = {
        systemConfig: path.resolve(base, fleet.systemConfig),
        hosts,
        cells: demoCells(fleet).map((c) => ({
            ...c,
            config: path.resolve(base, c.config),
            images: c.images.map((i) => ("file" in i ? { ...i, file: path.resolve(base, i.file) } : i)),
        })),
    };
    const file = path.join(dir, "fleet.yaml");
    fs.writeFileSync(file, YAML.stringify(document));
    return file;
}

/** The engine's "error:" lines, without the host part, so N hosts failing alike read as one reason. */
function failureReasons(output: string): string[] {
    const reasons = new Set<string>();
    for (const line of output.split("\n")) {
        const match = /error: (.*)$/.exec(line.trim());
        if (!match || /update failed|preview failed|one or more/i.test(match[1])) continue;
        reasons.add(
            match[1]
                .replace(/127\.0\.0\.1:\d+/g, "<host>")
                .replace(/sim-\d+/g, "<host>")
                .slice(0, 220),
        );
    }
    return [...reasons];
}

function countInState(deployment: automation.Deployment): number {
    const resources = (deployment.deployment as { resources?: Array<{ type: string }> }).resources ?? [];
    return resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic")).length;
}

/** What one stack's up and previews measure: a row without the fleet's size, kind and round trips. */
type StackRun = Omit<FleetScaleRow, "hosts" | "kind" | "roundTrips">;

/**
 * One stack: `up` once (timed on its own), then `repeats` timed previews with
 * refresh. `beforePreview` and `afterPreview` let the caller count round trips.
 */
async function measureStack(
    name: string,
    fleetFile: string,
    hostCount: number,
    repeats: number,
    logDir: string,
    hooks: { beforePreview?: () => void; afterPreview?: () => void } = {},
): Promise<StackRun> {
    const t = await testStack(name, async () => fleetProgram(fleetFile));
    try {
        const upLog = path.join(logDir, `${name}-up.log`);
        let upText = "";
        const upStart = performance.now();
        let upOutcome = "succeeded";
        try {
            await t.stack.up({ onOutput: (line) => (upText += line) });
        } catch (error) {
            upText += `\n${(error as Error).message}`;
            const reasons = failureReasons(upText);
            upOutcome = `failed: ${reasons[0] ?? (error as Error).message.split("\n")[0]}`;
        }
        const upSeconds = seconds(performance.now() - upStart);
        fs.writeFileSync(upLog, upText);
        const inState = countInState(await t.stack.exportStack());
        const previewSeconds: number[] = [];
        let changes: Record<string, number> = {};
        for (let i = 0; i < repeats; i++) {
            let text = "";
            hooks.beforePreview?.();
            const begin = performance.now();
            const result = await t.stack.preview({ refresh: true, onOutput: (line) => (text += line) });
            previewSeconds.push(seconds(performance.now() - begin));
            hooks.afterPreview?.();
            fs.writeFileSync(path.join(logDir, `${name}-preview-${i + 1}.log`), text);
            changes = Object.fromEntries(Object.entries(result.changeSummary).filter(([, n]) => (n ?? 0) > 0)) as Record<string, number>;
        }
        // The CLI runs at most 4 x CPUs resource operations at once unless
        // told otherwise; one more preview with room for every resource shows
        // how much of the time is that limit rather than the hosts.
        let previewAllParallelSeconds: number | undefined;
        const everything = 3 * hostCount + 1;
        if (everything > defaultParallel()) {
            let text = "";
            hooks.beforePreview?.();
            const begin = performance.now();
            await t.stack.preview({ refresh: true, parallel: everything, onOutput: (line) => (text += line) });
            previewAllParallelSeconds = seconds(performance.now() - begin);
            hooks.afterPreview?.();
            fs.writeFileSync(path.join(logDir, `${name}-preview-parallel-${everything}.log`), text);
        }
        return { declared: 3 * hostCount, inState, upSeconds, upOutcome, previewSeconds, previewAllParallelSeconds, changes };
    } finally {
        await t.dispose();
    }
}

/** The simulated part: every N of `sizes`, each on its own fleet of simulated hosts and its own stack. */
export async function fleetScale(
    sizes = fleetSizes,
    repeats = Number(process.env.PJ_BENCH_REPEATS || 2),
    recorded: { recording: Recording; note: string } = benchRecording(),
): Promise<FleetScaleResult> {
    const { recording, note } = recorded;
    const logDir = path.join(cacheDir(), "bench", "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-fleet-scale-"));
    const rows: FleetScaleRow[] = [];
    const unsteady: string[] = [];
    try {
        for (const n of sizes) {
            const fleet = await startSimHosts(n, recording.file);
            try {
                const fleetFile = writeFleetFile(work, fleet.hosts);
                const perPreview: number[][] = [];
                process.stderr.write(`fleet-scale: ${n} simulated host(s)...\n`);
                const run = await measureStack(`fleet-sim-${n}`, fleetFile, n, repeats, logDir, {
                    beforePreview: () => fleet.resetCounts(),
                    afterPreview: () => perPreview.push(fleet.hosts.map((h) => fleet.roundTrips(h.name))),
                });
                // Every preview reads the same way; the last one's counts stand for all (the others are checked equal below).
                const counts = perPreview[perPreview.length - 1] ?? [];
                const steady = perPreview.every((p) => p.join() === counts.join());
                rows.push({
                    hosts: n,
                    kind: "simulated",
                    ...run,
                    roundTrips: counts.length
                        ? { min: Math.min(...counts), max: Math.max(...counts), mean: counts.reduce((a, b) => a + b, 0) / counts.length }
                        : undefined,
                });
                if (!steady) unsteady.push(`N=${n}: ${perPreview.map((p) => p.join(",")).join(" / ")}`);
            } finally {
                closeAll();
                await fleet.stop();
            }
        }
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    const notes = [
        `Rows of kind "simulated" are SIMULATED hosts: real OpenSSH sshd on 127.0.0.1 listening on N ports, one sshd per 16 (its limit) (test/support/sim-hosts.ts). Login, host-key check and one exec channel per command are real; the command is not run: the live-state script is answered with a recorded live state, every other command exits 0 at once.`,
        `Recorded live state: ${note}. It holds: ${describeState(recording.state)}.`,
        `Each N: one \`pulumi up\` of the default program's resources (per host a Hypervisor and the cells of examples/lab/fleet.yaml), then ${repeats} timed \`pulumi preview --refresh\` (Automation API, local file backend, the locally built CLI); the preview column is the median, with min-max. The CLI's default --parallel is 4 x CPUs = ${defaultParallel()} resource operations at once on this machine; where the stack has more resources, one more preview runs with --parallel = all resources. Round trips are the commands each simulated host ran during one preview (the same in every preview of a row).`,
        `The change summary is the engine's, so it includes the stack resource itself (same 1).`,
        `Engine and provider logs: ${logDir}.`,
    ];
    const drift = driftOf(recording.state, declaredCells());
    if (drift.length) notes.push(mismatchNote(recording, drift));
    if (unsteady.length)
        notes.push(`Round trips per host differed between the previews of a row (the table shows the last): ${unsteady.join("; ")}.`);
    notes.push(realLabHookNote());
    return { recording, recordingNote: note, rows, logDir, notes };
}

/**
 * Why a preview of a simulated fleet shows changes: the recording is a real
 * host's state, and the simulated host cannot change it, so whatever the
 * recorded host lacked, every simulated host lacks after `up` too.
 */
function mismatchNote(recording: Recording, drift: string[]): string {
    const lead = `The recording does not match the declared state (${drift.join("; ")}): the host it was taken from had not converged (the stack is still being brought up on the lab), and a simulated host never changes its answer, so the preview cannot show "no changes".`;
    const how = !recording.state.jailhouse?.enabled
        ? ' Here `up` creates each Hypervisor (its outputs say enabled=false) and then fails the Cells ("the hypervisor is not enabled"); the preview refreshes the Hypervisors only (one live-state read per host), and plans an update of each Hypervisor (enabled=false) and the creation of each Cell.'
        : " Here `up` succeeds (each Cell's create commands are no-ops on a simulated host), but the live state never lists the cells, so the preview's refresh finds each Cell gone (one live-state read per resource, so 3 per host), drops it and plans to create it again.";
    const converged =
        " On a converged host every resource of a host shares one read (the provider's per-host snapshot); that path is measured by running this bench with a recording of a converged host (PJ_BENCH_RECORDING=<file>).";
    return lead + how + converged;
}

// ------------------------------------------------------------------ HOOK
// REAL LAB HOOK, off by default: the same measurement on the real lab hosts
// (N = 1, 2). It runs `pulumi up` on the lab hosts (it deploys and enables
// the hypervisor), so it runs only when PJ_BENCH_REAL_LAB=1 is set. Round
// trips are not counted on real hosts (their sshd is not instrumented); the
// provider code path is the same as on the simulated hosts.

export const realLabEnabled = () => process.env.PJ_BENCH_REAL_LAB === "1";

function realLabHookNote(): string {
    return realLabEnabled()
        ? "Real lab rows ran because PJ_BENCH_REAL_LAB=1 was set."
        : "Real lab hosts (N = 1, 2): not measured in this run. The hook realLabFleetScale (test/bench/fleet-scale.ts) runs the same measurement against lab hosts h1, h2 with PJ_BENCH_REAL_LAB=1; it deploys to the lab, so it is off by default.";
}

export async function realLabFleetScale(sizes = [1, 2], repeats = Number(process.env.PJ_BENCH_REPEATS || 2)): Promise<FleetScaleRow[]> {
    const inventory = readInventory();
    const logDir = path.join(cacheDir(), "bench", "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-fleet-real-"));
    const rows: FleetScaleRow[] = [];
    try {
        for (const n of sizes) {
            const names = inventory.hosts.slice(0, n).map((h) => h.name);
            if (names.length < n)
                throw new Error(
                    `real lab fleet scale at N=${n}: the lab has ${names.length} host(s); boot them with npm run lab -- up ${n}`,
                );
            const fleetFile = writeFleetFile(
                work,
                names.map((inventoryName) => ({ inventory: inventoryName })),
            );
            const run = await measureStack(`fleet-real-${n}`, fleetFile, n, repeats, logDir);
            rows.push({ hosts: n, kind: "real lab", ...run });
        }
    } finally {
        closeAll();
        fs.rmSync(work, { recursive: true, force: true });
    }
    return rows;
}

export function fleetScaleTable(rows: FleetScaleRow[]): { columns: string[]; rows: Array<Array<string | number>> } {
    return {
        columns: [
            "hosts",
            "kind",
            "resources declared / in state",
            "up s (not in preview)",
            "up outcome",
            `preview --refresh s, default --parallel ${defaultParallel()} (median, min-max)`,
            "preview --refresh s, --parallel = all resources",
            "SSH round trips per host (min-max, mean)",
            "change summary",
        ],
        rows: rows.map((r) => [
            r.hosts,
            r.kind,
            `${r.declared} / ${r.inState}`,
            r.upSeconds.toFixed(1),
            r.upOutcome,
            medianRange(r.previewSeconds),
            r.previewAllParallelSeconds === undefined ? "same as default" : r.previewAllParallelSeconds.toFixed(2),
            r.roundTrips ? `${r.roundTrips.min}-${r.roundTrips.max}, ${r.roundTrips.mean.toFixed(1)}` : "not counted",
            Object.entries(r.changes)
                .map(([op, count]) => `${op} ${count}`)
                .join(", ") || "none",
        ]),
    };
}
