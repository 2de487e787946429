// SPDX-License-Identifier: MIT
// Which files of the hypervisor and kmod trees a host builds from, and one
// hash over their names and contents: the host keeps that hash with its copy,
// so an unchanged tree is not sent again.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** Collects the files under `dirs` that a host needs to build from (no build outputs). */
export function treeManifest(root: string, dirs: string[]): { files: string[]; hash: string } {
    const wanted = /(\.[chS]|\.lds|\.sh|\.mk|Makefile|Kbuild)$/;
    const files: string[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = path.join(relative, entry.name);
            if (entry.isDirectory()) walk(child);
            else if (wanted.test(entry.name) && !entry.name.endsWith(".mod.c")) files.push(child);
        }
    };
    dirs.forEach(walk);
    files.sort();
    const hash = crypto.createHash("sha256");
    for (const file of files)
        hash.update(`${file}\0`)
            .update(fs.readFileSync(path.join(root, file)))
            .update("\0");
    return { files, hash: hash.digest("hex") };
}
