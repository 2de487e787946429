// SPDX-License-Identifier: MIT
// The linters, run over the whole tree so a violation fails `npm test`. Each
// check first lints a snippet that breaks its rules, so a linter that stopped
// looking (a config that no longer matches any file) fails too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../workbench";

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

test("eslint passes on every TypeScript file", () => {
    const result = run(bin("eslint"), ["--max-warnings", "0", "."]);
    assert.equal(result.code, 0, result.output);
});
