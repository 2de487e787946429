// SPDX-License-Identifier: MIT
// Fleet speed on SIMULATED hosts (test/support/sim-hosts.ts, serving a
// converged state from test/support/sim-states.ts): SSH round trips per host
// for a preview, a no-op up and an up that changes one cell; and `pulumi
// preview --refresh` at N hosts against plain parallel ssh running the same
// reader on the same hosts, less the CLI's start-up (an empty program's
// preview), all measured in the same run.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HostConnectionInput } from "../../provider/src";
import { closeAll } from "../../provider/src/host";
import { readerCommand } from "../../provider/src/resources/live-state";
import { connectionOf, type SimFleet, start as startSimHosts } from "../support/sim-hosts";
import { convergedState, simHostProgram } from "../support/sim-states";
import { testStack } from "../support/stack";
import { parallelSsh, refreshForms, type SpeedRow, timed, timeText } from "./speed-rows";
import { median } from "../support/stats";

const kind = "SIMULATED";

function recordingFile(dir: string): string {
    const file = path.join(dir, "converged.txt");
    fs.writeFileSync(
        file,
        `# SIMULATED converged host (test/support/sim-states.ts)\n${convergedState({ rtTimer: "running", uartHello: "running" })}`,
    );
    return file;
}

async function roundTrips(file: string): Promise<SpeedRow[]> {
    const fleet = await startSimHosts(1, file);
    const name = fleet.hosts[0].name;
    const connection = connectionOf(fleet.hosts[0]) as HostConnectionInput;
    let timerArgs = "hz=10";
    const t = await testStack("speed-trips", async () => simHostProgram(connection, { timerArgs }));
    const rows: SpeedRow[] = [];
    try {
        await t.stack.up();
        const count = async (what: string, goal: number | undefined, fn: () => Promise<unknown>) => {
            fleet.resetCounts();
            await fn();
            const reads = fleet.reads(name);
            rows.push({
                row: `SSH round trips per host, ${what} (Hypervisor + 2 Cells)`,
                kind,
                measured: `${reads} read(s); ${fleet.roundTrips(name)} command(s) in all`,
                anchor: goal === undefined ? "-" : `goal: ${goal} read(s)`,
                ratio: goal === undefined ? undefined : reads / goal,
                goal: goal === undefined ? "none set (reported)" : `<= ${goal} read(s)`,
                met: goal === undefined ? undefined : reads <= goal,
            });
        };
        for (const form of refreshForms) {
            await count(`pulumi preview ${form.flags}`, 1, () => t.stack.preview(form.options));
            await count(`no-op pulumi up ${form.flags}`, 2, () => t.stack.up(form.options));
        }
        timerArgs = "hz=20";
        await count("pulumi up --refresh --run-program changing one cell", undefined, () =>
            t.stack.up({ refresh: true, runProgram: true }),
        );
    } finally {
        await t.dispose();
        closeAll();
        await fleet.stop();
    }
    return rows;
}

async function previewAt(n: number, file: string, repeats: number, empty: () => Promise<unknown>): Promise<SpeedRow[]> {
    const fleet: SimFleet = await startSimHosts(n, file);
    const t = await testStack(`speed-sim-${n}`, async () =>
        fleet.hosts.forEach((h) => simHostProgram(connectionOf(h) as HostConnectionInput, { prefix: h.name })),
    );
    try {
        await t.stack.up();
        const targets = fleet.hosts.map((h) => ({ ...h, knownHostsPath: fleet.knownHostsPath }));
        const previews = refreshForms.map(() => [] as number[]);
        const ssh: number[] = [];
        const startUp: number[] = [];
        // Alternated, so a busy spell of the shared machine hits all alike.
        for (let i = 0; i < repeats; i++) {
            for (const [f, form] of refreshForms.entries())
                previews[f].push(await timed(() => t.stack.preview({ ...form.options, parallel: 3 * n + 1 })));
            ssh.push(await timed(() => parallelSsh(targets, readerCommand())));
            startUp.push(await timed(empty));
        }
        return refreshForms.map((form, f) => {
            const ratio = (median(previews[f]) - median(startUp)) / median(ssh);
            const judged = n === 32 && form.goals;
            return {
                row: `pulumi preview ${form.flags}, less the CLI's start-up (empty program: ${timeText(startUp)})`,
                kind: `${kind}, N = ${n}`,
                measured: timeText(previews[f]),
                anchor: `plain parallel ssh of the same reader: ${timeText(ssh)}`,
                ratio,
                goal: judged ? "<= 1.5x" : form.goals ? "(goal at N = 32)" : "report (goal set for --run-program)",
                met: judged ? ratio <= 1.5 : undefined,
            };
        });
    } finally {
        await t.dispose();
        closeAll();
        await fleet.stop();
    }
}

export async function simulatedSpeed(sizes: number[], repeats: number): Promise<SpeedRow[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-speed-sim-"));
    const empty = await testStack("speed-empty", async () => undefined);
    try {
        const file = recordingFile(dir);
        const rows = await roundTrips(file);
        await empty.stack.up();
        for (const n of sizes) {
            process.stderr.write(`fleet-speed: preview on ${n} simulated host(s)...\n`);
            rows.push(...(await previewAt(n, file, repeats, () => empty.stack.preview({ refresh: true }))));
        }
        return rows;
    } finally {
        await empty.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
