// SPDX-License-Identifier: MIT
// The corpus (test/vectors/corpus): configs for many kinds of boards written
// in C with Jailhouse's struct layout, built as Jailhouse's own build builds
// board configs: gcc -c for the target, then objcopy -O binary without the
// GNU property note. Shared by the corpus round trip and the mutation fuzzer.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

export const corpusDir = path.join(repoRoot, "test", "vectors", "corpus");

export interface CorpusConfig {
    /** File name without .c, "<board>-<role>". */
    name: string;
    /** The board: configs sharing it are checked together as one host. */
    board: string;
    bytes: Buffer;
}

/** x86 configs are built with the host gcc, the others with the arm64 cross gcc, as for their targets. */
function toolchainOf(source: string): string {
    return /_PREFIX\(JAILHOUSE_X86\)/.test(fs.readFileSync(source, "utf8")) ? "" : "aarch64-linux-gnu-";
}

let built: CorpusConfig[] | undefined;

export function buildCorpus(): CorpusConfig[] {
    if (built) return built;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-corpus-"));
    try {
        const sources = fs
            .readdirSync(corpusDir)
            .filter((file) => file.endsWith(".c"))
            .sort();
        const byToolchain = new Map<string, string[]>();
        for (const file of sources) {
            const toolchain = toolchainOf(path.join(corpusDir, file));
            byToolchain.set(toolchain, [...(byToolchain.get(toolchain) ?? []), path.join(corpusDir, file)]);
        }
        for (const [toolchain, files] of byToolchain)
            execFileSync(
                `${toolchain}gcc`,
                ["-O2", "-Wall", "-Werror", "-c", "-I", path.join(repoRoot, "hypervisor", "include"), ...files],
                {
                    cwd: work,
                    stdio: ["ignore", "inherit", "inherit"],
                },
            );
        built = sources.map((file) => {
            const name = file.slice(0, -2);
            const cell = path.join(work, `${name}.cell`);
            execFileSync(`${toolchainOf(path.join(corpusDir, file))}objcopy`, [
                "-O",
                "binary",
                "--remove-section=.note.gnu.property",
                path.join(work, `${name}.o`),
                cell,
            ]);
            return { name, board: name.slice(0, name.lastIndexOf("-")), bytes: fs.readFileSync(cell) };
        });
        return built;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
