// SPDX-License-Identifier: MIT
// The package as a Pulumi user consumes it: the README's section "Use it in
// your own project" run as written, in a new folder next to a link to this
// checkout. `npm pack`, a fresh project that installs the tarball, `pulumi
// preview` through the real CLI and language host; the example's cells
// collide, so the preview must fail with the README's message, before any
// host is touched (the program's host is a documentation address).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { pulumiBinDir, repoRoot } from "../../examples/lab/tooling/workbench";

const sectionTitle = "### Use it in your own project";

interface Walkthrough {
    /** One bash script: the section's shell blocks, with its files written where they appear. */
    script: string;
    expectedOutput: string[];
}

function readmeWalkthrough(): Walkthrough {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const start = readme.indexOf(sectionTitle);
    assert.ok(start >= 0, `README.md has no section "${sectionTitle}"`);
    const end = readme.indexOf("\n## ", start);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const script: string[] = ["set -euo pipefail"];
    const expectedOutput: string[] = [];
    for (const block of section.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm)) {
        const [, language, info, body] = block;
        const title = /title="([^"]+)"/.exec(info)?.[1];
        if (title) script.push(`cat > ${title} <<'PJ_README_FILE'\n${body}PJ_README_FILE`);
        else if (language === "sh") script.push(body);
        else if (info.trim() === "output") expectedOutput.push(...body.split("\n").filter((line) => line.trim()));
    }
    return { script: script.join("\n"), expectedOutput };
}

function packageTarball(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
    return path.join(repoRoot, `${manifest.name}-${manifest.version}.tgz`);
}

describe("the packed package in a project of its own, as the README says", () => {
    let scratch: string;
    let result: { status: number | null; output: string };
    const tarball = packageTarball();
    const tarballWasThere = fs.existsSync(tarball);

    before(() => {
        scratch = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "pj-npm-pack-"));
        fs.symlinkSync(repoRoot, path.join(scratch, "pulumi-jailhouse"));
        const walkthrough = readmeWalkthrough();
        const npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
        // A user's shell: this machine's environment (proxy, certificates)
        // without what npm and the test stacks set for themselves, a home of
        // its own (Pulumi's credentials and plugins
        // there too), the Pulumi CLI on PATH, npm's download cache reused.
        const inherited = Object.entries(process.env).filter(([name]) => !/^(npm_|PULUMI_)/i.test(name));
        const env: NodeJS.ProcessEnv = {
            ...Object.fromEntries(inherited),
            PATH: `${pulumiBinDir()}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
            HOME: scratch,
            PULUMI_HOME: path.join(scratch, ".pulumi"),
            npm_config_cache: npmCache,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        const run = spawnSync("bash", ["-c", walkthrough.script], { cwd: scratch, env, encoding: "utf8", timeout: 900_000 });
        result = { status: run.status, output: `${run.stdout}\n${run.stderr}` };
    });
    after(() => {
        if (!tarballWasThere) fs.rmSync(tarball, { force: true });
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    test("the tarball holds the provider, its types and the sources it builds on hosts, and no tests", () => {
        const listing = spawnSync("tar", ["-tzf", tarball], { encoding: "utf8" }).stdout.split("\n");
        for (const wanted of [
            "package/dist/provider/src/index.js",
            "package/dist/provider/src/index.d.ts",
            "package/dist/provider/src/resources/providers.js",
            "package/hypervisor/Makefile",
            "package/kmod/Kbuild",
            "package/kmod/cli/Makefile",
            "package/kmod/cli/jailhouse.c",
            "package/examples/lab/system.yaml",
        ])
            assert.ok(listing.includes(wanted), `${wanted} is missing from the tarball:\n${listing.join("\n")}`);
        assert.deepEqual(
            listing.filter((f) => /^package\/(dist\/)?(test|examples\/.*\.[jt]s$)/.test(f) || f.endsWith(".test.js")),
            [],
        );
        assert.ok(!listing.some((f) => f.endsWith(".o") || f.endsWith(".ko") || f.endsWith(".mod.c")), "build outputs were packed");
    });

    test("pulumi preview stops at the cells' shared CPU, with the README's message, touching no host", () => {
        assert.notEqual(result.status, 0, `the walkthrough was expected to end in a failed preview:\n${result.output}`);
        assert.match(result.output, /pulumi preview|Previewing update/);
        const { expectedOutput } = readmeWalkthrough();
        assert.ok(expectedOutput.length > 0, "the README shows no expected output");
        // Either cell may be the one checked second, and so the one that reports.
        const mirrored = (line: string) => line.replace(/h1-uart-(hello|echo)(.*)"uart-(echo|hello)"/, 'h1-uart-$3$2"uart-$1"');
        for (const line of expectedOutput.map((l) => l.trim()))
            assert.ok(result.output.includes(line) || result.output.includes(mirrored(line)), `output lacks "${line}":\n${result.output}`);
        assert.doesNotMatch(result.output, /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|Cannot find module/);
    });

    test("the installed package is typed: a wrong cell state does not compile", () => {
        const project = path.join(scratch, "my-fleet");
        fs.writeFileSync(
            path.join(project, "typed.ts"),
            [
                'import { Cell, Hypervisor, config, plan } from "pulumi-jailhouse";',
                "declare const hv: Hypervisor;",
                'new Cell("ok", { hypervisor: hv, config: "c.yaml", state: "stopped" });',
                "// @ts-expect-error: a cell is running or stopped",
                'new Cell("bad", { hypervisor: hv, config: "c.yaml", state: "paused" });',
                "export const checks = [config.parseCellConfig, plan.diffCellResource];",
                "",
            ].join("\n"),
        );
        const tsc = spawnSync(
            process.execPath,
            [
                path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
                "--noEmit",
                "--strict",
                "--skipLibCheck",
                "--module",
                "nodenext",
                "--moduleResolution",
                "nodenext",
                "--typeRoots",
                path.join(repoRoot, "node_modules", "@types"),
                "--types",
                "node",
                "typed.ts",
            ],
            { cwd: project, encoding: "utf8" },
        );
        assert.equal(tsc.status, 0, `tsc in the project failed:\n${tsc.stdout}${tsc.stderr}`);
    });
});
