// SPDX-License-Identifier: MIT
// One lab host as the inventory lists it, and the ways to reach it: OpenSSH
// with the lab's key and pinned host key, and its serial console's log.
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import { LabError, type InventoryHost } from "../inventory";

const execFileAsync = promisify(execFile);

export interface LabHost extends InventoryHost {
    hostPublicKey: string;
    knownHostsPath: string;
    consoleLog: string;
    /** A 16550 on PCI (slot 4, INTx on SPI 3) that cells can own; Linux
     * binds it as ttyS0 but nothing opens it. Its line is this socket, its
     * output also logged. */
    cellUartSocket: string;
    cellUartLog: string;
    pidFile: string;
    /** The machine definition it was booted with (machineRevision). */
    machine?: number;
}

export function sshArgs(host: LabHost, extra: string[] = []): string[] {
    return [
        "-i",
        host.keyPath,
        "-p",
        String(host.port),
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${host.knownHostsPath}`,
        "-o",
        "ConnectTimeout=20",
        "-o",
        "LogLevel=ERROR",
        ...extra,
        `${host.user}@${host.address}`,
    ];
}

/** Whether the host lets the lab's key log in and run a command (a banner alone comes before the key is in place). */
export async function answersSsh(host: LabHost, timeoutMs = 30_000): Promise<boolean> {
    try {
        await execFileAsync("ssh", sshArgs(host, ["-o", "ConnectTimeout=10"]).concat("true"), { timeout: timeoutMs });
        return true;
    } catch {
        return false;
    }
}

/** The last lines of the host's serial console (kernel and hypervisor UART output). */
export function consoleTail(host: LabHost | undefined, lines = 40): string {
    if (!host || !fs.existsSync(host.consoleLog)) return "(no console log)";
    return fs.readFileSync(host.consoleLog, "utf8").replace(/\r/g, "").trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs a command on a lab host with OpenSSH, inheriting stdio; resolves to its exit code. */
export function sshInteractive(host: LabHost, command: string[]): Promise<number> {
    return new Promise((resolve) => {
        const child = spawn("ssh", sshArgs(host, command.length ? [] : ["-t"]).concat(command), { stdio: "inherit" });
        child.on("exit", (code) => resolve(code ?? 255));
    });
}

/** Runs a command on a lab host and returns its output; throws with stderr on failure. */
export async function sshRun(host: LabHost, command: string, timeoutMs = 600_000): Promise<string> {
    try {
        const { stdout } = await execFileAsync("ssh", sshArgs(host).concat(command), {
            timeout: timeoutMs,
            maxBuffer: 64 * 1024 * 1024,
        });
        return stdout;
    } catch (error) {
        const e = error as { stderr?: string; code?: number };
        throw new LabError(`${host.name}: '${command}' failed (exit ${e.code}): ${(e.stderr ?? "").trim().slice(-2000)}`);
    }
}
