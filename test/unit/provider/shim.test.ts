// SPDX-License-Identifier: MIT
// The serialized provider, as the engine stores it in every resource's
// state: it names no path of this machine, and the engine's provider process
// finds the implementation by package name from wherever the program runs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { serializeFunction } from "@pulumi/pulumi/runtime";
import { packageIdentity, providerShim } from "../../../provider/src/resources/shim";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

/** Serialized the way dynamic.Resource does it. */
async function serializedProvider(kind: "hypervisor" | "cell"): Promise<string> {
    const provider = providerShim(kind);
    return (await serializeFunction(() => provider, { allowSecrets: true })).text;
}

/**
 * Loads the serialized text the way the engine's provider process does
 * (require-from-string, working folder = the program's) and runs check() on
 * a cell with no connection; prints the failures or the error.
 */
function checkFromFolder(text: string, cwd: string): string {
    const script = `
        const requireFromString = require(${JSON.stringify(require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }))});
        const provider = requireFromString(process.argv[1]).handler();
        provider.check({}, { config: { name: "x", cpus: "1" } })
            .then((r) => console.log(JSON.stringify(r.failures)))
            .catch((e) => console.log("ERROR " + e.message));`;
    return execFileSync(process.execPath, ["-e", script, text], { cwd, encoding: "utf8" });
}

const outsideTheRepo = () => fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "pj-program-"));

describe("serialized provider", () => {
    test("names no absolute path of this checkout", async () => {
        for (const kind of ["hypervisor", "cell"] as const) {
            const text = await serializedProvider(kind);
            assert.ok(!text.includes(repoRoot), `the serialized ${kind} provider contains ${repoRoot}`);
            assert.ok(!text.includes(fs.realpathSync(repoRoot)));
            assert.doesNotMatch(text, /dist\/provider|providers\.js/);
            assert.match(text, /pulumi-jailhouse/);
        }
    });

    test("is one object per kind, so the SDK serializes each kind once per program", () => {
        assert.equal(providerShim("cell"), providerShim("cell"));
        assert.equal(providerShim("hypervisor"), providerShim("hypervisor"));
        assert.notEqual(providerShim("cell"), providerShim("hypervisor"));
    });

    test("finds the implementation from a program in another folder that depends on the package", async () => {
        const program = outsideTheRepo();
        try {
            // What `npm install file:<checkout>` leaves in the program's folder.
            fs.mkdirSync(path.join(program, "node_modules"));
            fs.symlinkSync(repoRoot, path.join(program, "node_modules", "pulumi-jailhouse"));
            const out = checkFromFolder(await serializedProvider("cell"), program);
            assert.doesNotMatch(out, /^ERROR/);
            assert.match(out, /connection: missing/);
        } finally {
            fs.rmSync(program, { recursive: true, force: true });
        }
    });

    test("finds the implementation from a program inside the package itself", async () => {
        const out = checkFromFolder(await serializedProvider("cell"), repoRoot);
        assert.match(out, /connection: missing/);
        const nested = fs.mkdtempSync(path.join(repoRoot, "dist", "pj-shim-"));
        try {
            assert.match(checkFromFolder(await serializedProvider("cell"), nested), /connection: missing/);
        } finally {
            fs.rmSync(nested, { recursive: true, force: true });
        }
    });

    test("says which package and version to install when it is missing", async () => {
        const program = outsideTheRepo();
        try {
            const { name, version } = packageIdentity();
            const out = checkFromFolder(await serializedProvider("cell"), program);
            assert.match(out, /^ERROR /);
            assert.ok(out.includes(`npm install ${name}@${version}`), out);
        } finally {
            fs.rmSync(program, { recursive: true, force: true });
        }
    });
});
