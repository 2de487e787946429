// SPDX-License-Identifier: MIT
// Bad input stops at check(), before any host is touched: `pulumi preview`
// with the real CLI fails with the config path, the value and the fix. The
// connection points at a port where nothing listens, so any attempt to reach
// the host would show up as a connection error instead.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { Cell, Hypervisor } from "../../provider/src";
import { testStack } from "../support/stack";
import { repoRoot } from "../workbench";

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

test("preview applies the rules across the cells of one host, naming the resource", async () => {
    const t = await testStack("check-host", async () => {
        const hv = new Hypervisor("hv", { connection: nowhere, systemConfig: path.join(repoRoot, "examples", "lab", "system.yaml"), stack: "installed" });
        new Cell("hello", { hypervisor: hv, config: path.join(repoRoot, "examples", "lab", "uart-hello.yaml") });
        new Cell("echo", { hypervisor: hv, config: path.join(repoRoot, "examples", "lab", "uart-echo.yaml") });
    });
    try {
        let output = "";
        await assert.rejects(t.stack.preview({ onOutput: (line) => (output += line) }));
        assert.match(output, /(hello: cpus: CPU 2 is also given to cell "uart-echo"|echo: cpus: CPU 2 is also given to cell "uart-hello")/);
        assert.doesNotMatch(output, /ECONNREFUSED|connect/i);
    } finally {
        await t.dispose();
    }
});
