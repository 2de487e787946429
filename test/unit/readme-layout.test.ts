// SPDX-License-Identifier: MIT
// The README's layout table against the tracked tree: every path it names
// exists, and every tracked top-level item and second-level folder is named,
// so a folder added or moved without the table following fails CI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

/** The backticked paths in the first column of the table under "## Layout". */
export function layoutPaths(readme: string): string[] {
    const section = readme.split(/^## /m).find((s) => s.startsWith("Layout\n"));
    assert.ok(section, "README.md has no '## Layout' section");
    const paths: string[] = [];
    for (const line of section.split("\n")) {
        const cell = /^\|([^|]*)\|/.exec(line)?.[1] ?? "";
        for (const match of cell.matchAll(/`([^`]+)`/g)) paths.push(match[1]);
    }
    return paths;
}

/** Tracked top-level items and second-level folders, folders with a trailing slash. */
export function expectedPaths(tracked: string[]): string[] {
    const items = new Set<string>();
    for (const file of tracked) {
        const parts = file.split("/");
        items.add(parts.length === 1 ? parts[0] : `${parts[0]}/`);
        if (parts.length > 2) items.add(`${parts[0]}/${parts[1]}/`);
    }
    return [...items].sort();
}

const tracked = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n").filter(Boolean);
const named = layoutPaths(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));

test("every path in the README's layout table is tracked", () => {
    const missing = named.filter((p) => (p.endsWith("/") ? !tracked.some((f) => f.startsWith(p)) : !tracked.includes(p)));
    assert.deepEqual(missing, [], "named in README.md's layout table but not in git ls-files; fix the table");
});

test("every tracked top-level item and second-level folder is in the README's layout table", () => {
    const absent = expectedPaths(tracked).filter((p) => !named.includes(p));
    assert.deepEqual(absent, [], "tracked but missing from README.md's layout table; add a row saying what it is");
});

test("the layout check sees a folder the table leaves out", () => {
    const table = "## Layout\n\n| path | what |\n|---|---|\n| `kmod/` | module |\n";
    const absent = expectedPaths(["kmod/main.c", "kmod/cli/jailhouse.c"]).filter((p) => !layoutPaths(table).includes(p));
    assert.deepEqual(absent, ["kmod/cli/"]);
});
