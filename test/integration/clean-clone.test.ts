// SPDX-License-Identifier: MIT
// What a clean clone gets: the tracked tree (`git archive HEAD`) exported to a
// temporary folder, and from it, without anything of this checkout's, every
// build the set-up and the provider make from source that is cheap enough to
// repeat. A file that a build needs but git ignores or nobody added fails here,
// where CI (which reuses this machine's cache) would not notice it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { treeManifest } from "../../provider/src/resources/tree-manifest";
import { cacheDir, pulumiVersion, repoRoot } from "../../examples/lab/tooling/workbench";

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
    const r = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
    assert.equal(r.status, 0, `${command} ${args.join(" ")} in ${cwd} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** Runs one set-up step of the exported tree, as setup.sh runs it, with its own cache folder. */
function setupStep(tree: string, cache: string, step: string, check: string, build: string) {
    const script = `set -euo pipefail; . examples/lab/setup/common.sh; . examples/lab/setup/pulumi.sh; pj_step ${step} ${check} ${build}`;
    return spawnSync("bash", ["-c", script], {
        cwd: tree,
        encoding: "utf8",
        timeout: 600_000,
        env: {
            ...process.env,
            PULUMI_JAILHOUSE_CACHE: cache,
            // The module cache stays warm; the proxy is off, so only what the
            // tracked go.mod and go.sum name can be used.
            GOMODCACHE: path.join(cacheDir(), "go", "mod"),
            GOCACHE: path.join(cacheDir(), "go", "build"),
            GOPROXY: "off",
            GOFLAGS: "",
        },
    });
}

describe("a clean clone builds from tracked files alone", () => {
    let scratch: string;
    let tree: string;

    before(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pj-clean-clone-"));
        tree = path.join(scratch, "tree");
        fs.mkdirSync(tree);
        const archive = path.join(scratch, "head.tar");
        run("git", ["archive", "--format=tar", "-o", archive, "HEAD"], repoRoot);
        run("tar", ["-xf", archive, "-C", tree], scratch);
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    test("nothing the set-up or the tests need is ignored by git", () => {
        const ignored = run("git", ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory"], repoRoot)
            .split("\n")
            .filter((f) => f && !/^(node_modules|dist)\//.test(f))
            .filter((f) => /(^|\/)(go\.mod|go\.sum|Makefile|Kbuild)$|\.(go|ts|c|h|S|sh|json|ya?ml|lds|env)$/.test(f))
            .filter((f) => !f.endsWith(".mod.c"));
        assert.deepEqual(ignored, [], "these source files exist here but git ignores them, so a clone lacks them");
    });

    test("the language host builds from the tracked go.mod and go.sum, and runs", () => {
        const cache = path.join(scratch, "cache");
        const r = setupStep(tree, cache, "pulumi-language-nodejs", "language_host_built", "build_language_host");
        assert.equal(r.status, 0, `the step failed:\n${r.stderr}`);
        assert.match(r.stderr, /setup: pulumi-language-nodejs done/);
        const binary = path.join(cache, `pulumi-${pulumiVersion}`, "bin", "pulumi-language-nodejs");
        assert.equal(run(binary, ["--version"], scratch).trim(), pulumiVersion);

        const again = setupStep(tree, cache, "pulumi-language-nodejs", "language_host_built", "build_language_host");
        assert.equal(again.status, 0, again.stderr);
        assert.match(again.stderr, /setup: pulumi-language-nodejs in place/);
    });

    test("a corrupt go.sum fails the language host's step, which names itself and shows the error", () => {
        const broken = path.join(scratch, "broken");
        fs.cpSync(tree, broken, { recursive: true });
        const sum = path.join(broken, "examples", "lab", "setup", "language-host", "go.sum");
        const text = fs.readFileSync(sum, "utf8");
        const corrupt = text.replace(
            /^(github\.com\/pulumi\/pulumi\/sdk\/v3 v\S+ h1:)(.)/m,
            (_m, head: string, first: string) => head + (first === "A" ? "B" : "A"),
        );
        assert.notEqual(corrupt, text, "the test found no pulumi/sdk line in go.sum to corrupt");
        fs.writeFileSync(sum, corrupt);
        const cache = path.join(scratch, "broken-cache");
        const r = setupStep(broken, cache, "pulumi-language-nodejs", "language_host_built", "build_language_host");
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /setup: step 'pulumi-language-nodejs' failed: exit status \d+/);
        assert.match(r.stderr, /checksum mismatch|SECURITY ERROR|verifying/);
        assert.ok(
            !fs.existsSync(path.join(cache, `pulumi-${pulumiVersion}`, "bin", ".pulumi-language-nodejs.hash")),
            "a failed build left its stamp",
        );
    });

    test("a step fails at its first failing command, not only at its last, and is not stamped done", () => {
        const cache = path.join(scratch, "step-cache");
        const script = [
            "set -euo pipefail; . examples/lab/setup/common.sh",
            `marker=${JSON.stringify(path.join(scratch, "marker"))}`,
            'made() { [ -f "$marker" ]; }',
            'half_done() { echo "first command"; false; echo "after the failure"; touch "$marker"; }',
            "pj_step half-done made half_done",
            "echo 'the set-up went on'",
        ].join("\n");
        const r = spawnSync("bash", ["-c", script], {
            cwd: tree,
            encoding: "utf8",
            env: { ...process.env, PULUMI_JAILHOUSE_CACHE: cache },
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /first command/);
        assert.doesNotMatch(r.stderr + r.stdout, /after the failure|the set-up went on|half-done done/);
        assert.match(r.stderr, /setup: step 'half-done' failed: exit status 1/);
        assert.ok(!fs.existsSync(path.join(scratch, "marker")));
    });

    test("a step whose build succeeds but whose result does not check out fails", () => {
        const cache = path.join(scratch, "check-cache");
        const script =
            "set -euo pipefail; . examples/lab/setup/common.sh; never() { false; }; quiet_success() { true; }; pj_step phantom never quiet_success";
        const r = spawnSync("bash", ["-c", script], {
            cwd: tree,
            encoding: "utf8",
            env: { ...process.env, PULUMI_JAILHOUSE_CACHE: cache },
        });
        assert.equal(r.status, 1);
        assert.match(r.stderr, /setup: step 'phantom' failed: it ran, but its result does not pass its check \(never\)/);
    });

    test("the hypervisor and the inmates build from the tracked tree", () => {
        run("make", ["-s", "-C", "hypervisor"], tree);
        assert.ok(fs.statSync(path.join(tree, "hypervisor", "jailhouse.bin")).size > 4096);
        run("make", ["-s", "-C", "hypervisor/inmates"], tree);
        for (const demo of ["timer", "uart-hello", "uart-echo", "probe"]) {
            assert.ok(fs.existsSync(path.join(tree, "hypervisor", "inmates", "demos", `${demo}.bin`)), `${demo}.bin was not built`);
        }
    });

    test("the sources the provider uploads to hosts are all tracked", () => {
        const tracked = treeManifest(tree, ["hypervisor", "kmod"]);
        const here = treeManifest(repoRoot, ["hypervisor", "kmod"]);
        assert.deepEqual(
            here.files,
            tracked.files,
            "the provider would upload files from this checkout that a clone lacks, or the other way round",
        );
        assert.ok(tracked.files.includes(path.join("kmod", "Kbuild")));
    });

    test("the TypeScript compiles from the tracked tree", () => {
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(tree, "node_modules"));
        run(path.join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json", "--noEmit"], tree);
    });
});
