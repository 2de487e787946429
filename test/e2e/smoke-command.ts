// SPDX-License-Identifier: MIT
// Implementation behind the smoke test's dynamic resource: runs one command on
// a host over SSH (ssh2) with the host key pinned. Required at call time by
// the serialized provider shim, never captured by it.
import * as fs from "node:fs";
import { Client } from "ssh2";
import { fingerprintOf } from "../../provider/src/host/known-hosts";

export interface SmokeCommandInputs {
    address: string;
    port: number;
    user: string;
    keyPath: string;
    hostKeyFingerprint: string;
    command: string;
}

function runOverSsh(inputs: SmokeCommandInputs): Promise<string> {
    return new Promise((resolve, reject) => {
        const client = new Client();
        client
            .on("ready", () => {
                client.exec(inputs.command, (err, stream) => {
                    if (err) return reject(err);
                    let out = "";
                    stream.on("data", (d: Buffer) => (out += d.toString()));
                    stream.stderr.on("data", () => undefined);
                    stream.on("close", (code: number) => {
                        client.end();
                        if (code === 0) resolve(out.trim());
                        else reject(new Error(`'${inputs.command}' exited with ${code}`));
                    });
                });
            })
            .on("error", reject)
            .connect({
                host: inputs.address,
                port: inputs.port,
                username: inputs.user,
                privateKey: fs.readFileSync(inputs.keyPath),
                readyTimeout: 60_000,
                hostVerifier: (key: Buffer) => fingerprintOf(key) === inputs.hostKeyFingerprint,
            });
    });
}

export async function create(inputs: SmokeCommandInputs) {
    const stdout = await runOverSsh(inputs);
    return { id: `${inputs.address}:${inputs.port}`, outs: { ...inputs, stdout } };
}

export async function diff(olds: SmokeCommandInputs, news: SmokeCommandInputs) {
    const keys = ["address", "port", "user", "command"] as const;
    const replaces = keys.filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces };
}
