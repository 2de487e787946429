// SPDX-License-Identifier: MIT
// The plain CLI path: `pulumi up` / `preview` / `destroy` in a directory with a
// `runtime: nodejs` Pulumi.yaml, run by the pinned CLI through the workbench's
// own language host (examples/lab/setup/language-host). The program passes config
// (plain and secret) through and creates one dynamic resource, so the language
// host, the runner in @pulumi/pulumi and the dynamic-provider launcher all run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { pulumiBinDir, pulumiEnv, repoRoot } from "../../examples/lab/tooling/workbench";

const program = `
const pulumi = require("@pulumi/pulumi");
const config = new pulumi.Config();
const provider = {
    async create(inputs) {
        return { id: "greeting-" + inputs.who, outs: { who: inputs.who, text: "hello " + inputs.who } };
    },
    async diff(_id, olds, news) {
        return { changes: olds.who !== news.who, replaces: olds.who !== news.who ? ["who"] : [] };
    },
};
class Greeting extends pulumi.dynamic.Resource {
    constructor(name, args) { super(provider, name, { ...args, text: undefined }); }
}
const greeting = new Greeting("greeting", { who: config.require("who") });
exports.text = greeting.text;
exports.token = config.requireSecret("token");
`;

describe("the pulumi CLI runs a runtime: nodejs project through our language host", () => {
    let project: string;
    let env: NodeJS.ProcessEnv;

    // A folder inside the checkout, so the program and the provider launcher
    // resolve @pulumi/pulumi from the checkout's node_modules.
    before(() => {
        fs.mkdirSync(path.join(repoRoot, "dist"), { recursive: true });
        project = fs.mkdtempSync(path.join(repoRoot, "dist", "pj-langhost-"));
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            "name: pj-langhost\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
        );
        fs.writeFileSync(path.join(project, "index.js"), program);
        fs.writeFileSync(path.join(project, "package.json"), '{"name":"pj-langhost","main":"index.js"}\n');
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "pj-langhost-state-"));
        env = { ...process.env, ...pulumiEnv(backend), PULUMI_CONFIG_PASSPHRASE: "langhost-test" };
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));

    function pulumi(...args: string[]): { code: number; out: string } {
        const r = spawnSync(path.join(pulumiBinDir(), "pulumi"), [...args, "--non-interactive", "--color=never"], {
            cwd: project,
            env,
            encoding: "utf8",
            timeout: 300_000,
        });
        return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    }

    function ok(...args: string[]): string {
        const r = pulumi(...args);
        assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${r.out}`);
        return r.out;
    }

    test("the language host is installed next to pulumi", () => {
        assert.ok(fs.existsSync(path.join(pulumiBinDir(), "pulumi-language-nodejs")));
    });

    test("up creates the resource with config passed through; preview shows no changes; destroy removes it", () => {
        ok("stack", "init", "dev");
        ok("config", "set", "who", "lab");
        ok("config", "set", "--secret", "token", "s3cret");
        const up = ok("up", "--yes");
        assert.match(up, /\+ 2 created/);
        const outputs = JSON.parse(ok("stack", "output", "--json", "--show-secrets"));
        assert.equal(outputs.text, "hello lab");
        assert.equal(outputs.token, "s3cret");
        const state = ok("stack", "export");
        assert.ok(!state.includes("s3cret"), "the secret config value is not in the state in plaintext");

        const preview = ok("preview", "--expect-no-changes");
        assert.match(preview, /unchanged/);

        ok("config", "set", "who", "fleet");
        const changed = pulumi("preview", "--expect-no-changes");
        assert.notEqual(changed.code, 0, "a config change is seen as a change");
        assert.match(changed.out, /replace/);

        const destroyed = ok("destroy", "--yes");
        assert.match(destroyed, /deleted/);
        assert.equal(JSON.parse(ok("stack", "export")).deployment.resources?.length ?? 0, 0);
    });

    test("a program that throws fails the run with its message", () => {
        fs.writeFileSync(path.join(project, "index.js"), 'throw new Error("the program refuses: no hosts");\n');
        const r = pulumi("preview");
        assert.notEqual(r.code, 0);
        assert.match(r.out, /the program refuses: no hosts/);
    });
});
