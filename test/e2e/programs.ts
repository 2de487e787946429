// SPDX-License-Identifier: MIT
// Pulumi programs the end-to-end tests deploy, in a module of their own so a
// child process (killedUp) can build the same program.
import * as fs from "node:fs";
import * as path from "node:path";
import { Cell, Hypervisor } from "../../provider/src";
import { labHost } from "../support/lab-hosts";
import { repoRoot } from "../../examples/lab/tooling/workbench";

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

/** The Linux cell's files on this machine: the kernel the lab boots and the lab's busybox initramfs. */
export interface LinuxFiles {
    kernel: string;
    initrd: string;
}

/**
 * A Hypervisor, rt-timer on CPU 1 and the Linux cell (examples/lab/linux.yaml)
 * booting `files` with the command line `cmdline()` reads at each run.
 */
export function linuxCellProgram(hostName: string, files: LinuxFiles, cmdline: () => string) {
    return async () => {
        const lab = (name: string) => path.join(repoRoot, "examples", "lab", name);
        const hv = new Hypervisor("hv", { connection: labConnection(hostName), systemConfig: lab("system.yaml") });
        const timer = new Cell("rt-timer", {
            hypervisor: hv,
            config: lab("rt-timer.yaml"),
            images: [{ demo: "timer", args: "con=hvc hz=1" }],
        });
        const linux = new Cell("linux", {
            hypervisor: hv,
            config: lab("linux.yaml"),
            images: [{ linux: { ...files, cmdline: cmdline() } }],
        });
        return { timerId: timer.cellId, linuxId: linux.cellId, linuxState: linux.liveState };
    };
}
