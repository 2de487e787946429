// SPDX-License-Identifier: MIT
// One live-state read per host per deployment, counted by a SIMULATED host
// (test/support/sim-hosts.ts: real sshd, the read answered from a state this
// test writes): a preview of a host with a Hypervisor and two Cells reads it
// once; a change made out of band between two deployments is always seen; and
// anything the provider runs on a host makes its next read a fresh one.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { HostConnectionInput } from "../../provider/src";
import { closeAll, withHost } from "../../provider/src/host";
import { forgetSnapshots, liveStateOf } from "../../provider/src/resources/host-snapshot";
import { connectionOf, type SimFleet, start as startSimHosts } from "../support/sim-hosts";
import { convergedState, simHostProgram } from "../support/sim-states";
import { testStack, type TestStack } from "../support/stack";

const running = convergedState({ rtTimer: "running", uartHello: "running" });
const limit = { timeout: 15 * 60_000 };

describe("live-state reads per host (SIMULATED host)", () => {
    let fleet: SimFleet;
    let dir: string;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-reads-"));
        const recording = path.join(dir, "state.txt");
        fs.writeFileSync(recording, `# SIMULATED converged host, written by test/integration/live-state-reads.test.ts\n${running}`);
        fleet = await startSimHosts(1, recording);
    });
    after(async () => {
        closeAll();
        await fleet?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("in one process, a read after any other command on the host is a fresh one", limit, async () => {
        forgetSnapshots();
        fleet.setLiveState(running);
        fleet.resetCounts();
        const host = fleet.hosts[0];
        const connection = connectionOf(host);
        const first = await withHost(connection, (s) => liveStateOf(s));
        const second = await withHost(connection, (s) => liveStateOf(s));
        assert.equal(second, first, "a second read with nothing run in between uses the snapshot");
        assert.equal(fleet.reads(host.name), 1);

        fleet.setLiveState(convergedState({ rtTimer: "shut down", uartHello: "running" }));
        await withHost(connection, (s) => s.run("a change by the provider", "true"));
        const third = await withHost(connection, (s) => liveStateOf(s));
        assert.equal(fleet.reads(host.name), 2, "the command invalidated the snapshot");
        assert.equal(third.cells.find((c) => c.name === "rt-timer")?.state, "shut down");

        // The simulated host answers every read alike; what counts here is that the provider asked again.
        await withHost(connection, (s) => liveStateOf(s, { bootLog: true }));
        assert.equal(fleet.reads(host.name), 3, "a read without the boot log cannot answer a caller that needs it");
        forgetSnapshots();
    });

    describe("deployments of a Hypervisor and two Cells", () => {
        let t: TestStack;
        const cellState = async (cell: string) => {
            const deployment = (await t.stack.exportStack()).deployment as {
                resources?: Array<{ urn: string; outputs?: Record<string, unknown> }>;
            };
            return deployment.resources?.find((r) => r.urn.endsWith(`::${cell}`))?.outputs?.liveState;
        };
        before(async () => {
            fleet.setLiveState(running);
            const connection = connectionOf(fleet.hosts[0]) as HostConnectionInput;
            t = await testStack("reads", async () => simHostProgram(connection));
            await t.stack.up();
        });
        after(async () => t?.dispose());

        // With --run-program the engine refreshes each resource as the program
        // declares it, in the provider process that then diffs it; without,
        // the refresh is a pass of its own with a provider process of its own.
        for (const form of [{ refresh: true }, { refresh: true, runProgram: true }]) {
            const flags = form.runProgram ? "--refresh --run-program" : "--refresh";
            test(`pulumi preview ${flags} reads the host once for its three resources`, limit, async () => {
                fleet.setLiveState(running);
                fleet.resetCounts();
                const preview = await t.stack.preview(form);
                const reads = fleet.reads(fleet.hosts[0].name);
                assert.ok(
                    reads <= 1,
                    `a preview of a host with 3 resources read it ${reads} times; at most 1 read per host per deployment`,
                );
                assert.equal(reads, 1);
                assert.equal(fleet.roundTrips(fleet.hosts[0].name), 1, "and ran nothing else there");
                assert.equal(preview.changeSummary.same, 4);
            });

            test(`pulumi preview ${flags} plans to start a cell that was stopped out of band`, limit, async () => {
                fleet.setLiveState(convergedState({ rtTimer: "shut down", uartHello: "running" }));
                fleet.resetCounts();
                const preview = await t.stack.preview(form);
                assert.equal(fleet.reads(fleet.hosts[0].name), 1);
                assert.equal(
                    preview.changeSummary.update,
                    1,
                    `the stopped rt-timer is one update: ${JSON.stringify(preview.changeSummary)}`,
                );
                assert.equal(preview.changeSummary.same, 3);
                fleet.setLiveState(running);
            });
        }

        test("a change made out of band between two deployments is seen by the second", limit, async () => {
            fleet.setLiveState(running);
            await t.stack.refresh();
            assert.equal(await cellState("sim-rt-timer"), "running");

            fleet.setLiveState(convergedState({ rtTimer: "shut down", uartHello: "running" }));
            fleet.resetCounts();
            await t.stack.refresh();
            assert.equal(await cellState("sim-rt-timer"), "shut down", "the second deployment read the host again");
            assert.equal(fleet.reads(fleet.hosts[0].name), 1);

            fleet.setLiveState(running);
            await t.stack.refresh();
            assert.equal(await cellState("sim-rt-timer"), "running", "and so did the third");
        });
    });
});
