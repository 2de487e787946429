// SPDX-License-Identifier: MIT
// Log lines name a host by its own name once its live state was read, so a
// fleet's output reads "h1: enable", not "127.0.0.1:10022: enable".
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHostConnection } from "../../provider/src/host/connection";
import { type ExecResult, HostSession } from "../../provider/src/host";
import { readLiveState } from "../../provider/src/resources/live-state";

const liveState = ["livestate=1", "hostname=h1", "kernel=6.1.0-56-arm64", "online=0-3", "cmdline=", "module=0", "end=1", ""].join("\n");

/** A session whose commands answer from a script instead of a host. */
class ScriptedSession extends HostSession {
    override async exec(command: string): Promise<ExecResult> {
        return { code: 0, stdout: command.includes("livestate") ? liveState : "", stderr: "" } as ExecResult;
    }
}

test("log lines use the host's name after its live state was read, on every session of that connection", async () => {
    const connection = parseHostConnection({ host: "127.0.0.1", port: 10022, privateKey: "k", hostKey: { trustOnFirstUse: true } });
    const entry = { roundTrips: 0 } as ConstructorParameters<typeof HostSession>[1];
    const lines: string[] = [];
    const first = new ScriptedSession(connection, entry, (line) => lines.push(line));
    assert.equal(first.label, "127.0.0.1:10022");
    await readLiveState(first);
    await first.run("enable", "true");
    await new ScriptedSession(connection, entry, (line) => lines.push(line)).run("disable", "true");
    assert.deepEqual(lines, ["h1: enable", "h1: disable"]);
});
