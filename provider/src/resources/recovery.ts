// SPDX-License-Identifier: MIT
// After an interrupted `pulumi up` (the CLI killed mid-apply) a file backend
// keeps the killed run's lock, and the state keeps "pending operations":
// resources whose create or update was started but never recorded. The
// engine refuses the next up until both are resolved. Every create here is
// idempotent (a hypervisor already enabled is kept, an identical live cell
// is adopted), so removing a dead run's lock, dropping pending creates and
// refreshing lets the next up converge on whatever the host reached.
import type * as automation from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export async function pendingOperations(stack: automation.Stack): Promise<string[]> {
    const exported = await stack.exportStack();
    const pending =
        (exported.deployment as { pending_operations?: { resource: { urn: string }; type: string }[] }).pending_operations ?? [];
    return pending.map((op) => `${op.type} ${op.resource.urn.split("::").pop()}`);
}

/** A killed process stays a zombie until its parent reaps it: that is dead too. */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

/**
 * Locks of `stack` in a file backend whose run died on this machine. A lock
 * held by a live process, or taken on another machine, is never touched.
 */
export function deadRunLocks(backendDir: string, project: string, stackName: string): string[] {
    const dir = path.join(backendDir, ".pulumi", "locks", "organization", project, stackName);
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((file) => file.endsWith(".json"))
        .filter((file) => {
            try {
                const lock = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { pid?: number; hostname?: string };
                return lock.hostname === os.hostname() && typeof lock.pid === "number" && !alive(lock.pid);
            } catch {
                return false;
            }
        });
}

/** Resolves an interrupted run's leftovers; returns what it found. */
export async function recoverInterruptedRun(
    stack: automation.Stack,
    backend?: { dir: string; project: string },
    onOutput?: (line: string) => void,
): Promise<string[]> {
    const found: string[] = [];
    if (backend && deadRunLocks(backend.dir, backend.project, stack.name).length) {
        found.push("the lock of a run that died");
        await stack.cancel();
    }
    const pending = await pendingOperations(stack);
    found.push(...pending);
    if (pending.length) await stack.refresh({ clearPendingCreates: true, onOutput });
    return found;
}
