// SPDX-License-Identifier: MIT
// A throw-away Pulumi stack for a test: an inline program run by the pinned
// CLI on a local file backend in a temporary folder.
import * as automation from "@pulumi/pulumi/automation";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiBinDir, pulumiEnv, repoRoot } from "../../examples/lab/tooling/workbench";

/** Where a test stack lives; enough to open it again from another process. */
export interface StackLocation {
    name: string;
    project: string;
    backendDir: string;
    workDir: string;
}

export interface TestStack {
    stack: automation.Stack;
    location: StackLocation;
    /** The stack's state file (JSON), as the backend stores it. */
    stateFile(): string;
    dispose(): Promise<void>;
}

export async function openStack(location: StackLocation, program: automation.PulumiFn): Promise<automation.Stack> {
    return automation.LocalWorkspace.createOrSelectStack(
        { stackName: location.name, projectName: location.project, program },
        {
            workDir: location.workDir,
            pulumiCommand: await automation.PulumiCommand.get({ root: path.dirname(pulumiBinDir()) }),
            envVars: pulumiEnv(location.backendDir),
            projectSettings: { name: location.project, runtime: "nodejs", backend: { url: `file://${location.backendDir}` } },
        },
    );
}

export async function testStack(name: string, program: automation.PulumiFn): Promise<TestStack> {
    const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `pj-${name}-state-`));
    // The engine starts the provider launcher in the work dir, which must
    // resolve @pulumi/pulumi: a folder inside the checkout does.
    fs.mkdirSync(path.join(repoRoot, "dist"), { recursive: true });
    const workDir = fs.mkdtempSync(path.join(repoRoot, "dist", `pj-${name}-`));
    const location = { name, project: `pj-${name}`, backendDir, workDir };
    const stack = await openStack(location, program);
    return {
        stack,
        location,
        stateFile: () => path.join(backendDir, ".pulumi", "stacks", location.project, `${name}.json`),
        async dispose() {
            await stack.workspace.removeStack(name, { force: true }).catch(() => undefined);
            fs.rmSync(backendDir, { recursive: true, force: true });
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
}

/** A program another process can build: module path, export name, arguments. */
export interface ProgramRef {
    module: string;
    exportName: string;
    args: unknown[];
}

/**
 * Runs `pulumi up` of the stack in a child process and SIGKILLs the CLI as
 * soon as its output matches `killWhen`, the way a crash or an operator's
 * kill -9 would stop it mid-apply (the Automation API's own abort is a
 * graceful SIGINT). A child process, because the killed CLI's inline-program
 * server then fails loudly in the process that hosts it.
 */
export function killedUp(location: StackLocation, program: ProgramRef, killWhen: RegExp): Promise<string> {
    const child = spawn(process.execPath, [path.join(__dirname, "run-up.js"), JSON.stringify({ location, program })], {
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let killedPids: number[] | undefined;
    const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (!killedPids && killWhen.test(output)) {
            // The CLI and everything it started (the provider process), as
            // a crash of the machine running pulumi would stop them.
            const cli = `pulumi up .*--stack ${location.name}( |$)`;
            const pids = execFileSync(
                "sh",
                ["-c", `tree() { for p in "$@"; do echo $p; tree $(pgrep -P $p); done; }; tree $(pgrep -f '${cli}')`],
                { encoding: "utf8" },
            );
            killedPids = pids.split(/\s+/).filter(Boolean).map(Number);
            for (const pid of killedPids) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
            child.kill("SIGKILL");
        }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    return new Promise((resolve, reject) =>
        child.on("exit", async () => {
            if (!killedPids) return reject(new Error(`up ended before ${killWhen} appeared:\n${output.slice(-3000)}`));
            if (!killedPids.length) return reject(new Error(`no running 'pulumi up' of stack ${location.name} was found to kill`));
            // kill() returns before a process has finished dying; a busy
            // machine can take a while to tear down the CLI's threads. Only
            // then is its lock one of a dead run.
            const deadline = Date.now() + 30_000;
            while (killedPids.some(running)) {
                if (Date.now() > deadline)
                    return reject(new Error(`killed processes ${killedPids.filter(running).join(", ")} still run after 30 s`));
                await new Promise((r) => setTimeout(r, 100));
            }
            resolve(output);
        }),
    );
}

/** Still running: exists and is not a zombie waiting to be reaped. */
function running(pid: number): boolean {
    try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}
