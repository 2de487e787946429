// SPDX-License-Identifier: MIT
// After an interrupted `pulumi up` (the CLI killed mid-apply) the state keeps
// "pending operations": resources whose create or update was started but
// never recorded. The engine refuses the next up until they are resolved.
// Every create here is idempotent (a hypervisor already enabled is kept, an
// identical live cell is adopted), so dropping pending creates and
// refreshing lets the next up converge on whatever the host reached.
import type * as automation from "@pulumi/pulumi/automation";

export async function pendingOperations(stack: automation.Stack): Promise<string[]> {
    const exported = await stack.exportStack();
    const pending = (exported.deployment as { pending_operations?: { resource: { urn: string }; type: string }[] }).pending_operations ?? [];
    return pending.map((op) => `${op.type} ${op.resource.urn.split("::").pop()}`);
}

/** Resolves an interrupted run's leftovers; returns what it found. */
export async function recoverInterruptedRun(stack: automation.Stack, onOutput?: (line: string) => void): Promise<string[]> {
    const pending = await pendingOperations(stack);
    if (pending.length) await stack.refresh({ clearPendingCreates: true, onOutput });
    return pending;
}
