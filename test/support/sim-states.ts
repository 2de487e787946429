// SPDX-License-Identifier: MIT
// SIMULATED states and the program that goes with them: a converged lab host
// as the shell reader prints it, for the simulated sshd to serve, and the
// program of one such host (a Hypervisor and the two lab cells).
import * as path from "node:path";
import { Cell, type HostConnectionInput, Hypervisor } from "../../provider/src";
import { repoRoot } from "../../examples/lab/tooling/workbench";

/** A converged host as the shell reader prints it: the hypervisor enabled, both lab cells in the given states. */
export function convergedState(cellStates: { rtTimer: string; uartHello: string }): string {
    return [
        "livestate=1",
        "hostname=sim-converged",
        "kernel=6.1.0-57-arm64",
        "online=0-3",
        "cmdline=root=/dev/vda console=ttyAMA0 kvm-arm.mode=none",
        "ram=40000000-7fffffff",
        "module=1",
        "jailhouse.enabled=1",
        "jailhouse.mem_pool_size=16384",
        "jailhouse.mem_pool_used=1200",
        "jailhouse.remap_pool_size=1024",
        "jailhouse.remap_pool_used=20",
        "jailhouse.last_error=",
        "cell.0.name=lab-root",
        "cell.0.state=running",
        "cell.0.cpus=0,3",
        "cell.0.failed=",
        "cell.1.name=rt-timer",
        `cell.1.state=${cellStates.rtTimer}`,
        "cell.1.cpus=1",
        "cell.1.failed=",
        "cell.2.name=uart-hello",
        `cell.2.state=${cellStates.uartHello}`,
        "cell.2.cpus=2",
        "cell.2.failed=",
        "end=1",
        "",
    ].join("\n");
}

/** One host of the default program: its Hypervisor and the cells rt-timer and uart-hello; `timerArgs` changes one cell. */
export function simHostProgram(connection: HostConnectionInput, options: { prefix?: string; timerArgs?: string } = {}): void {
    const lab = path.join(repoRoot, "examples", "lab");
    const prefix = options.prefix ?? "sim";
    const hypervisor = new Hypervisor(`${prefix}-hypervisor`, { connection, systemConfig: path.join(lab, "system.yaml") });
    new Cell(`${prefix}-rt-timer`, {
        hypervisor,
        config: path.join(lab, "rt-timer.yaml"),
        images: [{ demo: "timer", args: options.timerArgs ?? "hz=10" }],
    });
    new Cell(`${prefix}-uart-hello`, { hypervisor, config: path.join(lab, "uart-hello.yaml"), images: [{ demo: "uart-hello" }] });
}
