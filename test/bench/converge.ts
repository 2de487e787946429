// SPDX-License-Identifier: MIT
// Converge time: `pulumi up` of the default example (examples/lab/fleet.yaml
// on every lab host) from an empty stack, then again with nothing to do, then
// a destroy. Whether the fresh up had to build the module on the hosts is
// reported with the figure: the build is skipped when sources and kernel are
// unchanged since the host's last build.
import { execFileSync } from "node:child_process";
import { labFleetProgram } from "../../examples/lab/fleet";
import { sshArgs } from "../../examples/lab/tooling/lab";
import { labInventory } from "../support/lab-hosts";
import { testStack } from "../support/stack";

export interface ConvergeFigures {
    hosts: number;
    freshS: number;
    builtOnHosts: boolean;
    noopS: number;
    destroyS: number;
    resources: number;
}

/** The hosts' build stamps' change times, to tell whether an up built on them. */
function buildStamps(): string {
    return labInventory()
        .hosts.map((host) =>
            execFileSync("ssh", [...sshArgs(host), "stat -c %Y /var/lib/pulumi-jailhouse/build-stamp 2>/dev/null || echo none"], {
                encoding: "utf8",
            }),
        )
        .join(",");
}

export async function convergeTime(): Promise<ConvergeFigures> {
    const stampsBefore = buildStamps();
    const t = await testStack("bench-converge", async () => labFleetProgram());
    const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));
    try {
        let output = "";
        let start = Date.now();
        const fresh = await t.stack.up({ onOutput: (line) => (output += line) });
        const freshS = seconds(start);
        if (fresh.summary.result !== "succeeded") throw new Error(`fresh up: ${fresh.summary.result}\n${output.slice(-3000)}`);
        start = Date.now();
        const noop = await t.stack.up();
        const noopS = seconds(start);
        const changed = Object.keys(noop.summary.resourceChanges ?? {}).filter((k) => k !== "same");
        if (changed.length) throw new Error(`the second up was not a no-op: ${JSON.stringify(noop.summary.resourceChanges)}`);
        start = Date.now();
        await t.stack.destroy();
        return {
            hosts: labInventory().hosts.length,
            freshS,
            builtOnHosts: buildStamps() !== stampsBefore,
            noopS,
            destroyS: seconds(start),
            resources: noop.summary.resourceChanges?.same ?? 0,
        };
    } finally {
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
    }
}

export function convergeTable(f: ConvergeFigures) {
    return {
        columns: ["lab hosts", "resources", "fresh up (s)", "no-op up (s)", "destroy (s)"],
        rows: [
            [
                f.hosts,
                f.resources,
                `${f.freshS}${f.builtOnHosts ? " (with on-host build)" : " (on-host build cached)"}`,
                f.noopS,
                f.destroyS,
            ],
        ],
        notes: [
            "Real lab hosts (QEMU TCG), the real CLI on a local file backend; each up includes the engine's start and the program's run.",
        ],
    };
}
