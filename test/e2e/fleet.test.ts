// SPDX-License-Identifier: MIT
// The default example end to end on the lab fleet (every host in the
// inventory, 2 in CI): up of examples/lab/fleet.yaml (a Hypervisor and the
// timer and UART demo cells per host), a no-op up, a config change that
// replaces only the changed cell, a cell destroyed out of band that refresh
// finds and up repairs, and a destroy that leaves every host clean.
// The fleet file and its configs are copied to a temporary folder, so the
// change is made there and the examples stay as they are.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { fleetProgram } from "../../examples/lab/fleet";
import { type LabHost, sshArgs } from "../lab/lab";
import { labInventory } from "../support/lab-hosts";
import { type TestStack, testStack } from "../support/stack";
import { repoRoot } from "../workbench";

const cellNames = ["rt-timer", "uart-hello"];

function onHost(host: LabHost, command: string): string {
    return execFileSync("ssh", [...sshArgs(host), command], { encoding: "utf8", timeout: 120_000 });
}

/** name -> state of every non-root cell, as sysfs shows it. */
function liveCells(host: LabHost): Record<string, string> {
    const out = onHost(
        host,
        'for c in /sys/devices/jailhouse/cells/*; do [ -d "$c" ] && [ "${c##*/}" != 0 ] && echo "$(cat $c/name)=$(cat $c/state)"; done; true',
    );
    return Object.fromEntries(
        out
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split("=") as [string, string]),
    );
}

function cellIds(host: LabHost): Record<string, string> {
    const out = onHost(host, 'for c in /sys/devices/jailhouse/cells/*; do [ -d "$c" ] && echo "$(cat $c/name)=${c##*/}"; done; true');
    return Object.fromEntries(
        out
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => line.split("=") as [string, string]),
    );
}

describe("the lab fleet, end to end", { timeout: 60 * 60_000 }, () => {
    const hosts = labInventory().hosts;
    let t: TestStack;
    let dir: string;
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-fleet-"));
        for (const file of ["fleet.yaml", "system.yaml", ...cellNames.map((c) => `${c}.yaml`)])
            fs.copyFileSync(path.join(repoRoot, "examples", "lab", file), path.join(dir, file));
        t = await testStack("fleet", async () => fleetProgram(path.join(dir, "fleet.yaml")));
    });
    after(async () => {
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("up: every host runs the hypervisor and both demo cells", async () => {
        const started = Date.now();
        const result = await t.stack.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        console.error(`# fleet up (fresh, ${hosts.length} hosts): ${Math.round((Date.now() - started) / 1000)} s`);
        for (const host of hosts) {
            assert.equal(onHost(host, "cat /sys/devices/jailhouse/enabled").trim(), "1", host.name);
            assert.deepEqual(liveCells(host), { "rt-timer": "running", "uart-hello": "running" }, host.name);
            const hostOutputs = result.outputs[host.name].value as { cells: Record<string, string> };
            assert.deepEqual(hostOutputs.cells, { "rt-timer": "running", "uart-hello": "running" });
        }
    });

    test("a second up changes nothing", async () => {
        const started = Date.now();
        const result = await t.stack.up();
        console.error(`# fleet up (no-op): ${Math.round((Date.now() - started) / 1000)} s`);
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"]);
    });

    test("a change to one cell's memory replaces only that cell, on every host", async () => {
        const before = Object.fromEntries(hosts.map((h) => [h.name, cellIds(h)]));
        const file = path.join(dir, "uart-hello.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("size: 1 MiB", "size: 2 MiB"));
        output = "";
        const preview = await t.stack.preview({ onOutput: (line: string) => (output += line) });
        assert.equal(preview.changeSummary.replace, hosts.length, output);
        assert.match(output, /uart-hello replace/);
        assert.doesNotMatch(output, /rt-timer replace/);
        const result = await t.stack.up();
        assert.equal(result.summary.resourceChanges?.replace, hosts.length);
        for (const host of hosts) {
            const after = cellIds(host);
            assert.equal(after["rt-timer"], before[host.name]["rt-timer"], `${host.name}: rt-timer was touched`);
            assert.ok(after["uart-hello"], `${host.name}: uart-hello is missing`);
            assert.deepEqual(liveCells(host), { "rt-timer": "running", "uart-hello": "running" });
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
