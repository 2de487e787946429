// SPDX-License-Identifier: MIT
// The default program's fleet file to resources, under Pulumi's mocks (no
// engine, no host): which Hypervisor and Cell each host gets, and the SSH
// connection each is given, from the lab inventory or as the file writes it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { fleetProgram } from "../../examples/lab/fleet";
import { repoRoot } from "../../examples/lab/tooling/workbench";

interface Registered {
    name: string;
    inputs: Record<string, unknown>;
}
const registered: Registered[] = [];
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registered.push({ name: args.name, inputs: args.inputs as Record<string, unknown> });
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "fleet-program",
    "unit",
    false,
);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-fleet-program-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const lab = (file: string) => path.join(repoRoot, "examples", "lab", file);

process.env.PJ_LAB_INVENTORY = path.join(work, "inventory.json");
fs.writeFileSync(
    process.env.PJ_LAB_INVENTORY,
    JSON.stringify({
        hosts: [{ name: "h1", address: "127.0.0.1", port: 10022, user: "root", keyPath: "/lab/key", hostKeyFingerprint: "SHA256:lab" }],
    }),
);

function writeFleet(hosts: string, cellHosts = ""): string {
    const file = path.join(work, `fleet-${registered.length}.yaml`);
    fs.writeFileSync(
        file,
        [`systemConfig: ${lab("system.yaml")}`, "hosts:", hosts, "cells:", `  - config: ${lab("rt-timer.yaml")}`, cellHosts, ""].join("\n"),
    );
    return file;
}

/** The connection a resource was given; the resource wraps it as a secret. */
function connectionOf(name: string): unknown {
    const resource = registered.find((r) => r.name === name);
    assert.ok(resource, `${name} was registered (registered: ${registered.map((r) => r.name).join(", ")})`);
    const connection = resource.inputs.connection as { value?: unknown };
    return connection.value ?? connection;
}

/** Runs the program and waits until every resource it declared is registered. */
async function registeredBy(
    program: () => Record<string, { kernelRelease: pulumi.Output<string>; cells: Record<string, pulumi.Output<string>> }>,
) {
    const outputs = Object.values(program()).flatMap((host) => [host.kernelRelease, ...Object.values(host.cells)]);
    await new Promise((resolve) => pulumi.all(outputs).apply(resolve));
}

test("a lab host gets the inventory's connection, another host the file's, with port 22 and user root by default", async () => {
    const file = writeFleet(
        ["  - inventory: h1", '  - { name: far, host: 10.0.0.9, privateKeyPath: /id, hostKey: { fingerprint: "SHA256:far" } }'].join("\n"),
        "    hosts: [far]",
    );
    await registeredBy(() => fleetProgram(file));
    const labConnection = {
        host: "127.0.0.1",
        port: 10022,
        user: "root",
        privateKeyPath: "/lab/key",
        hostKey: { fingerprint: "SHA256:lab" },
    };
    const farConnection = { host: "10.0.0.9", port: 22, user: "root", privateKeyPath: "/id", hostKey: { fingerprint: "SHA256:far" } };
    assert.deepEqual(connectionOf("h1-hypervisor"), labConnection);
    assert.deepEqual(connectionOf("far-hypervisor"), farConnection);
    assert.ok(
        registered.some((r) => r.name === "far-rt-timer"),
        "the cell runs on the host it names",
    );
    assert.ok(!registered.some((r) => r.name === "h1-rt-timer"), "and not on the other");
});

test("a lab host the inventory does not have is an error that says how to boot it", () => {
    const file = writeFleet(["  - inventory: h1", "  - inventory: h7"].join("\n"));
    assert.throws(() => fleetProgram(file), /host h7 is not in the lab inventory; run npm run lab -- up 2/);
});
