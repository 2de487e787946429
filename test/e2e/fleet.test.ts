// SPDX-License-Identifier: MIT
// The default example end to end on the lab fleet (the hosts of
// examples/lab/fleet.yaml, 2 in CI; PJ_FLEET_HOSTS=h1 keeps only those and
// the cells they run): up of a Hypervisor per host with the timer demo on
// every host, the UART demo on h2 and the Linux cell on h1, which reaches its
// shell prompt on its UART; a no-op up; a config change that replaces only
// the changed cell (the Linux cell keeps running, not booted again); a cell
// destroyed out of band that refresh finds and up repairs; and a destroy
// that leaves every host clean.
// The fleet file and its configs are copied to a temporary folder, so the
// change is made there and the examples stay as they are.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as YAML from "yaml";
import { fleetProgram, readFleet, runsOn } from "../../examples/lab/fleet";
import { type LabHost, sshArgs } from "../../examples/lab/tooling/lab";
import { type CellShell, cellShell } from "../support/cell-shell";
import { labInventory } from "../support/lab-hosts";
import { type TestStack, testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const bootTimeoutMs = 300_000;

function onHost(host: LabHost, command: string): string {
    return execFileSync("ssh", [...sshArgs(host), command], { encoding: "utf8", timeout: 120_000 });
}

/** name -> one field (its sysfs file, or "id", the folder's name) of every non-root cell. */
function sysfsCells(host: LabHost, field: "state" | "id"): Record<string, string> {
    const value = field === "id" ? "${c##*/}" : `$(cat $c/${field})`;
    const out = onHost(
        host,
        `for c in /sys/devices/jailhouse/cells/*; do [ -d "$c" ] && [ "\${c##*/}" != 0 ] && echo "$(cat $c/name)=${value}"; done; true`,
    );
    return Object.fromEntries(
        out
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split("=") as [string, string]),
    );
}

const liveCells = (host: LabHost) => sysfsCells(host, "state");
const cellIds = (host: LabHost) => sysfsCells(host, "id");

/**
 * Copies the default fleet and its cell configs to `dir`, keeping only the
 * hosts named in `only` (all when undefined) and the cells that still run on
 * one of them; the "lab:" paths stay as they are.
 */
function copyFleet(dir: string, only: string[] | undefined): string {
    const examples = path.join(repoRoot, "examples", "lab");
    const fleet = YAML.parse(fs.readFileSync(path.join(examples, "fleet.yaml"), "utf8")) as {
        hosts: { inventory: string }[];
        cells: { config: string; hosts?: string[] }[];
    };
    if (only) {
        fleet.hosts = fleet.hosts.filter((h) => only.includes(h.inventory));
        fleet.cells = fleet.cells.filter((c) => !c.hosts || c.hosts.some((h) => only.includes(h)));
        for (const cell of fleet.cells) if (cell.hosts) cell.hosts = cell.hosts.filter((h) => only.includes(h));
    }
    for (const file of ["system.yaml", ...fleet.cells.map((c) => c.config)])
        fs.copyFileSync(path.join(examples, file), path.join(dir, file));
    fs.writeFileSync(path.join(dir, "fleet.yaml"), YAML.stringify(fleet));
    return path.join(dir, "fleet.yaml");
}

describe("the lab fleet, end to end", { timeout: 60 * 60_000 }, () => {
    const only = process.env.PJ_FLEET_HOSTS?.split(",").filter(Boolean);
    let hosts: LabHost[] = [];
    /** Per host, the cells the fleet file gives it (by the names their configs give). */
    const expected: Record<string, string[]> = {};
    /** The hosts with the Linux cell, and a shell on its UART. */
    const linuxHosts: { host: LabHost; shell: CellShell }[] = [];
    let t: TestStack;
    let dir: string;
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };
    const running = (host: LabHost) => Object.fromEntries(expected[host.name].map((c) => [c, "running"]));

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-fleet-"));
        const file = copyFleet(dir, only);
        const fleet = readFleet(file);
        const inventory = labInventory().hosts;
        hosts = fleet.hosts.map((h) => {
            const name = "inventory" in h ? h.inventory : h.name;
            const host = inventory.find((i) => i.name === name);
            assert.ok(host, `${name} is not in the lab inventory; run: npm run lab -- up 2`);
            return host;
        });
        for (const host of hosts) {
            const cells = fleet.cells.filter((c) => runsOn(c, host.name));
            expected[host.name] = cells.map((c) =>
                String((YAML.parse(fs.readFileSync(path.join(dir, c.config), "utf8")) as { name: string }).name),
            );
            if (cells.some((c) => c.images.some((i) => "linux" in i))) linuxHosts.push({ host, shell: await cellShell(host) });
        }
        t = await testStack("fleet", async () => fleetProgram(file));
    });
    after(async () => {
        await t?.stack.destroy().catch(() => undefined);
        await t?.dispose();
        for (const { shell } of linuxHosts) shell.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("up: every host runs the hypervisor and its cells; the Linux cell reaches its shell prompt", async () => {
        const started = Date.now();
        const marks = linuxHosts.map(({ shell }) => shell.mark());
        const result = await t.stack.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        console.error(`# fleet up (fresh, ${hosts.length} hosts): ${Math.round((Date.now() - started) / 1000)} s`);
        for (const host of hosts) {
            assert.equal(onHost(host, "cat /sys/devices/jailhouse/enabled").trim(), "1", host.name);
            assert.deepEqual(liveCells(host), running(host), host.name);
            const hostOutputs = result.outputs[host.name].value as { cells: Record<string, string> };
            assert.deepEqual(hostOutputs.cells, running(host));
        }
        for (const [i, { host, shell }] of linuxHosts.entries()) {
            await shell.waitForPrompt(marks[i], bootTimeoutMs);
            assert.match(shell.received().slice(marks[i]), /Booting Linux on physical CPU/, host.name);
            assert.equal((await shell.type("grep -c ^processor /proc/cpuinfo")).trim(), "2", host.name);
        }
    });

    test("a second up changes nothing", async () => {
        const started = Date.now();
        const result = await t.stack.up();
        console.error(`# fleet up (no-op): ${Math.round((Date.now() - started) / 1000)} s`);
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
    });

    test("a change to one cell's memory replaces only that cell, on every host; the Linux cell runs on", async () => {
        const before = Object.fromEntries(hosts.map((h) => [h.name, cellIds(h)]));
        const marks = linuxHosts.map(({ shell }) => shell.mark());
        const file = path.join(dir, "rt-timer.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("phys: 0x70000000", "phys: 0x70300000"));
        output = "";
        const preview = await t.stack.preview({ onOutput: (line: string) => (output += line) });
        assert.equal(preview.changeSummary.replace, hosts.length, output);
        assert.match(output, /rt-timer replace/);
        assert.doesNotMatch(output, /(uart-hello|linux) (replace|update)/);
        const result = await t.stack.up();
        assert.equal(result.summary.resourceChanges?.replace, hosts.length);
        for (const host of hosts) {
            const after = cellIds(host);
            for (const cell of expected[host.name].filter((c) => c !== "rt-timer"))
                assert.equal(after[cell], before[host.name][cell], `${host.name}: ${cell} was touched`);
            assert.ok(after["rt-timer"], `${host.name}: rt-timer is missing`);
            assert.deepEqual(liveCells(host), running(host));
        }
        for (const [i, { host, shell }] of linuxHosts.entries()) {
            assert.equal((await shell.type("echo still-$((40 + 2))")).trim(), "still-42", host.name);
            assert.doesNotMatch(shell.received().slice(marks[i]), /Booting Linux/, `${host.name}: the Linux cell booted again`);
        }
    });

    test("a cell destroyed out of band is found by refresh and recreated by up", async () => {
        const host = hosts[0];
        onHost(host, "jailhouse cell destroy rt-timer");
        assert.equal(liveCells(host)["rt-timer"], undefined);
        const refresh = await t.stack.refresh();
        assert.equal(refresh.summary.resourceChanges?.delete, 1, "refresh did not see the cell gone");
        const preview = await t.stack.preview();
        assert.equal(preview.changeSummary.create, 1);
        await t.stack.up();
        assert.equal(liveCells(host)["rt-timer"], "running");
        assert.deepEqual(Object.keys((await t.stack.preview()).changeSummary), ["same"]);
    });

    test("destroy leaves every host clean: no cells, hypervisor off, module unloaded, all CPUs online", async () => {
        const result = await t.stack.destroy();
        assert.equal(result.summary.result, "succeeded");
        for (const host of hosts) {
            assert.equal(onHost(host, "[ -d /sys/module/jailhouse ] && echo loaded || echo unloaded").trim(), "unloaded", host.name);
            assert.equal(onHost(host, "cat /sys/devices/system/cpu/online").trim(), "0-3", host.name);
        }
    });
});
