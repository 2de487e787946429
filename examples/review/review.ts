// SPDX-License-Identifier: MIT
// `npm run review -- OLD-FLEET.yaml NEW-FLEET.yaml`: which cells a fleet
// change replaces or updates, and why, decided by the provider's planner.
// Needs no hosts and no state.
import * as path from "node:path";
import { cellResourceName, readFleet, runsOn } from "../lab/fleet";
import { plan } from "../../provider/src";

function hostNames(file: string): string[] {
    return readFleet(file).hosts.map((h) => ("inventory" in h ? h.inventory : h.name));
}

function cellStates(file: string): Map<string, plan.CellResourceState> {
    const fleet = readFleet(file);
    const dir = path.dirname(file);
    const states = new Map<string, plan.CellResourceState>();
    for (const host of hostNames(file))
        for (const cell of fleet.cells.filter((c) => runsOn(c, host))) {
            const file = path.resolve(dir, cell.config);
            const stored = plan.storeCellConfig(plan.resolveCellConfig(file));
            states.set(cellResourceName(host, file).resource, {
                host,
                config: stored.config,
                configSha256: stored.sha256,
                imagesSha256: JSON.stringify(cell.images),
                state: cell.state,
            });
        }
    return states;
}

export function review(oldFile: string, newFile: string): string[] {
    const before = cellStates(oldFile);
    const after = cellStates(newFile);
    const lines: string[] = [];
    for (const [name, now] of after) {
        const old = before.get(name);
        if (!old) {
            lines.push(`${name}: create`);
            continue;
        }
        const diff = plan.diffCellResource(old, now);
        lines.push(
            `${name}: ${diff.replaces.length ? "replace" : diff.changes ? "update" : "no change"}${diff.reasons.length ? `: ${diff.reasons.join("; ")}` : ""}`,
        );
    }
    for (const name of before.keys()) if (!after.has(name)) lines.push(`${name}: delete`);
    return lines;
}

if (require.main === module) {
    const [oldFile, newFile] = process.argv.slice(2);
    if (!oldFile || !newFile) {
        console.error("usage: npm run review -- OLD-FLEET.yaml NEW-FLEET.yaml");
        process.exit(2);
    }
    console.log(review(oldFile, newFile).join("\n"));
}
