// SPDX-License-Identifier: MIT
// The partition rules across the cells of one host, applied in a Cell's
// check(): the same rules as `jailhouse-config check`, reported on paths the
// user finds in the program ("<resource name>: cpus: ...").
import {
    type CellConfig,
    cellConflicts,
    errorsOf,
    shutdownIssues,
    type SystemConfig,
    validateCell,
    validateHost,
    type ValidationIssue,
} from "../config";

/** A cell declared in this deployment, by its Pulumi resource name. */
export interface DeclaredCell {
    resourceName: string;
    config: CellConfig;
}

export interface RuleFailure {
    property: string;
    reason: string;
}

/**
 * Failures of `cell` on its own and against the other cells and the system
 * config of its host, when those are known. Only issues about `cell` are
 * returned: each conflict is reported once, on the cell that meets the other.
 */
export function cellRuleFailures(cell: DeclaredCell, others: readonly DeclaredCell[], system: SystemConfig | undefined): RuleFailure[] {
    const own = `cells[${cell.config.name}]`;
    const neighbours = others.filter((other) => other.resourceName !== cell.resourceName);
    let issues: ValidationIssue[];
    if (system) {
        issues = validateHost(system, [...neighbours.map((other) => other.config), cell.config]).filter(
            (issue) => issue.path === own || issue.path.startsWith(`${own}.`) || issue.path === "cells",
        );
    } else {
        issues = [...validateCell(cell.config, own), ...neighbours.flatMap((other) => cellConflicts(cell.config, other.config))];
    }
    const seen = new Set<string>();
    // Warnings are what upstream Jailhouse accepts; they must not block a deployment.
    return errorsOf(issues)
        .map((issue) => {
            const field = issue.path.startsWith(`${own}.`) ? issue.path.slice(own.length + 1) : issue.path === own ? "config" : "cpus";
            return { property: "config", reason: `${cell.resourceName}: ${field}: ${issue.message}` };
        })
        .filter((failure) => !seen.has(failure.reason) && seen.add(failure.reason));
}

/**
 * Warnings the deployment goes on with but shows: a cell that can neither
 * answer a shutdown request nor be forced (config/shutdown.ts).
 */
export function cellRuleWarnings(cell: DeclaredCell): string[] {
    return shutdownIssues(cell.config, "config").map((issue) => `${cell.resourceName}: warning: ${issue.path}: ${issue.message}`);
}
