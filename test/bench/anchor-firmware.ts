// SPDX-License-Identifier: MIT
// The two hypervisor firmwares the timer bench sets side by side: the one in
// this tree and the one at the anchor commit (the hypervisor before the
// isolation work), both built here by the same cross compiler, so that the
// only difference between the two runs is the hypervisor's source.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../examples/lab/tooling/workbench";

/** The hypervisor as it was before the isolation work (issue 13 measures against it). */
export const anchorCommit = "47d72c2";

export interface Firmware {
    label: string;
    file: string;
}

function make(dir: string): string {
    execFileSync("make", ["-s", "-C", dir, "jailhouse.bin"], { stdio: ["ignore", "ignore", "inherit"] });
    return path.join(dir, "jailhouse.bin");
}

/** Builds this tree's firmware and the anchor's under `work`. */
export function buildFirmwares(work: string): { current: Firmware; anchor: Firmware } {
    const current = path.join(work, "current");
    fs.cpSync(path.join(repoRoot, "hypervisor"), path.join(current, "hypervisor"), {
        recursive: true,
        filter: (f) => !/\.(o|elf|bin)$/.test(f) && !f.includes(`${path.sep}inmates`),
    });
    const anchor = path.join(work, "anchor");
    fs.mkdirSync(anchor, { recursive: true });
    const archive = execFileSync("git", ["-C", repoRoot, "archive", anchorCommit, "hypervisor"], { maxBuffer: 256 << 20 });
    execFileSync("tar", ["-x", "-C", anchor], { input: archive });
    return {
        current: { label: "this tree", file: make(path.join(current, "hypervisor")) },
        anchor: { label: `${anchorCommit} (before the isolation work)`, file: make(path.join(anchor, "hypervisor")) },
    };
}
