// SPDX-License-Identifier: MIT
// The Hypervisor resource with the real Pulumi CLI against a lab host: up,
// a no-change preview, drift found by refresh and repaired by up, secrets
// kept out of the state file, an interrupted up that the next run
// converges, and a destroy that leaves the host clean.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { after, before, describe, test } from "node:test";
import { pendingOperations, recoverInterruptedRun } from "../../provider/src/resources/recovery";
import { sshArgs } from "../../examples/lab/tooling/lab";
import { labHost } from "../support/lab-hosts";
import { killedUp, type TestStack, testStack } from "../support/stack";
import { hypervisorProgram, labConnection } from "./programs";

const host = labHost(process.env.PJ_PROVIDER_HOST ?? "h2");
const privateKey = labConnection(host.name).privateKey;

function onHost(command: string): string {
    return execFileSync("ssh", [...sshArgs(host), command], { encoding: "utf8", timeout: 120_000 });
}

const hostEnabled = () => onHost("cat /sys/devices/jailhouse/enabled 2>/dev/null || echo absent").trim();

describe(`Hypervisor resource on ${host.name}`, () => {
    let t: TestStack;
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };

    before(async () => {
        t = await testStack("provider", hypervisorProgram(host.name));
    });
    after(async () => {
        await t.stack.destroy().catch(() => undefined);
        await t.dispose();
    });
    test("up deploys, builds on the host and enables", async () => {
        const result = await t.stack.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        assert.equal(result.outputs.enabled.value, true);
        assert.ok(Number(result.outputs.memPoolUsed.value) > 0);
        assert.equal(hostEnabled(), "1");
    });

    test("a preview right after reports no changes", async () => {
        const preview = await t.stack.preview();
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);
    });

    test("the state file holds no private key in plaintext", () => {
        const state = fs.readFileSync(t.stateFile(), "utf8");
        const keyBody = privateKey.split("\n").filter((line) => line.length > 40);
        assert.ok(keyBody.length > 0);
        for (const line of keyBody) assert.ok(!state.includes(line), "a line of the private key is in the state file");
        assert.match(state, /"ciphertext"/);
    });

    test("refresh finds a hypervisor disabled out of band; up repairs it", async () => {
        onHost("jailhouse disable");
        assert.equal(hostEnabled(), "0");
        const refresh = await t.stack.refresh();
        assert.equal(refresh.summary.resourceChanges?.update, 1, "refresh did not record the drift");
        const preview = await t.stack.preview();
        assert.equal(preview.changeSummary.update, 1);
        const repaired = await t.stack.up();
        assert.equal(repaired.outputs.enabled.value, true);
        assert.equal(hostEnabled(), "1");
    });

    test("an up killed mid-apply is followed by an up that converges", async () => {
        await t.stack.destroy();
        assert.equal(hostEnabled(), "absent");
        const killed = await killedUp(
            t.location,
            { module: require.resolve("./programs"), exportName: "hypervisorProgram", args: [host.name] },
            /jailhouse:Hypervisor hv creating/,
        );
        assert.match(killed, /creating/);
        const recovered = await recoverInterruptedRun(t.stack, { dir: t.location.backendDir, project: t.location.project });
        assert.deepEqual(await pendingOperations(t.stack), []);
        const converged = await t.stack.up();
        assert.equal(converged.summary.result, "succeeded", `after recovering ${recovered.join(", ")}`);
        assert.equal(hostEnabled(), "1");
        assert.deepEqual(Object.keys((await t.stack.preview()).changeSummary), ["same"]);
    });

    test("destroy disables and unloads, with every CPU back online", async () => {
        const destroyed = await t.stack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.equal(hostEnabled(), "absent");
        assert.equal(onHost("[ -d /sys/module/jailhouse ] && echo loaded || echo unloaded").trim(), "unloaded");
        assert.equal(onHost("cat /sys/devices/system/cpu/online").trim(), "0-3");
    });
});
