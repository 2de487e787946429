// SPDX-License-Identifier: MIT
// Bad input stops at check(), before any host is touched: `pulumi preview`
// with the real CLI fails with the config path, the value and the fix. The
// connection points at a port where nothing listens, so any attempt to reach
// the host would show up as a connection error instead.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Cell, Hypervisor } from "../../provider/src";
import { openStack, testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const nowhere = { host: "127.0.0.1", port: 9, user: "root", privateKey: "not-a-key", hostKey: { fingerprint: `SHA256:${"A".repeat(43)}` } };

test("preview reports config errors with path, value and fix, without connecting", async () => {
    const t = await testStack("check", async () => {
        const hv = new Hypervisor("hv", { connection: nowhere, systemConfig: path.join(repoRoot, "examples", "lab", "system.yaml") });
        new Cell("bad", {
            hypervisor: hv,
            config: {
                name: "bad",
                cpus: "1",
                memory: [
                    { name: "ram", phys: 0x70000000, virt: 0, size: "1 MB", flags: ["read", "write"] },
                    { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
                ],
            },
        });
    });
    try {
        let output = "";
        await assert.rejects(t.stack.preview({ onOutput: (line) => (output += line) }));
        assert.match(output, /config\.memory\[0\]\.size: size "1 MB" is not understood; write e\.g\. "64 MiB"/);
        assert.doesNotMatch(output, /ECONNREFUSED|connect/i);
    } finally {
        await t.dispose();
    }
});

test("preview rejects a connection without a host-key pin, naming the fix", async () => {
    const t = await testStack("check-conn", async () => {
        new Hypervisor("hv", {
            connection: { host: "127.0.0.1", port: 9, user: "root", privateKey: "secret-key-text" } as never,
            systemConfig: path.join(repoRoot, "examples", "lab", "system.yaml"),
        });
    });
    try {
        let output = "";
        await assert.rejects(t.stack.preview({ onOutput: (line) => (output += line) }));
        assert.match(output, /hostKey/);
        assert.match(output, /trustOnFirstUse/);
        assert.doesNotMatch(output, /secret-key-text/);
    } finally {
        await t.dispose();
    }
});

const collidingCells = async () => {
    const hv = new Hypervisor("hv", {
        connection: nowhere,
        systemConfig: path.join(repoRoot, "examples", "lab", "system.yaml"),
        stack: "installed",
    });
    new Cell("hello", { hypervisor: hv, config: path.join(repoRoot, "examples", "lab", "uart-hello.yaml") });
    new Cell("echo", { hypervisor: hv, config: path.join(repoRoot, "examples", "lab", "uart-echo.yaml") });
};
const collision = /(hello: cpus: CPU 2 is also given to cell "uart-echo"|echo: cpus: CPU 2 is also given to cell "uart-hello")/;

/**
 * A program folder outside the checkout, as `npm install` leaves it: the
 * engine's provider launcher needs @pulumi/pulumi there, and the program
 * depends on this package (a link, as for a "file:" dependency) or not.
 */
async function previewOutside(name: string, withPackage: boolean): Promise<string> {
    const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), `pj-${name}-`));
    const workDir = path.join(root, "program");
    fs.mkdirSync(path.join(workDir, "node_modules"), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi"), path.join(workDir, "node_modules", "@pulumi"));
    if (withPackage) fs.symlinkSync(repoRoot, path.join(workDir, "node_modules", "pulumi-jailhouse"));
    const location = { name, project: `pj-${name}`, backendDir: path.join(root, "state"), workDir };
    fs.mkdirSync(location.backendDir);
    const stack = await openStack(location, collidingCells);
    let output = "";
    try {
        await assert.rejects(stack.preview({ onOutput: (line) => (output += line) }));
        return output;
    } finally {
        await stack.workspace.removeStack(name, { force: true }).catch(() => undefined);
        fs.rmSync(root, { recursive: true, force: true });
    }
}

test("a program outside the checkout finds the implementation by package name", async () => {
    assert.match(await previewOutside("outside", true), collision);
});

test("a program without the package is told which package and version to install", async () => {
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
    assert.ok((await previewOutside("no-package", false)).includes(`npm install pulumi-jailhouse@${version}`));
});

test("preview applies the rules across the cells of one host, naming the resource", async () => {
    const t = await testStack("check-host", collidingCells);
    try {
        let output = "";
        await assert.rejects(t.stack.preview({ onOutput: (line) => (output += line) }));
        assert.match(output, collision);
        assert.doesNotMatch(output, /ECONNREFUSED|connect/i);
    } finally {
        await t.dispose();
    }
});
