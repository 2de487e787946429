// SPDX-License-Identifier: MIT
// Runs a demo inmate directly on the emulated machine, without Linux or the
// hypervisor, and collects its serial output until a line appears.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../examples/lab/tooling/workbench";

export const inmatesDir = path.join(repoRoot, "hypervisor", "inmates");

export function buildInmates(): void {
    execFileSync("make", ["-s", "-C", inmatesDir], { stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * Boots bare/<demo>.elf with `cmdline` where the bare build reads it
 * (0x48000000), under -icount shift=0,sleep=off so timing is deterministic.
 * Resolves with the serial output once `until` matches. CPUs beyond the
 * first wait powered off for PSCI CPU_ON.
 */
export function runBare(demo: string, cmdline: string, until: RegExp, timeoutMs = 60_000, cpus = 1): Promise<string> {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pj-bare-"));
    const cmdlineFile = path.join(scratch, "cmdline");
    fs.writeFileSync(cmdlineFile, `${cmdline}\0`);
    const qemu = spawn(
        "qemu-system-aarch64",
        [
            "-M",
            "virt,gic-version=3",
            "-cpu",
            "cortex-a57",
            "-smp",
            String(cpus),
            "-m",
            "256M",
            "-display",
            "none",
            "-serial",
            "stdio",
            "-monitor",
            "none",
            "-kernel",
            path.join(inmatesDir, "bare", `${demo}.elf`),
            "-device",
            `loader,file=${cmdlineFile},addr=0x48000000`,
            "-icount",
            "shift=0,sleep=off",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    return new Promise((resolve, reject) => {
        let output = "";
        const finish = (error?: Error) => {
            clearTimeout(timer);
            qemu.kill("SIGKILL");
            fs.rmSync(scratch, { recursive: true, force: true });
            if (error) reject(error);
            else resolve(output);
        };
        const timer = setTimeout(
            () => finish(new Error(`${demo} did not print ${until} within ${timeoutMs} ms; output:\n${output.slice(-2000)}`)),
            timeoutMs,
        );
        qemu.stdout.on("data", (chunk: Buffer) => {
            output += chunk.toString().replace(/\r/g, "");
            if (until.test(output)) finish();
        });
        qemu.on("exit", (code) => {
            if (!until.test(output)) finish(new Error(`QEMU exited (${code}) before ${demo} printed ${until}; output:\n${output}`));
        });
    });
}
