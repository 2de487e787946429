// SPDX-License-Identifier: MIT
// What a user runs (the provider, the examples, the lab tooling, the default
// program) never imports test code: test/ may be left out of a package or a
// checkout, and what it holds is written for assertions, not for users.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

/** Module specifiers of the imports, re-exports and requires in a TypeScript source. */
export function specifiers(source: string): string[] {
    const found: string[] = [];
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)) found.push(match[1]);
    return found;
}

/** The imports of `file` (relative to the repository) that resolve into test/. */
export function importsFromTest(file: string, source: string): string[] {
    return specifiers(source).filter((s) => {
        if (!s.startsWith(".")) return false;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
        return target === "test" || target.startsWith("test/");
    });
}

test("no file outside test/ imports from test/", () => {
    const files = execFileSync("git", ["ls-files", "*.ts", "*.mjs", "*.js"], { cwd: repoRoot, encoding: "utf8" })
        .split("\n")
        .filter((f) => f && !f.startsWith("test/"));
    assert.ok(files.includes("examples/lab/tooling/start.ts"), "the scan must see the lab tooling");
    const offenders = files.flatMap((f) => importsFromTest(f, fs.readFileSync(path.join(repoRoot, f), "utf8")).map((s) => `${f}: ${s}`));
    assert.deepEqual(offenders, [], "move what these need out of test/ (e.g. into examples/lab/tooling)");
});

test("the import scan sees an import, a re-export and a require into test/", () => {
    const source = 'import { a } from "../../test/support/x";\nexport { b } from "../../test/y";\nconst c = require("../ok");\n';
    assert.deepEqual(importsFromTest("examples/lab/z.ts", source), ["../../test/support/x", "../../test/y"]);
});
