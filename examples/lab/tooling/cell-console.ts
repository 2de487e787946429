// SPDX-License-Identifier: MIT
// A person at a cell's UART: the terminal in raw mode joined to the lab
// host's 16550 socket, until Ctrl-] (as telnet) or the socket closes.
import * as net from "node:net";
import { LabError } from "../inventory";

const DETACH = 0x1d; // Ctrl-]

export function attachConsole(socketPath: string, name: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(socketPath);
        const stdin = process.stdin;
        const restore = () => {
            if (stdin.isTTY) stdin.setRawMode(false);
            stdin.pause();
        };
        socket.once("error", (error: NodeJS.ErrnoException) => {
            restore();
            reject(
                new LabError(
                    `cell-console ${name}: cannot open ${socketPath} (${error.code ?? error.message}); is the host running? npm run lab -- status`,
                ),
            );
        });
        socket.once("connect", () => {
            process.stderr.write(`cell-console ${name}: attached to the cell UART; Ctrl-] detaches\r\n`);
            if (stdin.isTTY) stdin.setRawMode(true);
            stdin.on("data", (data: Buffer) => {
                const at = data.indexOf(DETACH);
                if (at < 0) return void socket.write(data);
                if (at > 0) socket.write(data.subarray(0, at));
                // QEMU keeps its end open, so a half-close would never finish.
                socket.end(() => socket.destroy());
            });
            stdin.once("end", () => socket.end(() => socket.destroy()));
            stdin.resume();
            socket.pipe(process.stdout, { end: false });
        });
        socket.once("close", () => {
            restore();
            process.stderr.write(`\r\ncell-console ${name}: detached\r\n`);
            resolve(0);
        });
    });
}
