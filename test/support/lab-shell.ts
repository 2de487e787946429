// SPDX-License-Identifier: MIT
// Shell access to a lab host for the end-to-end suites that drive the
// hypervisor by hand (hypervisor.test.ts, cells.test.ts): run a command over
// the lab's OpenSSH client and look at the exit code, stdout and stderr.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as net from "node:net";
import { type LabHost, sshArgs } from "../../examples/lab/tooling/lab";
import { labInventory } from "./lab-hosts";

export interface Result {
    code: number;
    stdout: string;
    stderr: string;
}

/** The host named by PJ_HV_HOST, else the first inventory host. */
export function pickHost(): LabHost {
    const hosts = labInventory().hosts;
    const wanted = process.env.PJ_HV_HOST;
    const host = wanted ? hosts.find((h) => h.name === wanted) : hosts[0];
    if (!host) throw new Error(`lab host ${wanted ?? "(any)"} not in the inventory; run: npm run lab -- up 1`);
    return host;
}

/**
 * SSH's own failures before the session starts: the command never ran, so
 * running it again is safe. Under full load an emulated host's sshd can miss
 * the connect timeout now and then.
 */
const notConnected = /Connection timed out during banner exchange|kex_exchange_identification|Connection refused/;

/** Runs a command on the host; never throws on a non-zero exit. */
export async function sh(host: LabHost, command: string, input?: Buffer, timeoutMs = 600_000): Promise<Result> {
    for (let attempt = 1; ; attempt++) {
        const result = await shOnce(host, command, input, timeoutMs);
        if (result.code !== 255 || !notConnected.test(result.stderr) || attempt === 4) return result;
        await new Promise((r) => setTimeout(r, 5000 * attempt));
    }
}

function shOnce(host: LabHost, command: string, input: Buffer | undefined, timeoutMs: number): Promise<Result> {
    return new Promise((resolve) => {
        const child = execFile(
            "ssh",
            sshArgs(host).concat(command),
            { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 255) : 0;
                resolve({ code, stdout, stderr });
            },
        );
        if (input) child.stdin?.end(input);
        else child.stdin?.end();
    });
}

/** Like sh, but the command must succeed; returns stdout. */
export async function run(host: LabHost, command: string, timeoutMs?: number): Promise<string> {
    const r = await sh(host, command, undefined, timeoutMs);
    assert.equal(r.code, 0, `${host.name}: '${command}' failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
}

export function hasCrossCompiler(): boolean {
    try {
        execFileSync("aarch64-linux-gnu-gcc", ["--version"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export { consoleTail } from "../../examples/lab/tooling/lab";

/** A connection to the host's cell UART (the lab's PCI 16550, which uart-echo takes). */
export async function connectUart(host: LabHost) {
    assert.ok(
        host.cellUartSocket && fs.existsSync(host.cellUartSocket),
        `${host.name} has no cell UART socket (a lab booted by older code); reboot it: npm run lab -- down && npm run lab -- up 2`,
    );
    const socket = net.createConnection(host.cellUartSocket);
    await once(socket, "connect");
    let received = "";
    const listeners = new Set<() => void>();
    socket.on("data", (data: Buffer) => {
        received += data.toString("latin1");
        for (const listener of listeners) listener();
    });
    return {
        received: () => received,
        /** Calls `listener` after each chunk that arrives; returns the function that stops it. */
        onData: (listener: () => void) => {
            listeners.add(listener);
            return () => listeners.delete(listener);
        },
        send: (text: string) => socket.write(text),
        close: () => socket.destroy(),
    };
}
