// SPDX-License-Identifier: MIT
// A cell has a say in `pulumi up` (issue 18): a Cell resource on a lab host
// whose probe locks itself, then denies. A refresh while it is locked shows
// it running, with no drift; an up that would replace it fails for that
// resource with "cell NAME refused shutdown (STATE); nothing was changed",
// and the cell keeps running on the host; an image change reloads it once
// it approves.
//
// The hypervisor is driven by hand (the shared host build, as the consent
// suite), so no Hypervisor resource builds on the host: the Cell resource
// uses its connection only. Host: PJ_PROVIDER_HOST (default h2); the suite
// leaves it disabled, module unloaded, all CPUs online, the host's own
// `jailhouse` CLI as it found it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { Cell } from "../../provider/src";
import { resetHostScript, suiteFolder } from "../support/host-build";
import { labHost } from "../support/lab-hosts";
import { run, sh } from "../support/lab-shell";
import { type TestStack, testStack } from "../support/stack";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { labConnection } from "./programs";

const host = labHost(process.env.PJ_PROVIDER_HOST ?? "h2");
const remote = "/root/pj-provider-consent";
const sysfs = "/sys/devices/jailhouse";
// Where the provider finds the CLI; whatever was there is put back after.
const hostCli = "/usr/local/sbin/jailhouse";
const savedCli = `${hostCli}.pj-provider-consent`;
const probeImage = path.join(repoRoot, "hypervisor", "inmates", "demos", "probe.bin");

/** What the next run of the program declares: the probe's act and its config file. */
const wanted = { args: "", config: "" };

const program = async () => {
    const probe = new Cell("probe", {
        connection: labConnection(host.name),
        config: wanted.config,
        images: [{ file: probeImage }, { string: `con=hvc ${wanted.args}`, address: "0x1000" }],
    });
    return { liveState: probe.liveState };
};

describe(`a cell has a say in pulumi up, on ${host.name}`, { timeout: 30 * 60_000 }, () => {
    let t: TestStack;
    let work: string;
    let output = "";
    const collect = { onOutput: (line: string) => (output += line) };

    const state = async () => {
        const list = JSON.parse(await run(host, "jailhouse cell list --json")) as { name: string; state: string }[];
        return list.find((c) => c.name === "consent-probe")?.state ?? "absent";
    };
    const probeConsole = () =>
        run(host, `for d in ${sysfs}/cells/*; do [ "$(cat $d/name)" = consent-probe ] && cat $d/console; done; true`);
    const waitFor = async (what: string, cond: () => Promise<boolean>, timeoutMs = 300_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await cond())) {
            if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
            await new Promise((r) => setTimeout(r, 500));
        }
    };

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-provider-consent-"));
        const compiler = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
        execFileSync(process.execPath, [
            compiler,
            "compile",
            path.join(repoRoot, "examples", "lab", "system.yaml"),
            "-o",
            path.join(work, "system.cell"),
        ]);
        // The same cell with another reply timeout: a config change, which replaces the cell.
        const yaml = fs.readFileSync(path.join(repoRoot, "examples", "consent", "consent-probe.yaml"), "utf8");
        fs.writeFileSync(path.join(work, "probe.yaml"), yaml);
        fs.writeFileSync(
            path.join(work, "probe-4s.yaml"),
            yaml.replace(/^msgReplyTimeout: .*$/m, "shutdown: { timeoutMs: 4000, onTimeout: fail }"),
        );
        await sh(host, resetHostScript());
        const build = await suiteFolder(host, remote, work, ["system.cell"]);
        await run(
            host,
            [
                `if [ -e ${hostCli} ] && [ ! -e ${savedCli} ]; then mv ${hostCli} ${savedCli}; fi`,
                `install -m 755 ${build.cli} ${hostCli}`,
                `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin`,
                `insmod ${remote}/kmod/jailhouse.ko`,
                `jailhouse enable ${remote}/system.cell`,
            ].join(" && "),
        );
        t = await testStack("provider-consent", program);
    });

    after(async () => {
        await sh(host, resetHostScript());
        await sh(host, `rm -f ${hostCli}; if [ -e ${savedCli} ]; then mv ${savedCli} ${hostCli}; fi; rm -rf ${remote}`);
        // What the provider put there for this cell.
        await sh(host, "rm -rf /etc/jailhouse/cells/consent-probe.cell /var/lib/pulumi-jailhouse/images/consent-probe");
        await t?.dispose();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test("up creates the cell; its probe locks it", async () => {
        Object.assign(wanted, { args: "act=lock", config: path.join(work, "probe.yaml") });
        const result = await t.stack.up(collect);
        assert.equal(result.summary.result, "succeeded", output);
        await waitFor("the probe to lock", async () => /probe: locked \(state 1\)/.test(await probeConsole()));
        assert.equal(await state(), "running/locked");
    });

    test("refresh shows the locked cell as running, not as drift", async () => {
        output = "";
        const refresh = await t.stack.refresh(collect);
        assert.equal(refresh.summary.resourceChanges?.update, undefined, `refresh recorded a change:\n${output}`);
        assert.doesNotMatch(output, /drift/);
        const deployment = (await t.stack.exportStack()).deployment as { resources: { urn: string; outputs?: { liveState?: string } }[] };
        assert.equal(deployment.resources.find((r) => r.urn.endsWith("::probe"))?.outputs?.liveState, "running");
        const preview = await t.stack.preview();
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);
    });

    test("an up that would replace the locked cell fails for it, and the cell keeps running", async () => {
        wanted.config = path.join(work, "probe-4s.yaml");
        output = "";
        await assert.rejects(t.stack.up(collect));
        assert.match(output, /cell consent-probe refused shutdown \(running\/locked\); nothing was changed/);
        assert.match(output, /jailhouse:Cell[^\n]*probe/);
        // Still there and running: the probe unlocks a second after it denied.
        assert.match(await state(), /^running(\/locked)?$/);
        await waitFor("the probe to unlock", async () => /probe: unlocked/.test(await probeConsole()));
    });

    test("an image change reloads the cell once it approves; a denying cell then refuses the replace", async () => {
        wanted.config = path.join(work, "probe.yaml");
        wanted.args = "act=deny count=1";
        output = "";
        const reloaded = await t.stack.up(collect);
        assert.equal(reloaded.summary.result, "succeeded", output);
        await waitFor("the probe to listen", async () => /denying 1 shutdown/.test(await probeConsole()));
        assert.equal(await state(), "running");

        wanted.config = path.join(work, "probe-4s.yaml");
        output = "";
        await assert.rejects(t.stack.up(collect));
        assert.match(output, /cell consent-probe refused shutdown \(running\); nothing was changed/);
        assert.equal(await state(), "running");
        assert.match(await probeConsole(), /probe: shutdown request denied/);
        // Denied once, the probe approves: the same up now replaces it (with a probe that approves at once).
        wanted.args = "act=deny count=0";
        output = "";
        const replaced = await t.stack.up(collect);
        assert.equal(replaced.summary.result, "succeeded", output);
        assert.equal(await state(), "running");
        const destroyed = await t.stack.destroy();
        assert.equal(destroyed.summary.result, "succeeded");
        assert.equal(await state(), "absent");
    });
});
