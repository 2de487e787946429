// SPDX-License-Identifier: MIT
// The lab CLI's answers to bad input: one line that names the problem and the
// fix. Each case runs the real CLI against a private cache folder, so the
// shared lab is untouched.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { existingImage } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const cli = path.join(repoRoot, "dist", "examples", "lab", "tooling", "lab-cli.js");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pj-lab-cli-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function runLab(cache: string, args: string[], env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [cli, ...args], {
        encoding: "utf8",
        env: { ...process.env, PULUMI_JAILHOUSE_CACHE: cache, PJ_LAB_INVENTORY: "", ...env },
    });
    // Progress lines name a host ("h1: booting ..."); the error is the first other line.
    const errorLine = result.stderr.split("\n").find((line) => line && !/^h\d+: /.test(line)) ?? "";
    return { code: result.status, firstLine: errorLine, stderr: result.stderr };
}

/** A private cache whose image reuses the real one's files, with some replaced. */
function cacheWithImage(name: string, replace: Record<string, Buffer> = {}): string {
    const cache = path.join(scratch, name);
    const image = path.join(cache, "lab", "images", "test");
    fs.mkdirSync(image, { recursive: true });
    const real = existingImage().dir;
    for (const file of ["vmlinuz", "initrd.img", "base.qcow2", "kernel-abi", "complete"]) {
        if (replace[file]) fs.writeFileSync(path.join(image, file), replace[file]);
        else fs.symlinkSync(path.join(real, file), path.join(image, file));
    }
    return cache;
}

test("up 0 is refused with the allowed range", () => {
    const r = runLab(path.join(scratch, "empty"), ["up", "0"]);
    assert.equal(r.code, 1);
    assert.match(r.firstLine, /host count must be a whole number from 1 to 8, got '0'; for example: npm run lab -- up 2/);
});

test("an unknown verb is a usage error", () => {
    const r = runLab(path.join(scratch, "empty"), ["boot"]);
    assert.equal(r.code, 2);
    assert.match(r.firstLine, /unknown verb 'boot'/);
});

test("a missing image names the build command", () => {
    const r = runLab(path.join(scratch, "no-image"), ["up", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.firstLine, /no lab image in .*; build it first \(about 8 min\): npm run lab -- build/);
});

test("a corrupt image is detected before booting", () => {
    const cache = cacheWithImage("corrupt", { "base.qcow2": Buffer.alloc(65536, 0x5a) });
    const r = runLab(cache, ["up", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.firstLine, /base\.qcow2 is corrupt \(.+\); remove .* and run: npm run lab -- build/);
});

test("a port already in use is named with the way out", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
        const r = runLab(cacheWithImage("port"), ["up", "1"], { PJ_LAB_BASE_PORT: String(port) });
        assert.equal(r.code, 1);
        assert.match(r.firstLine, new RegExp(`port ${port} for h1 on 127.0.0.1 is already in use .*PJ_LAB_BASE_PORT=`));
    } finally {
        blocker.close();
    }
});

test("a host that never answers SSH fails with its console's tail", () => {
    // A kernel of zeros: QEMU starts, nothing boots, SSH never answers.
    const cache = cacheWithImage("silent", { vmlinuz: Buffer.alloc(4096) });
    const env = { PJ_LAB_BASE_PORT: "10190", PJ_LAB_BOOT_TIMEOUT: "15" };
    try {
        const r = runLab(cache, ["up", "1"], env);
        assert.equal(r.code, 1);
        assert.match(
            r.firstLine,
            /h1 did not answer SSH on 127\.0\.0\.1:10190 within 15 s; see .*console\.log or raise PJ_LAB_BOOT_TIMEOUT/,
        );
        assert.match(r.stderr, /last console lines/);
    } finally {
        assert.equal(runLab(cache, ["down"], env).code, 0);
    }
});
