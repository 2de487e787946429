// SPDX-License-Identifier: MIT
// The workbench chain end to end: the pinned Pulumi CLI built here runs a
// program with one dynamic resource that runs a command on a lab host over
// SSH; up, a preview with no changes, destroy, on a local file backend.
import * as automation from "@pulumi/pulumi/automation";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { labHost, labInventory } from "../support/lab-hosts";
import { cacheDir, pulumiBinDir, pulumiEnv, pulumiVersion, repoRoot } from "../../examples/lab/tooling/workbench";

test("the built Pulumi CLI reports the pinned version", () => {
    const printed = execFileSync(path.join(pulumiBinDir(), "pulumi"), ["version"], { encoding: "utf8" }).trim();
    assert.equal(printed, `v${pulumiVersion}`);
});

test("smoke: up, no-change preview and destroy of a dynamic resource that runs a command over SSH", async () => {
    const host = labHost("h1");
    const implementation = path.join(__dirname, "smoke-command.js");
    const program = async () => {
        const provider: pulumi.dynamic.ResourceProvider = {
            async create(inputs) {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- found at call time, like the product's shim
                return require(implementation).create(inputs);
            },
            async diff(_id, olds, news) {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- found at call time, like the product's shim
                return require(implementation).diff(olds, news);
            },
        };
        class SmokeCommand extends pulumi.dynamic.Resource {
            declare readonly stdout: pulumi.Output<string>;
        }
        const resource = new SmokeCommand(provider, "smoke", {
            address: host.address,
            port: host.port,
            user: host.user,
            keyPath: host.keyPath,
            hostKeyFingerprint: host.hostKeyFingerprint,
            command: "uname -r",
            stdout: undefined,
        });
        return { kernel: resource.stdout };
    };
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pj-smoke-"));
    // The engine starts the provider launcher in the work dir, which must
    // resolve @pulumi/pulumi: a folder inside the checkout does.
    const workDir = fs.mkdtempSync(path.join(repoRoot, "dist", "pj-smoke-"));
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName: "smoke", projectName: "pj-smoke", program },
        {
            workDir,
            pulumiCommand: await automation.PulumiCommand.get({ root: path.dirname(pulumiBinDir()) }),
            envVars: pulumiEnv(backend),
            projectSettings: { name: "pj-smoke", runtime: "nodejs", backend: { url: `file://${backend}` } },
        },
    );
    try {
        const upResult = await stack.up();
        assert.equal(upResult.summary.result, "succeeded");
        assert.equal(upResult.outputs.kernel.value, labInventory().kernelAbi);

        const preview = await stack.preview();
        assert.deepEqual(Object.keys(preview.changeSummary).sort(), ["same"]);

        const destroyed = await stack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.equal(destroyed.summary.resourceChanges?.delete, 2);
    } finally {
        await stack.workspace.removeStack("smoke").catch(() => undefined);
        fs.rmSync(backend, { recursive: true, force: true });
        fs.rmSync(workDir, { recursive: true, force: true });
    }
    assert.ok(fs.existsSync(cacheDir()));
});
