// SPDX-License-Identifier: MIT
// `npm start`: boots the lab fleet if needed, then runs `pulumi up` of the
// default program (index.ts) non-interactively on a local file backend kept in
// the cache, so a second run sees the first run's state.
import * as automation from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { readFleet, runsOn } from "../fleet";
import { recoverInterruptedRun } from "../../../provider/src/resources/recovery";
import { terminalText } from "./terminal-text";
import { buildImage, readInventory, sshRun, up } from "./lab";
import { cacheDir, pulumiBinDir, pulumiEnv, repoRoot } from "./workbench";

async function main(): Promise<void> {
    const hosts = Number(process.env.PJ_LAB_HOSTS || 2);
    buildImage();
    await up(hosts);
    const backend = path.join(cacheDir(), "state");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled program is loaded when the engine asks for it
    const program = async () => require(path.join(repoRoot, "dist", "index.js"));
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName: "lab", projectName: "pulumi-jailhouse", program },
        {
            workDir: repoRoot,
            pulumiCommand: await automation.PulumiCommand.get({ root: path.dirname(pulumiBinDir()) }),
            envVars: pulumiEnv(backend),
        },
    );
    const interrupted = await recoverInterruptedRun(stack, { dir: backend, project: "pulumi-jailhouse" }, (line) =>
        process.stdout.write(line),
    );
    if (interrupted.length) console.log(`recovered from an interrupted run: ${interrupted.join(", ")}`);
    // refresh: the hosts may have changed since the last run (rebooted lab,
    // cells destroyed by hand), and up must start from what is really there.
    // run-program: each resource is refreshed as the program declares it, so
    // one provider process (and one read per host) serves the whole run.
    const result = await stack.up({ refresh: true, runProgram: true, onOutput: (line) => process.stdout.write(line) });
    console.log(`\npulumi up: ${result.summary.result}; changes ${JSON.stringify(result.summary.resourceChanges)}`);
    for (const [name, output] of Object.entries(result.outputs)) {
        console.log(`${name}: ${JSON.stringify(output.value)}`);
    }
    await printCells();
    await printLinuxConsoles();
}

const linuxBootTimeoutMs = 5 * 60_000;

/**
 * Per host with a Linux cell in the fleet file: its UART (the lab logs the
 * 16550's output) from the newest boot's first lines to its shell prompt,
 * waited for while the kernel still boots.
 */
async function printLinuxConsoles(): Promise<void> {
    const fleet = readFleet(path.join(repoRoot, "examples", "lab", "fleet.yaml"));
    const linux = fleet.cells.filter((c) => c.images.some((i) => "linux" in i));
    for (const host of readInventory().hosts.filter((h) => linux.some((c) => runsOn(c, h.name)))) {
        const newestBoot = () => {
            const log = fs.existsSync(host.cellUartLog) ? terminalText(fs.readFileSync(host.cellUartLog, "latin1")) : "";
            const at = log.lastIndexOf("Booting Linux on physical CPU");
            return at < 0 ? "" : log.slice(at);
        };
        const deadline = Date.now() + linuxBootTimeoutMs;
        while (!/linux-cell# $/.test(newestBoot()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
        const lines = newestBoot().trimEnd().split("\n");
        const shown = lines.length > 16 ? [...lines.slice(0, 3), "...", ...lines.slice(-12)] : lines;
        console.log(`\n${host.name}: the Linux cell's console (npm run lab -- cell-console ${host.name} to type there):`);
        console.log(shown.length > 1 ? shown.map((l) => `    | ${l}`).join("\n") : "    (no boot seen yet)");
    }
}

// Per host, what each cell is doing and the first lines it printed (the
// oldest lines its console capture still holds), read after the up.
const cellsScript = String.raw`
found=0
for c in /sys/devices/jailhouse/cells/*; do
  [ -d "$c" ] || continue
  [ "$(basename "$c")" = 0 ] && continue
  found=1
  echo "  cell $(cat "$c/name"): $(cat "$c/state") on CPUs $(cat "$c/cpus_assigned_list")"
  head -n 3 "$c/console" 2>/dev/null | sed 's/^/    | /'
done
[ -d /sys/devices/jailhouse ] || echo "  hypervisor not loaded"
[ -d /sys/devices/jailhouse ] && [ $found = 0 ] && echo "  no cells"
true
`;

async function printCells(): Promise<void> {
    for (const host of readInventory().hosts) {
        const report = await sshRun(host, cellsScript, 60_000).catch(
            (error: unknown) => `  (could not read: ${error instanceof Error ? error.message : error})\n`,
        );
        console.log(`\n${host.name}:\n${report.trimEnd()}`);
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
