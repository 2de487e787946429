// SPDX-License-Identifier: MIT
// The shape of the fleet-speed figures: each a measurement, the anchor it is
// divided by (measured in the same run), the ratio and the goal.
import { spawn } from "node:child_process";
import { medianRange } from "../support/stats";

export interface SpeedRow {
    row: string;
    /** "SIMULATED" for simulated hosts (and only those), else the real hosts it ran on. */
    kind: string;
    measured: string;
    anchor: string;
    ratio?: number;
    goal: string;
    met?: boolean;
}

/**
 * The two forms of a refreshing deployment: with --run-program (what `npm
 * start` runs, one provider process per deployment) and without (the
 * refresh a pass of its own, the provider started again for the update).
 */
export const refreshForms = [
    { flags: "--refresh --run-program", options: { refresh: true, runProgram: true }, goals: true },
    { flags: "--refresh", options: { refresh: true }, goals: false },
] as const;

/** "1.23 s (1.10-1.40)" from milliseconds. */
export const timeText = (ms: number[]) =>
    medianRange(
        ms.map((t) => t / 1000),
        2,
        "s",
    );

export async function timed(fn: () => Promise<unknown>): Promise<number> {
    const begin = performance.now();
    await fn();
    return performance.now() - begin;
}

/** One host as plain OpenSSH reaches it. */
export interface SshTarget {
    host: string;
    port: number;
    user: string;
    privateKeyPath: string;
    knownHostsPath: string;
}

/** Runs `command` on every target at once with plain OpenSSH (a new connection each); resolves when all have ended. */
export async function parallelSsh(targets: SshTarget[], command: string): Promise<void> {
    await Promise.all(
        targets.map(
            (t) =>
                new Promise<void>((resolve, reject) => {
                    const args = [
                        "-i",
                        t.privateKeyPath,
                        "-p",
                        String(t.port),
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        "StrictHostKeyChecking=yes",
                        "-o",
                        `UserKnownHostsFile=${t.knownHostsPath}`,
                        "-o",
                        "LogLevel=ERROR",
                        `${t.user}@${t.host}`,
                        command,
                    ];
                    const child = spawn("ssh", args, { stdio: ["ignore", "ignore", "pipe"] });
                    let err = "";
                    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
                    child.on("error", reject);
                    child.on("exit", (code) =>
                        code === 0 ? resolve() : reject(new Error(`ssh ${t.host}:${t.port} exited ${code}: ${err.trim().slice(-300)}`)),
                    );
                }),
        ),
    );
}

export function speedTable(rows: SpeedRow[]): { columns: string[]; rows: Array<Array<string | number>> } {
    return {
        columns: ["figure", "hosts", "measured (median, min-max)", "anchor, same run", "ratio", "goal", "met"],
        rows: rows.map((r) => [
            r.row,
            r.kind,
            r.measured,
            r.anchor,
            r.ratio === undefined ? "-" : `${r.ratio.toFixed(2)}x`,
            r.goal,
            r.met === undefined ? "-" : r.met ? "yes" : "no",
        ]),
    };
}
