// SPDX-License-Identifier: MIT
// Fleet speed on the real lab hosts (default h1,h2; PJ_BENCH_SPEED_HOSTS
// names others): a no-op `pulumi up` and a `pulumi preview` with refresh of
// the default program against Ansible's playbook doing the same state check,
// and against the limit (an empty program's `up` with the same flags plus
// one parallel read of every host), alternated in the same run; it deploys
// the default program to those hosts first. Then, on the first of them as
// that left it, the live-state read alone: shell reader against native.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { fleetProgram, readFleet } from "../../examples/lab/fleet";
import { closeAll, withHost } from "../../provider/src/host";
import { liveStateScript, parseLiveState, readerCommand } from "../../provider/src/resources/live-state";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { hostConnection } from "../../examples/lab/inventory";
import { labHost } from "../support/lab-hosts";
import { buildNativeCli, nativeCliPath } from "../support/native-cli";
import { testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { labTarget, runAnsible, type Target, writeInventory } from "./ansible";
import { declaredCells, demoCells } from "./fleet-scale";
import { parallelSsh, refreshForms, type SpeedRow, timed, timeText } from "./speed-rows";
import { median } from "../support/stats";

export const speedLabHosts = () => (process.env.PJ_BENCH_SPEED_HOSTS || "h1,h2").split(",").filter(Boolean);

/** The host's own CLI when it has `state`, else one built from this checkout in a folder of its own (reused when there). */
async function nativeCli(host: LabHost): Promise<string> {
    for (const cli of ["jailhouse", nativeCliPath]) {
        const has = await withHost(hostConnection(host), (s) => s.exec(`${cli} state --json >/dev/null 2>&1`));
        if (has.code === 0) return cli;
    }
    return buildNativeCli(host);
}

export async function readerSpeed(host: LabHost, repeats: number): Promise<SpeedRow[]> {
    const cli = await nativeCli(host);
    const rows: SpeedRow[] = [];
    try {
        await readOn(host, cli, repeats, rows);
    } finally {
        // The pooled connection would keep this process alive.
        closeAll();
    }
    return rows;
}

async function readOn(host: LabHost, cli: string, repeats: number, rows: SpeedRow[]): Promise<void> {
    await withHost(hostConnection(host), async (s) => {
        // One read each first: the connection is made and the hash cache filled, as after the first deployment.
        const state = parseLiveState((await s.exec(readerCommand({ reader: "native", cli }))).stdout);
        await s.exec(readerCommand({ reader: "shell" }));
        // The shell reader's time grows with what there is to read, so the row says what the host held.
        const held = state.jailhouse?.enabled
            ? `hypervisor enabled; cells: ${state.cells.map((c) => c.name).join(", ") || "none"}`
            : "hypervisor not enabled";
        for (const bootLog of [false, true]) {
            const shell: number[] = [];
            const native: number[] = [];
            for (let i = 0; i < repeats; i++) {
                shell.push(await timed(() => s.exec(readerCommand({ reader: "shell", bootLog }))));
                native.push(await timed(() => s.exec(readerCommand({ reader: "native", cli, bootLog }))));
            }
            const ratio = median(native) / median(shell);
            rows.push({
                row: `live-state read alone, ${bootLog ? "with" : "without"} the boot log (one exec on an open connection)`,
                kind: `real lab (${host.name}; ${held})`,
                measured: `native: ${timeText(native)}`,
                anchor: `shell reader: ${timeText(shell)}`,
                ratio,
                goal: bootLog ? "(boot log read only before an enable)" : "<= 0.2x",
                met: bootLog ? undefined : ratio <= 0.2,
            });
        }
    });
}

function writeFleetFile(dir: string, hosts: string[]): string {
    const base = path.join(repoRoot, "examples", "lab");
    const fleet = readFleet(path.join(base, "fleet.yaml"));
    const document = {
        systemConfig: path.resolve(base, fleet.systemConfig),
        hosts: hosts.map((inventory) => ({ inventory })),
        cells: demoCells(fleet).map((c) => ({ ...c, config: path.resolve(base, c.config) })),
    };
    const file = path.join(dir, "fleet.yaml");
    fs.writeFileSync(file, YAML.stringify(document));
    return file;
}

/**
 * `whileConverged` runs on the hosts as the default program left them,
 * before the program is destroyed again: the next bench finds them bare.
 */
export async function noopUpSpeed(
    hosts: LabHost[],
    repeats: number,
    whileConverged: () => Promise<SpeedRow[]> = async () => [],
): Promise<{ rows: SpeedRow[]; notes: string[] }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-speed-lab-"));
    const t = await testStack("speed-lab", async () =>
        fleetProgram(
            writeFleetFile(
                dir,
                hosts.map((h) => h.name),
            ),
        ),
    );
    const empty = await testStack("speed-lab-empty", async () => undefined);
    const kind = `real lab (${hosts.map((h) => h.name).join(", ")})`;
    try {
        const converge = await timed(() => t.stack.up());
        await empty.stack.up();
        const targets: Target[] = hosts.map(labTarget);
        const inventory = writeInventory(dir, targets);
        const scriptPath = path.join(dir, "live-state.sh");
        fs.writeFileSync(scriptPath, liveStateScript);
        const cells = declaredCells();
        const times = refreshForms.map(() => ({ up: [] as number[], preview: [] as number[], emptyUp: [] as number[] }));
        const ansible: number[] = [];
        const read: number[] = [];
        let notNoop = "";
        for (let i = 0; i < repeats; i++) {
            for (const [f, form] of refreshForms.entries()) {
                times[f].up.push(
                    await timed(async () => {
                        const result = await t.stack.up(form.options);
                        const changed = Object.entries(result.summary.resourceChanges ?? {}).filter(
                            ([op, n]) => op !== "same" && (n ?? 0) > 0,
                        );
                        if (changed.length) notNoop = `${form.flags}: ${JSON.stringify(result.summary.resourceChanges)}`;
                    }),
                );
                times[f].preview.push(await timed(() => t.stack.preview(form.options)));
                times[f].emptyUp.push(await timed(() => empty.stack.up(form.options)));
            }
            ansible.push((await runAnsible(dir, inventory, targets, scriptPath, cells)).ms);
            read.push(await timed(() => parallelSsh(targets, readerCommand())));
        }
        const rows: SpeedRow[] = refreshForms.flatMap((form, f) => {
            const { up, preview, emptyUp } = times[f];
            const limit = median(emptyUp) + median(read);
            const judged = (met: boolean) => (form.goals ? met : undefined);
            const goal = (text: string) => (form.goals ? text : `report (goal set for --run-program, ${text})`);
            return [
                {
                    row: `no-op pulumi up ${form.flags} of the default program`,
                    kind,
                    measured: timeText(up),
                    anchor: `Ansible playbook (same check): ${timeText(ansible)}`,
                    ratio: median(up) / median(ansible),
                    goal: goal("<= 1x"),
                    met: judged(median(up) <= median(ansible)),
                },
                {
                    row: `no-op pulumi up ${form.flags} against the limit`,
                    kind,
                    measured: timeText(up),
                    anchor: `limit ${(limit / 1000).toFixed(2)} s = empty program's up ${form.flags} ${timeText(emptyUp)} + parallel read ${timeText(read)}`,
                    ratio: median(up) / limit,
                    goal: goal("<= 1.5x"),
                    met: judged(median(up) <= 1.5 * limit),
                },
                {
                    row: `pulumi preview ${form.flags} of the default program`,
                    kind,
                    measured: timeText(preview),
                    anchor: `Ansible playbook: ${timeText(ansible)}`,
                    ratio: median(preview) / median(ansible),
                    goal: goal("<= 0.6x"),
                    met: judged(median(preview) <= 0.6 * median(ansible)),
                },
            ];
        });
        const notes = [
            `The first \`pulumi up\` (deploying the default program to ${kind}, not in the figures) took ${(converge / 1000).toFixed(1)} s.`,
        ];
        if (notNoop) notes.push(`A timed up --refresh was not a no-op: ${notNoop}.`);
        rows.push(...(await whileConverged()));
        return { rows, notes };
    } finally {
        await t.stack.destroy().catch(() => undefined);
        await empty.dispose();
        await t.dispose();
        closeAll();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const labHosts = () => speedLabHosts().map(labHost);
