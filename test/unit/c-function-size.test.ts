// SPDX-License-Identifier: MIT
// Issue 19's size rule for C: no function body in hypervisor/ or kmod/ runs
// over 80 lines. Kernel style puts a function's `{` and `}` alone at column 0
// (clang-format's Linux brace style enforces it), so those lines bound a body.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const maxBodyLines = 80;

interface CFunction {
    name: string;
    /** 1-based line of the opening `{`. */
    line: number;
    /** Lines strictly between the braces. */
    bodyLines: number;
}

/** The name before the first `(` of the signature that ends just above the `{` at `brace`. */
function signatureName(lines: string[], brace: number): string {
    let start = brace - 1;
    while (start > 0 && /^\s/.test(lines[start] ?? "")) start--;
    const signature = lines.slice(start, brace).join(" ");
    return /([A-Za-z_]\w*)\s*\(/.exec(signature)?.[1] ?? `(unnamed, line ${brace + 1})`;
}

function cFunctions(source: string): CFunction[] {
    const lines = source.split("\n");
    const found: CFunction[] = [];
    for (let i = 0; i < lines.length; i++) {
        if (lines[i] !== "{") continue;
        const close = lines.indexOf("}", i + 1);
        if (close < 0) break;
        found.push({ name: signatureName(lines, i), line: i + 1, bodyLines: close - i - 1 });
        i = close;
    }
    return found;
}

function trackedCSources(): string[] {
    const listed = spawnSync("git", ["ls-files", "hypervisor/*.c", "kmod/*.c"], { cwd: repoRoot, encoding: "utf8" });
    if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
    return listed.stdout.split("\n").filter((f) => f && !f.endsWith(".mod.c"));
}

test("the scanner measures a kernel-style function, its name and its body", () => {
    const source = [
        "static int",
        "long_one(int a,",
        "\t int b)",
        "{",
        ...Array.from({ length: 81 }, () => "\ta++;"),
        "}",
        "",
        "void short_one(void)",
        "{",
        "\treturn;",
        "}",
        "",
    ].join("\n");
    assert.deepEqual(cFunctions(source), [
        { name: "long_one", line: 4, bodyLines: 81 },
        { name: "short_one", line: 89, bodyLines: 1 },
    ]);
});

test(`no C function in hypervisor/ or kmod/ is over ${maxBodyLines} lines`, () => {
    const files = trackedCSources();
    assert.ok(files.length > 20, `expected the hypervisor and kmod sources, git ls-files found ${files.length}`);
    const tooLong: string[] = [];
    for (const file of files) {
        for (const fn of cFunctions(fs.readFileSync(path.join(repoRoot, file), "utf8"))) {
            if (fn.bodyLines > maxBodyLines) tooLong.push(`${file}:${fn.line} ${fn.name} is ${fn.bodyLines} lines (limit ${maxBodyLines})`);
        }
    }
    assert.deepEqual(tooLong, [], `split these functions by job:\n${tooLong.join("\n")}`);
});
