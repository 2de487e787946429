// SPDX-License-Identifier: MIT
// A throw-away Pulumi stack for a test: an inline program run by the pinned
// CLI on a local file backend in a temporary folder.
import * as automation from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBinDir, pulumiEnv, repoRoot } from "../workbench";

export interface TestStack {
    stack: automation.Stack;
    backendDir: string;
    /** The stack's state file (JSON), as the backend stores it. */
    stateFile(): string;
    dispose(): Promise<void>;
}

export async function testStack(name: string, program: automation.PulumiFn): Promise<TestStack> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `pj-${name}-state-`));
    // The engine starts the provider launcher in the work dir, which must
    // resolve @pulumi/pulumi: a folder inside the checkout does.
    fs.mkdirSync(path.join(repoRoot, "dist"), { recursive: true });
    const workDir = fs.mkdtempSync(path.join(repoRoot, "dist", `pj-${name}-`));
    const project = `pj-${name}`;
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName: name, projectName: project, program },
        {
            workDir,
            pulumiCommand: await automation.PulumiCommand.get({ root: path.dirname(pulumiBinDir()) }),
            envVars: pulumiEnv(backendDir),
            projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
        },
    );
    return {
        stack,
        backendDir,
        stateFile: () => path.join(backendDir, ".pulumi", "stacks", project, `${name}.json`),
        async dispose() {
            await stack.workspace.removeStack(name, { force: true }).catch(() => undefined);
            fs.rmSync(backendDir, { recursive: true, force: true });
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
}
