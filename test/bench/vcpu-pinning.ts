// SPDX-License-Identifier: MIT
// Dedicated CPUs on an emulated lab host. QEMU's TCG runs each vCPU as a
// host thread; with a lab host's 4 vCPUs on this machine's 2 cores, a busy
// cell takes host time from a real-time cell's vCPU, which hardware, where
// every CPU is its own, never does. Pinning that vCPU's thread, together
// with QEMU's other threads (its timers and devices, which raise the
// vCPU's interrupts), to one host core and the other vCPUs to the rest
// gives it a core of its own; the figures taken so are labelled as such.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { LabHost } from "../../examples/lab/tooling/lab";

/** What the host's QEMU monitor answers to `command`, up to its next prompt. */
function monitor(host: LabHost, command: string): Promise<string> {
    const socketPath = path.join(path.dirname(host.pidFile), "monitor.sock");
    return new Promise((resolve, reject) => {
        const socket = net.createConnection(socketPath);
        let text = "";
        let sent = false;
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`${host.name}: no answer from the QEMU monitor to '${command}'`));
        }, 10_000);
        socket.on("data", (data: Buffer) => {
            text += data.toString("latin1");
            if (!text.endsWith("(qemu) ")) return;
            if (!sent) {
                sent = true;
                text = "";
                socket.write(`${command}\n`);
                return;
            }
            clearTimeout(timer);
            socket.destroy();
            resolve(text);
        });
        socket.on("error", reject);
    });
}

/** The host thread of each vCPU, by CPU number. */
async function vcpuThreads(host: LabHost): Promise<Map<number, number>> {
    const answer = await monitor(host, "info cpus");
    return new Map([...answer.matchAll(/CPU #(\d+): thread_id=(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

const setAffinity = (tid: number, cores: string) => execFileSync("taskset", ["-p", "-c", cores, String(tid)], { stdio: "ignore" });

/**
 * Gives the lab host's vCPU `cpu` host core 0, shared only with QEMU's
 * own threads, and every other vCPU the remaining cores; returns what
 * undoes it, or undefined on a machine with a single core.
 */
export async function dedicateCore(host: LabHost, cpu: number): Promise<(() => void) | undefined> {
    const cores = os.cpus().length;
    if (cores < 2) return undefined;
    const pid = Number(fs.readFileSync(host.pidFile, "utf8").trim());
    const vcpus = await vcpuThreads(host);
    if (!vcpus.has(cpu)) throw new Error(`${host.name}: the QEMU monitor names no thread of CPU ${cpu}`);
    const others = new Set([...vcpus].filter(([n]) => n !== cpu).map(([, tid]) => tid));
    const threads = () => fs.readdirSync(`/proc/${pid}/task`).map(Number);
    for (const tid of threads()) setAffinity(tid, others.has(tid) ? `1-${cores - 1}` : "0");
    return () => {
        for (const tid of threads()) setAffinity(tid, `0-${cores - 1}`);
    };
}
