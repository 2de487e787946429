// SPDX-License-Identifier: MIT
// The commands the documents show and that need no lab run here, as written, so
// a command that goes stale fails CI. In a code block, an indented comment line
// right after a command is output that command must print.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

/** npm scripts that run without hosts; the lab's own commands are run by the lab suites. */
const runnableScripts = ["config", "review"];

interface ShownCommand {
    document: string;
    line: string;
    expected: string[];
}

function shownCommands(document: string): ShownCommand[] {
    const text = fs.readFileSync(path.join(repoRoot, document), "utf8");
    const commands: ShownCommand[] = [];
    let last: ShownCommand | undefined;
    let inBlock = false;
    for (const line of text.split("\n")) {
        if (line.startsWith("```")) {
            inBlock = !inBlock;
            last = undefined;
            continue;
        }
        if (!inBlock) continue;
        const expected = /^\s+#\s?(.*)$/.exec(line);
        if (expected) {
            last?.expected.push(expected[1]);
            continue;
        }
        last = new RegExp(`^npm run (${runnableScripts.join("|")}) -- `).test(line) ? { document, line, expected: [] } : undefined;
        if (last) commands.push(last);
    }
    return commands;
}

/** `npm run NAME -- ARGS` as the shell line package.json's script gives it. */
function asShellLine(line: string): string {
    const scripts = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts as Record<string, string>;
    return line.replace(/^npm run (\S+) --/, (_whole, name: string) => scripts[name]);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-readme-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));
// The commands run from a folder that looks like the repository root, so their
// relative paths resolve and the files they write land outside the checkout.
for (const entry of ["dist", "examples", "node_modules", "package.json", "test"])
    fs.symlinkSync(path.join(repoRoot, entry), path.join(work, entry));

const documents = ["README.md", "examples/review/README.md"];
const commands = documents.flatMap(shownCommands);

test("the documents show the config and review commands this test runs", () => {
    assert.ok(commands.filter((c) => c.document === "README.md").length >= 5, "README.md lost its jailhouse-config examples");
    assert.ok(commands.some((c) => c.document === "examples/review/README.md"));
});

for (const command of commands) {
    test(`${command.document}: ${command.line}`, () => {
        const r = spawnSync("bash", ["-c", asShellLine(command.line)], { cwd: work, encoding: "utf8", timeout: 60_000 });
        assert.equal(r.status, 0, `exit status ${r.status}\n${r.stdout}\n${r.stderr}`);
        for (const line of command.expected) assert.ok(r.stdout.includes(line), `expected output "${line}", got:\n${r.stdout}`);
        if (command.document === "examples/review/README.md") {
            const document = fs.readFileSync(path.join(repoRoot, command.document), "utf8");
            for (const line of r.stdout.trim().split("\n"))
                assert.ok(document.includes(line), `the document does not show the output line "${line}"`);
        }
    });
}
