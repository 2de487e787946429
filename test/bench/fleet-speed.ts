// SPDX-License-Identifier: MIT
// Fleet speed (issue 17): the figures a fleet owner asks about, each as a
// ratio to an anchor measured in the same run, next to the issue's goal.
import * as os from "node:os";
import { labHosts, noopUpSpeed, readerSpeed } from "./speed-lab";
import { type SpeedRow, speedTable } from "./speed-rows";
import { simulatedSpeed } from "./speed-simulated";
import { fleetSizes } from "./fleet-scale";

export const speedGoals = [
    "Round trips: 1 per host per preview and per no-op up (2 for `up --refresh`, whose refresh and update may run as two passes), whatever the number of resources on the host.",
    "No-op `pulumi up --refresh` on the real lab hosts: no slower than Ansible's playbook in the same run, and at most 1.5x the limit (an empty program's `pulumi up --refresh` plus one parallel read of every host).",
    "`pulumi preview --refresh` on the same hosts: at most 0.6x Ansible's time.",
    "Preview at N = 32 simulated hosts: at most 1.5x plain parallel ssh of the same reader, excluding the CLI's start-up (an empty program's preview, subtracted).",
    "Native read on a lab host: at most 1/5 of the shell reader's time.",
];

/** A kept row of an earlier run: its hosts column tells which part made it. */
const partOf = (row: Array<string | number>) =>
    String(row[1]).startsWith("SIMULATED") ? "simulated" : String(row[0]).startsWith("live-state read") ? "reader" : "no-op up";

/** `previous`: the rows of the last run, kept for the parts not run now (PJ_BENCH_SPEED_PARTS). */
export async function fleetSpeed(
    previous: { rows: Array<Array<string | number>>; ran?: string } = { rows: [] },
): Promise<{ rows: SpeedRow[]; notes: string[]; columns: string[]; table: Array<Array<string | number>> }> {
    const load = os.loadavg()[0].toFixed(2);
    const repeats = Number(process.env.PJ_BENCH_REPEATS || 3);
    const sizes = process.env.PJ_BENCH_SIZES ? process.env.PJ_BENCH_SIZES.split(",").map(Number) : fleetSizes;
    const notes = [
        `Load average (1 min) at the start of this section: ${load}. Each time is the median of ${repeats} runs (min-max), alternated with its anchor.`,
    ];
    const rows: SpeedRow[] = [];
    const kept: Array<Array<string | number>> = [];
    const only = process.env.PJ_BENCH_SPEED_PARTS?.split(",");
    const readerRows = async () => readerSpeed(labHosts()[0], repeats);
    const parts: Array<[string, () => Promise<SpeedRow[]>]> = [
        ["simulated", () => simulatedSpeed(sizes, repeats)],
        [
            "no-op up",
            async () => {
                // The reader rows need the hosts as the default program leaves them.
                const reader = (only?.includes("reader") ?? true) ? readerRows : undefined;
                const result = await noopUpSpeed(labHosts(), repeats, reader);
                notes.push(...result.notes);
                return result.rows;
            },
        ],
        ["reader", async () => ((only?.includes("no-op up") ?? true) ? [] : readerRows())],
    ];
    for (const [name, part] of parts) {
        if (only && !only.includes(name)) {
            const earlier = previous.rows.filter((r) => partOf(r) === name);
            kept.push(...earlier);
            notes.push(
                `Part "${name}" not run now (PJ_BENCH_SPEED_PARTS=${only.join(",")})${earlier.length ? `; its rows are kept from the run of ${previous.ran ?? "an earlier date"}, each ratio still to its anchor of that run` : ""}.`,
            );
            continue;
        }
        try {
            rows.push(...(await part()));
        } catch (error) {
            notes.push(`Part "${name}" failed: ${(error as Error).message.split("\n")[0].slice(0, 300)}`);
        }
    }
    notes.push(
        "Rows whose hosts say SIMULATED ran on simulated hosts (test/support/sim-hosts.ts: real OpenSSH sshd on loopback, a converged live state from test/support/sim-states.ts served for every read, every other command a no-op); all other rows ran on real lab hosts (QEMU TCG, Debian kernel, real sshd).",
        "Simulated previews run with --parallel = all resources, so the CLI's own limit (4 x CPUs) does not stand for the provider's overhead; plain ssh is OpenSSH, a new connection per host, running the provider's default reader command.",
        "Lab rows run on h1 and h2 unless PJ_BENCH_SPEED_HOSTS names others; the reader rows on the first of them, as the no-op part left it (the default program converged).",
        `Goals (issue 17): ${speedGoals.map((g, i) => `(${i + 1}) ${g}`).join(" ")}`,
    );
    const table = speedTable(rows);
    const order = ["simulated", "no-op up", "reader"];
    const all = [...kept, ...table.rows].sort((a, b) => order.indexOf(partOf(a)) - order.indexOf(partOf(b)));
    return { rows, notes, columns: table.columns, table: all };
}
