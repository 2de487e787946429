// SPDX-License-Identifier: MIT
// Builds this checkout's `jailhouse` CLI on a lab host in a folder of its
// own, without installing it, so a test can run `jailhouse state` there
// whatever the host has deployed.
import { execFileSync } from "node:child_process";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { run, sh } from "./lab-shell";
import { cliInTree, cliSourceDir } from "../../provider/src/resources/remote-layout";

/** The folder on the host; the pj- prefix is the one other suites' resets look in for a CLI. */
export const nativeCliDir = "/root/pj-state";
export const nativeCliPath = `${nativeCliDir}/${cliInTree}`;

export async function buildNativeCli(host: LabHost): Promise<string> {
    const files = execFileSync("git", ["ls-files", cliSourceDir, "hypervisor/include"], {
        cwd: repoRoot,
        encoding: "utf8",
    })
        .split("\n")
        .filter(Boolean);
    const tar = execFileSync("tar", ["-c", "-C", repoRoot, ...files], { maxBuffer: 16 * 1024 * 1024 });
    await run(host, `rm -rf ${nativeCliDir} && mkdir -p ${nativeCliDir}`);
    const put = await sh(host, `tar -x -C ${nativeCliDir}`, tar);
    if (put.code !== 0) throw new Error(`${host.name}: unpacking the CLI sources failed: ${put.stderr}`);
    await run(host, `make -s -C ${nativeCliDir}/${cliSourceDir}`, 600_000);
    return nativeCliPath;
}
