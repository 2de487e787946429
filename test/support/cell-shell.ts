// SPDX-License-Identifier: MIT
// A shell on a Linux cell's console: the lab's PCI 16550, whose line the lab
// exposes as a unix socket on the machine running QEMU. Waits for the
// busybox prompt, types commands and returns what they printed.
import assert from "node:assert/strict";
import { type LabHost } from "../../examples/lab/tooling/lab";
import { terminalText } from "../../examples/lab/tooling/terminal-text";
import { connectUart } from "./lab-shell";

/** Polls `cond` every half second until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
        if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

export type CellShell = Awaited<ReturnType<typeof cellShell>>;

export async function cellShell(host: LabHost, prompt = /linux-cell# $/) {
    const uart = await connectUart(host);
    const received = () => terminalText(uart.received());
    /** What arrived since `mark` (a length of received()), the first line cut off when `skipEcho`. */
    const since = (mark: number, skipEcho = false) => {
        const text = received().slice(mark);
        return skipEcho ? text.replace(/^[^\n]*\n/, "") : text;
    };
    /** When (Date.now()) the prompt arrived after `mark`: checked as each chunk arrives, for figures that must not carry a polling step. */
    const promptArrival = (mark: number, timeoutMs: number) =>
        new Promise<number>((resolve, reject) => {
            const stop = () => {
                clearTimeout(timer);
                off();
            };
            const check = () => {
                if (!prompt.test(since(mark))) return;
                stop();
                resolve(Date.now());
            };
            const timer = setTimeout(() => {
                stop();
                reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for the cell's shell prompt`));
            }, timeoutMs);
            const off = uart.onData(check);
            check();
        });
    return {
        received,
        mark: () => received().length,
        send: uart.send,
        close: uart.close,
        promptArrival,
        /** Waits for the prompt in what arrived since `mark`. */
        waitForPrompt: async (mark: number, timeoutMs: number) => void (await promptArrival(mark, timeoutMs)),
        /** Types `command` and returns what it printed up to the next prompt, its echo cut off. */
        async type(command: string, timeoutMs = 30_000): Promise<string> {
            const mark = received().length;
            uart.send(`${command}\r`);
            await waitFor(`'${command}' to finish`, () => prompt.test(since(mark, true)), timeoutMs);
            return since(mark, true).replace(prompt, "");
        },
    };
}
