// SPDX-License-Identifier: MIT
// Pulumi programs the end-to-end tests deploy, in a module of their own so a
// child process (killedUp) can build the same program.
import * as fs from "node:fs";
import * as path from "node:path";
import { Hypervisor } from "../../provider/src";
import { labHost } from "../support/lab-hosts";
import { repoRoot } from "../workbench";

/** The connection to a lab host, with the private key's text as a secret input. */
export function labConnection(hostName: string) {
    const host = labHost(hostName);
    return {
        host: host.address,
        port: host.port,
        user: host.user,
        privateKey: fs.readFileSync(host.keyPath, "utf8"),
        hostKey: { fingerprint: host.hostKeyFingerprint },
    };
}

export function hypervisorProgram(hostName: string) {
    return async () => {
        const hv = new Hypervisor("hv", {
            connection: labConnection(hostName),
            systemConfig: path.join(repoRoot, "examples", "lab", "system.yaml"),
        });
        return { enabled: hv.enabled, memPoolUsed: hv.memPoolUsed, kernelRelease: hv.kernelRelease };
    };
}
