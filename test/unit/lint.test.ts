// SPDX-License-Identifier: MIT
// The linters, run over the whole tree so a violation fails `npm test`. Each
// check first lints a snippet that breaks its rules, so a linter that stopped
// looking (a config that no longer matches any file) fails too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);

function run(command: string, args: string[], input?: string) {
    const result = spawnSync(command, args, { cwd: repoRoot, encoding: "utf8", input, maxBuffer: 16 * 1024 * 1024 });
    if (result.error) throw result.error;
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

test("eslint flags a violation in a TypeScript snippet", () => {
    const snippet = 'let unused = 1;\nexport const x = 2 == Number("2");\n';
    const result = run(bin("eslint"), ["--stdin", "--stdin-filename", "provider/src/snippet.ts"], snippet);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /no-unused-vars/);
    assert.match(result.output, /eqeqeq/);
});

test("eslint flags a function over 80 lines and a file over 400 in the provider", () => {
    const body = Array.from({ length: 85 }, (_, i) => `    console.log(${i});\n`).join("");
    const snippet = `export function long(): void {\n${body}}\n${"// filler\n".repeat(330)}`;
    const result = run(bin("eslint"), ["--stdin", "--stdin-filename", "provider/src/snippet.ts"], snippet);
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /max-lines-per-function/);
    assert.match(result.output, /File has too many lines/);
});

test("eslint passes on every TypeScript file", () => {
    const result = run(bin("eslint"), ["--max-warnings", "0", "."]);
    assert.equal(result.code, 0, result.output);
});

test("prettier flags a badly formatted snippet", () => {
    const result = run(bin("prettier"), ["--check", "--stdin-filepath", "provider/src/snippet.ts"], "export const  x = {a:1}\n");
    assert.notEqual(result.code, 0, result.output);
});

test("prettier finds every TypeScript file formatted", () => {
    const result = run(bin("prettier"), ["--check", "--log-level", "warn", "**/*.ts"]);
    assert.equal(result.code, 0, result.output);
});

/** The C and assembly-free sources clang-format owns (the test vectors are data written as upstream writes them). */
function cSources(): string[] {
    const listed = spawnSync("git", ["ls-files", "*.c", "*.h"], { cwd: repoRoot, encoding: "utf8" }).stdout;
    return listed.split("\n").filter((f) => f && !f.startsWith("test/vectors/") && !f.endsWith(".mod.c"));
}

test("clang-format flags a badly formatted C snippet", () => {
    const result = run(
        "clang-format",
        ["--dry-run", "--Werror", "--assume-filename=hypervisor/core/snippet.c"],
        "int f(void){return 1;}\n",
    );
    assert.notEqual(result.code, 0, result.output);
});

test("clang-format finds every C file formatted in the kernel's style", () => {
    const result = run("clang-format", ["--dry-run", "--Werror", ...cSources()]);
    assert.equal(result.code, 0, result.output.split("\n").slice(0, 40).join("\n"));
});
