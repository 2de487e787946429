// SPDX-License-Identifier: MIT
// The host-layer side of the side-by-side benchmark (test/bench/ansible.ts),
// as its own small program: a fresh process with fresh connections reads
// every host's live state at once and compares it with the declared cells,
// as a real refresh starts. It loads only the host layer and the live-state
// reader, so the time is the check's, not that of modules the check does not
// need.
//   node dist/test/bench/ansible/read-state.js <job.json>
import * as fs from "node:fs";
import { closeAll, withHost } from "../../../provider/src/host";
import { type LiveHostState, readLiveState } from "../../../provider/src/resources/live-state";

/** What one check found; the Ansible side reports the same shape, so the results show that both agree. */
export interface CheckOutcome {
    hostsChecked: number;
    inSync: number;
    /** Distinct findings across hosts, e.g. "hypervisor not enabled". */
    drift: string[];
}

/** What the process is given: the hosts and the declared cells. */
export interface ReadStateJob {
    targets: Array<{ name: string; connection: Record<string, unknown> }>;
    cells: string[];
}

/** The comparison the playbook's second task makes, on a parsed live state. */
export function driftOf(state: LiveHostState, cells: string[]): string[] {
    const drift: string[] = [];
    if (!state.jailhouse?.enabled) drift.push("hypervisor not enabled");
    const running = new Set(state.cells.filter((c) => c.state === "running" || c.state === "running/locked").map((c) => c.name));
    for (const cell of cells) if (!running.has(cell)) drift.push(`cell not running: ${cell}`);
    return drift;
}

export function outcome(perHost: string[][]): CheckOutcome {
    return {
        hostsChecked: perHost.length,
        inSync: perHost.filter((d) => d.length === 0).length,
        drift: [...new Set(perHost.flat())].sort(),
    };
}

async function main(jobFile: string): Promise<void> {
    const job = JSON.parse(fs.readFileSync(jobFile, "utf8")) as ReadStateJob;
    try {
        const perHost = await Promise.all(
            job.targets.map((t) => withHost(t.connection, async (session) => driftOf(await readLiveState(session), job.cells))),
        );
        process.stdout.write(JSON.stringify(outcome(perHost)));
    } finally {
        closeAll();
    }
}

if (require.main === module) {
    main(process.argv[2]).catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    });
}
