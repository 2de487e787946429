// SPDX-License-Identifier: MIT
// A stack outlives the checkout and the credential it was written with, as on
// CI runners and after a key rotation. A program folder of its own (its
// Pulumi.yaml, index.js and node_modules with the packed package, as `npm
// install` leaves it) runs `pulumi up` at path A; the program and the
// stack's backend then move to path B and A's node_modules is deleted, so
// nothing of A can be loaded. From B: a refreshing preview sees no change,
// removing a cell destroys it on the host, a rotated SSH key is stored by an
// update and used by refresh and destroy after the old key is withdrawn from
// the host.
import * as automation from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { sshArgs } from "../../examples/lab/tooling/lab";
import { labHost } from "../support/lab-hosts";
import { pulumiBinDir, pulumiEnv, repoRoot } from "../../examples/lab/tooling/workbench";

const host = labHost(process.env.PJ_PROVIDER_HOST ?? "h2");
const stackName = "moves";

function onHost(command: string, keyPath = host.keyPath): string {
    const args = sshArgs({ ...host, keyPath }, ["-o", "IdentitiesOnly=yes"]);
    return execFileSync("ssh", [...args, command], { encoding: "utf8", timeout: 120_000 });
}

/** The names of the cells other than the root cell (id 0) that the host's hypervisor runs. */
const liveCells = (keyPath = host.keyPath) =>
    onHost('for c in /sys/devices/jailhouse/cells/*; do [ "${c##*/}" = 0 ] || cat "$c/name"; done 2>/dev/null; true', keyPath)
        .split("\n")
        .filter(Boolean);

const program = `
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const { Cell, Hypervisor } = require("pulumi-jailhouse");

const settings = JSON.parse(fs.readFileSync("settings.json", "utf8"));
const examples = "node_modules/pulumi-jailhouse/examples/lab";
const connection = { ...settings.connection, privateKey: pulumi.secret(fs.readFileSync(settings.keyFile, "utf8")) };
const hv = new Hypervisor("hv", { connection, systemConfig: examples + "/system.yaml" });
for (const cell of settings.cells)
    new Cell(cell.name, { hypervisor: hv, config: examples + "/" + cell.config, images: cell.images });
exports.enabled = hv.enabled;
`;

interface Settings {
    connection: { host: string; port: number; user: string; hostKey: { fingerprint: string } };
    keyFile: string;
    cells: { name: string; config: string; images: unknown[] }[];
}

/** A program folder as `npm install` of the packed package leaves it; the package's own dependencies are linked. */
function installProgram(dir: string, tarball: string, settings: Settings): void {
    const modules = path.join(dir, "node_modules");
    fs.mkdirSync(path.join(modules, "pulumi-jailhouse"), { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", path.join(modules, "pulumi-jailhouse"), "--strip-components=1"]);
    for (const entry of fs.readdirSync(path.join(repoRoot, "node_modules")))
        if (entry !== "pulumi-jailhouse" && !entry.startsWith("."))
            fs.symlinkSync(path.join(repoRoot, "node_modules", entry), path.join(modules, entry));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pj-moves\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "index.js"), program);
    writeSettings(dir, settings);
}

const writeSettings = (dir: string, settings: Settings) =>
    fs.writeFileSync(path.join(dir, "settings.json"), JSON.stringify(settings, null, 2));

async function openStackIn(dir: string, backendDir: string): Promise<automation.Stack> {
    return automation.LocalWorkspace.createOrSelectStack(
        { stackName, workDir: dir },
        { pulumiCommand: await automation.PulumiCommand.get({ root: path.dirname(pulumiBinDir()) }), envVars: pulumiEnv(backendDir) },
    );
}

describe(`a stack moved to another checkout, then a rotated key, on ${host.name}`, () => {
    let scratch: string;
    let checkoutA: string;
    let checkoutB: string;
    let backendB: string;
    let stack: automation.Stack;
    let authorizedKeys: string;
    let settings: Settings;
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };

    before(async () => {
        scratch = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "pj-moves-"));
        execFileSync("npm", ["pack", "--pack-destination", scratch], { cwd: repoRoot, stdio: "ignore" });
        const tarball = path.join(
            scratch,
            fs.readdirSync(scratch).find((f) => f.endsWith(".tgz"))!,
        );
        checkoutA = path.join(scratch, "a", "program");
        checkoutB = path.join(scratch, "elsewhere", "b", "program");
        backendB = path.join(scratch, "elsewhere", "b", "state");
        settings = {
            connection: { host: host.address, port: host.port, user: host.user, hostKey: { fingerprint: host.hostKeyFingerprint } },
            keyFile: host.keyPath,
            cells: [
                { name: "timer", config: "rt-timer.yaml", images: [{ demo: "timer", args: "con=hvc hz=10" }] },
                { name: "hello", config: "uart-hello.yaml", images: [{ demo: "uart-hello", args: "con=hvc period-ms=1000" }] },
            ],
        };
        installProgram(checkoutA, tarball, settings);
        authorizedKeys = onHost("cat /root/.ssh/authorized_keys");
    });
    after(async () => {
        // Whatever happened, the lab key logs in again and the host is clean for the next suite.
        const rotated = path.join(scratch, "rotated_key");
        const restore = `printf '%s' '${authorizedKeys.replace(/'/g, "'\\''")}' > /root/.ssh/authorized_keys`;
        for (const key of [host.keyPath, rotated]) {
            try {
                if (fs.existsSync(key)) {
                    onHost(restore, key);
                    break;
                }
            } catch {
                // try the other key
            }
        }
        await stack?.destroy().catch(() => undefined);
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    test("up from checkout A creates the hypervisor and both cells", async () => {
        const backendA = path.join(scratch, "a", "state");
        const stackA = await openStackIn(checkoutA, backendA);
        const result = await stackA.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        assert.deepEqual(liveCells().sort(), ["rt-timer", "uart-hello"]);
        const state = fs.readFileSync(path.join(backendA, ".pulumi", "stacks", "pj-moves", `${stackName}.json`), "utf8");
        assert.ok(!state.includes(scratch), "the state names a path of the checkout");

        fs.mkdirSync(path.dirname(checkoutB), { recursive: true });
        fs.cpSync(path.join(scratch, "a"), path.join(scratch, "elsewhere", "b"), { recursive: true, verbatimSymlinks: true });
        fs.rmSync(path.join(checkoutA, "node_modules"), { recursive: true, force: true });
        stack = await openStackIn(checkoutB, backendB);
    });

    test("from checkout B a refreshing preview sees no change", async () => {
        output = "";
        const preview = await stack.preview({ refresh: true, ...collect });
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"], output);
    });

    test("from checkout B, a cell removed from the program is destroyed on the host", async () => {
        writeSettings(checkoutB, { ...settings, cells: settings.cells.filter((c) => c.name !== "hello") });
        output = "";
        const result = await stack.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        assert.equal(result.summary.resourceChanges?.delete, 1, output);
        assert.deepEqual(liveCells(), ["rt-timer"]);
    });

    test("a rotated key is an update; refresh and destroy use it once the old key is withdrawn", async () => {
        const rotated = path.join(scratch, "rotated_key");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pj-rotated", "-f", rotated]);
        onHost(`cat >> /root/.ssh/authorized_keys <<'EOF'\n${fs.readFileSync(`${rotated}.pub`, "utf8")}EOF`);
        settings = { ...settings, keyFile: rotated, cells: settings.cells.filter((c) => c.name !== "hello") };
        writeSettings(checkoutB, settings);

        output = "";
        const preview = await stack.preview(collect);
        assert.match(output, /connection changed/);
        assert.ok(!output.includes(fs.readFileSync(rotated, "utf8").split("\n")[1]), "the preview printed the new key");
        assert.deepEqual(Object.keys(preview.changeSummary).sort(), ["same", "update"].sort(), output);
        const updated = await stack.up(collect);
        assert.equal(updated.summary.result, "succeeded", output);
        assert.deepEqual(liveCells(), ["rt-timer"], "the update changed the host");

        onHost(
            `grep -F pj-rotated /root/.ssh/authorized_keys > /root/.ssh/authorized_keys.new && mv /root/.ssh/authorized_keys.new /root/.ssh/authorized_keys`,
            rotated,
        );
        assert.throws(() => onHost("true"), "the old key still logs in");

        output = "";
        const refresh = await stack.refresh(collect);
        assert.equal(refresh.summary.result, "succeeded", output);
        const destroyed = await stack.destroy(collect);
        assert.equal(destroyed.summary.result, "succeeded", output);
        assert.deepEqual(liveCells(rotated), []);
        assert.equal(onHost("cat /sys/devices/jailhouse/enabled 2>/dev/null || echo absent", rotated).trim(), "absent");
    });
});
