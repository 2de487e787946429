// SPDX-License-Identifier: MIT
// Runs a small C program against the hypervisor's own headers (and, if
// given, some of its source files) outside EL2: built for this machine, or
// for arm64 with the cross compiler and run under qemu-user when the code
// holds arm64 instructions. Prints go to the returned stdout.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const includes = ["hypervisor/core/include", "hypervisor/include", "hypervisor/arch/arm64/include"];

export function runHypervisorC(program: string, options: { arm64?: boolean; sources?: string[] } = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hypervisor-c-"));
    const compiler = options.arm64 ? "aarch64-linux-gnu-gcc" : "cc";
    try {
        fs.writeFileSync(path.join(dir, "t.c"), program);
        const args = [
            "-std=gnu11",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-unused-parameter",
            ...(options.arm64 ? ["-static"] : []),
            ...includes.map((i) => `-I${path.join(repoRoot, i)}`),
        ];
        const sources = (options.sources ?? []).map((s) => path.join(repoRoot, s));
        const built = spawnSync(compiler, [...args, "-o", path.join(dir, "t"), path.join(dir, "t.c"), ...sources], { encoding: "utf8" });
        assert.equal(built.status, 0, `${compiler} failed: ${built.stderr}`);
        const ran = options.arm64
            ? spawnSync("qemu-aarch64-static", [path.join(dir, "t")], { encoding: "utf8" })
            : spawnSync(path.join(dir, "t"), { encoding: "utf8" });
        assert.equal(ran.status, 0, ran.stderr);
        return ran.stdout;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
