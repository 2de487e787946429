// SPDX-License-Identifier: MIT
// jailhouse-config as a user runs it: the compiled CLI in a child process,
// its output and its exit status (0 ok, 1 invalid config, 2 bad usage).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, mock, test } from "node:test";
import * as load from "../../../provider/src/config/load";
import { main } from "../../../provider/src/config/cli";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const cli = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
const example = (name: string) => path.join(repoRoot, "examples", "lab", name);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-cli-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("jailhouse-config", () => {
    test("compile writes a .cell that decode turns back into the same config", () => {
        const out = path.join(work, "rt-timer.cell");
        const compiled = run("compile", example("rt-timer.yaml"), "-o", out);
        assert.equal(compiled.status, 0, compiled.stderr);
        assert.equal(compiled.stdout, `${out}: cell config "rt-timer", 236 bytes\n`);
        assert.equal(fs.readFileSync(out).subarray(0, 5).toString(), "JHCLL");
        const decoded = run("decode", out);
        assert.equal(decoded.status, 0, decoded.stderr);
        assert.match(decoded.stdout, /^name: rt-timer\n/);
        assert.match(decoded.stdout, /cpus: "1"/);
        const yaml = path.join(work, "decoded.yaml");
        fs.writeFileSync(yaml, decoded.stdout);
        const again = path.join(work, "again.cell");
        assert.equal(run("compile", yaml, "-o", again).status, 0);
        assert.ok(fs.readFileSync(again).equals(fs.readFileSync(out)));
    });

    test("check accepts the lab layout and rejects a conflicting one with exit 1", () => {
        const ok = run("check", example("system.yaml"), example("rt-timer.yaml"), example("uart-hello.yaml"), "--cpus", "4");
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout, "ok: lab-root with 2 cells (rt-timer, uart-hello)\n");
        const clash = path.join(work, "clash.yaml");
        fs.writeFileSync(
            clash,
            fs.readFileSync(example("uart-hello.yaml"), "utf8").replace("name: uart-hello", "name: clash").replace("cpus: 2", "cpus: 1"),
        );
        const bad = run("check", example("system.yaml"), example("rt-timer.yaml"), clash);
        assert.equal(bad.status, 1);
        assert.equal(bad.stdout, "");
        assert.match(
            bad.stderr,
            /^error: cells\[clash\]\.cpus: CPU 1 is also given to cell "rt-timer"; a CPU belongs to one cell at a time$/m,
        );
    });

    test("diff prints the change in partition terms, from YAML or .cell", () => {
        const changed = path.join(work, "rt-timer-2.yaml");
        fs.writeFileSync(
            changed,
            fs.readFileSync(example("rt-timer.yaml"), "utf8").replace("cpus: 1", "cpus: 1-2").replace("size: 1 MiB", "size: 2 MiB"),
        );
        const diff = run("diff", example("rt-timer.yaml"), changed);
        assert.equal(diff.status, 0, diff.stderr);
        assert.equal(diff.stdout, "cell rt-timer: CPUs 1 -> 1-2; region ram: 1 MiB -> 2 MiB\n");
        const cell = path.join(work, "rt.cell");
        run("compile", example("rt-timer.yaml"), "-o", cell);
        assert.equal(run("diff", cell, example("rt-timer.yaml")).stdout, "no changes\n");
    });

    test("an invalid config exits 1 naming the path, value and fix", () => {
        const bad = path.join(work, "bad.yaml");
        fs.writeFileSync(bad, "name: bad\ncpus: 1\nmemory:\n  - { phys: 0x70000000, size: 1 MB, flags: [read] }\n");
        const result = run("compile", bad, "-o", path.join(work, "bad.cell"));
        assert.equal(result.status, 1);
        assert.match(result.stderr, /^error: memory\[0\]\.size: size "1 MB" is not understood; write e\.g\. "64 MiB"/m);
        assert.equal(fs.existsSync(path.join(work, "bad.cell")), false);
        const garbage = path.join(work, "garbage.cell");
        fs.writeFileSync(garbage, "JHCLL\x02\x0d\x00 and then nothing useful");
        const decoded = run("decode", garbage);
        assert.equal(decoded.status, 1);
        assert.match(
            decoded.stderr,
            /^error: .*garbage\.cell: configuration revision 13 found; only revision 14 is supported \(at byte offset 6\)$/m,
        );
    });

    test("warnings are printed without failing; --strict makes them errors", () => {
        const loose = path.join(work, "loose.yaml");
        fs.writeFileSync(
            loose,
            fs
                .readFileSync(example("rt-timer.yaml"), "utf8")
                .replace(/^memory:\n/m, "memory:\n  - { name: spare, phys: 0x70f00000, size: 0 }\n"),
        );
        const lenient = run("check", example("system.yaml"), loose);
        assert.equal(lenient.status, 0, lenient.stderr);
        assert.equal(
            lenient.stderr,
            "warning: cells[rt-timer].memory[0].size: memory[0] (spare) is empty and maps nothing; remove it unless a PCI device counts its regions across it\n",
        );
        const strict = run("check", example("system.yaml"), loose, "--strict");
        assert.equal(strict.status, 1);
        assert.match(strict.stderr, /^warning: cells\[rt-timer\]\.memory\[0\]\.size: memory\[0\] \(spare\) is empty/);
        assert.equal(run("compile", loose, "-o", path.join(work, "loose.cell"), "--strict").status, 1);
        assert.equal(run("compile", loose, "-o", path.join(work, "loose.cell")).status, 0);
    });

    test("diff --exit-code exits 1 when the configs differ and 0 when they do not", () => {
        const changed = path.join(work, "rt-timer-3.yaml");
        fs.writeFileSync(changed, fs.readFileSync(example("rt-timer.yaml"), "utf8").replace("cpus: 1", "cpus: 1-2"));
        const differs = run("diff", example("rt-timer.yaml"), changed, "--exit-code");
        assert.equal(differs.status, 1, differs.stderr);
        assert.equal(differs.stdout, "cell rt-timer: CPUs 1 -> 1-2\n");
        const same = run("diff", "--exit-code", example("rt-timer.yaml"), example("rt-timer.yaml"));
        assert.equal(same.status, 0, same.stderr);
        assert.equal(same.stdout, "no changes\n");
        assert.equal(run("diff", example("rt-timer.yaml"), changed).status, 0, "without --exit-code a difference is not a failure");
    });

    test("diff names the part of an x86 platform that changed", () => {
        const vector = path.join(repoRoot, "test", "vectors", "x86-system.yaml");
        const changed = path.join(work, "x86-iommu.yaml");
        fs.writeFileSync(changed, fs.readFileSync(vector, "utf8").replace("features: 0x80048824", "features: 0x80048825"));
        const diff = run("diff", vector, changed, "--exit-code");
        assert.equal(diff.status, 1, diff.stderr);
        assert.equal(diff.stdout, "system: IOMMU units changed\n");
    });

    test("a bug of ours is an internal error naming the input, exit 3, no stack trace", () => {
        const stderr: string[] = [];
        mock.method(process.stderr, "write", (text: string) => stderr.push(text) > 0);
        mock.method(load, "encodeLoaded", () => {
            throw new RangeError("Offset is outside the bounds of the DataView");
        });
        try {
            const status = main(["compile", example("rt-timer.yaml"), "-o", path.join(work, "never.cell")], () => undefined);
            assert.equal(status, 3);
        } finally {
            mock.restoreAll();
        }
        assert.deepEqual(stderr, [
            `jailhouse-config: internal error: RangeError: Offset is outside the bounds of the DataView (compile of ${example("rt-timer.yaml")}); please report this with the input file\n`,
        ]);
    });

    test("bad usage exits 2 with the usage text", () => {
        for (const args of [
            [],
            ["frobnicate"],
            ["compile", example("rt-timer.yaml")],
            ["check"],
            ["diff", "one"],
            ["check", example("system.yaml"), "--cpus", "four"],
        ]) {
            const result = run(...args);
            assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
            assert.match(result.stderr, /^jailhouse-config: .*\nusage: jailhouse-config <command>/);
        }
    });

    test("the committed config reference is what the schemas generate", () => {
        const result = run("reference");
        assert.equal(result.status, 0);
        const committed = fs.readFileSync(path.join(repoRoot, "provider", "config-reference.md"), "utf8");
        assert.equal(
            committed,
            result.stdout,
            "provider/config-reference.md is stale: run npm run config -- reference > provider/config-reference.md",
        );
    });

    test("schema prints a JSON Schema that rejects unknown keys", () => {
        const result = run("schema", "cell");
        assert.equal(result.status, 0);
        const schema = JSON.parse(result.stdout);
        assert.equal(schema.additionalProperties, false);
        assert.ok(schema.properties.cpus && schema.properties.memory);
        assert.ok(schema.required.includes("name"));
    });
});
