// SPDX-License-Identifier: MIT
// The provider's decisions, kept pure: config inputs to state-safe form,
// what a change means for a cell (update in place or replace, and why),
// what the live host says about drift, and what a Hypervisor update must
// do. The resource code (cell-provider.ts, hypervisor-provider.ts) only does
// the SSH around these.
import * as crypto from "node:crypto";
import {
    type CellConfig,
    compileCell,
    compileSystem,
    ConfigValidationError,
    decompileCell,
    decompileSystem,
    diffCell,
    diffSystem,
    encodeCellConfig,
    encodeSystemConfig,
    formatCpuList,
    loadConfigBytes,
    parseCellConfig,
    parseCpuList,
    parseSystemConfig,
    readConfigFile,
    type SystemConfig,
    type ValidationIssue,
} from "../config";
import type { LiveCell, LiveHostState } from "./live-state";
import { memoizedByContent, memoizedOf } from "./config-memo";
import { changedConnectionFields, connectionChangeReason } from "./connection-change";

/**
 * A config as it is kept in Pulumi state: JSON-safe (hex strings, no
 * bigints), complete, and the same for every input that means the same
 * partition, plus the hash of its .cell bytes.
 */
export interface StoredConfig {
    config: Record<string, unknown>;
    sha256: string;
}

const sha256 = (data: Uint8Array) => crypto.createHash("sha256").update(data).digest("hex");

const resourceTaking = { cell: "a Cell", system: "a Hypervisor" } as const;

/** The config in a YAML or .cell file read on the user's machine, refused when it is the other kind. */
function loadConfigOfKind<K extends keyof typeof resourceTaking>(file: string, kind: K): { cell: CellConfig; system: SystemConfig }[K] {
    const loaded = memoizedByContent(`config file ${file}`, readConfigFile(file), (bytes) => loadConfigBytes(bytes, file));
    if (loaded.kind !== kind)
        throw new ConfigValidationError([
            { path: file, message: `is a ${loaded.kind} config; ${resourceTaking[kind]} needs a ${kind} config` },
        ]);
    // TypeScript does not narrow the union by a generic kind; the check above did.
    return loaded.config as { cell: CellConfig; system: SystemConfig }[K];
}

/** A config given as a typed object or as stored in state, validated. */
export const parsedCellConfig = (value: unknown): CellConfig => memoizedByContent("cell config", value, parseCellConfig);
export const parsedSystemConfig = (value: unknown): SystemConfig => memoizedByContent("system config", value, parseSystemConfig);

/** A typed object, or the path of a YAML or .cell file read on the user's machine. */
export function resolveCellConfig(input: unknown): CellConfig {
    return typeof input === "string" ? loadConfigOfKind(input, "cell") : parsedCellConfig(input);
}

export function resolveSystemConfig(input: unknown): SystemConfig {
    return typeof input === "string" ? loadConfigOfKind(input, "system") : parsedSystemConfig(input);
}

export function storeCellConfig(config: CellConfig): StoredConfig {
    return memoizedOf(config, () => {
        const stored = decompileCell(
            compileCell(config),
            config.memory.map((r) => r.name),
        );
        return { config: stored, sha256: sha256(encodeCellConfig(config)) };
    });
}

export function storeSystemConfig(config: SystemConfig): StoredConfig {
    return memoizedOf(config, () => {
        const stored = decompileSystem(
            compileSystem(config),
            config.rootCell.memory.map((r) => r.name),
        );
        return { config: stored, sha256: sha256(encodeSystemConfig(config)) };
    });
}

/** The failures `check()` returns, one per issue, on the given property. */
export function checkFailures(property: string, error: unknown): { property: string; reason: string }[] {
    if (error instanceof ConfigValidationError)
        return error.issues.map((issue) => ({ property, reason: `${property}.${issue.path}: ${issue.message}` }));
    throw error;
}

export function issueFailures(property: string, issues: readonly ValidationIssue[]) {
    return issues.map((issue) => ({ property, reason: `${property}.${issue.path}: ${issue.message}` }));
}

// ------------------------------------------------------------------- cells

export type CellState = "running" | "stopped";

/**
 * What the driver's sysfs state means for a desired state. A cell whose
 * inmate has locked it ("running/locked") is running.
 */
export function sysfsStateMatches(sysfsState: string, desired: CellState): boolean {
    return desired === "running" ? sysfsState === "running" || sysfsState === "running/locked" : sysfsState === "shut down";
}

/**
 * The state a Cell's liveState output shows: a cell that locked itself is
 * running, so a refresh while it holds the lock records no change.
 */
export const reportedState = (sysfsState: string) => (sysfsState === "running/locked" ? "running" : sysfsState);

export function liveStateMatches(live: LiveCell, desired: CellState): boolean {
    return sysfsStateMatches(live.state, desired);
}

/** Drift between a cell's config and what runs on the host, in words; `linux`: the cell boots a Linux kernel. */
export function cellDrift(config: CellConfig, desired: CellState, live: LiveCell | undefined, linux = false): string[] {
    if (!live) return [`cell ${config.name} is gone from the host`];
    const drift: string[] = [];
    const liveCpus = formatCpuList(parseCpuList(live.cpusAssigned || []));
    if (liveCpus !== formatCpuList(config.cpus))
        drift.push(`cell ${config.name} runs on CPUs ${liveCpus}, not ${formatCpuList(config.cpus)}`);
    if (live.state === "failed" || live.cpusFailed.trim())
        drift.push(`cell ${config.name} has failed${live.cpusFailed.trim() ? ` (CPUs ${live.cpusFailed.trim()})` : ""}`);
    else if (linux && live.state === "shut down" && desired === "running")
        drift.push(`cell ${config.name} is shut down: its Linux powered the cell off; pulumi up boots it again`);
    else if (!liveStateMatches(live, desired)) drift.push(`cell ${config.name} is ${live.state}, not ${desired}`);
    return drift;
}

export interface CellResourceState {
    host: string;
    /** The SSH connection; compared field by field, never printed. */
    connection?: unknown;
    config: Record<string, unknown>;
    configSha256: string;
    imagesSha256: string;
    state: CellState;
    /** The config's shutdown.onTimeout (absent in older state: "fail"). */
    onTimeout?: string;
    /** From the last read: what the host showed. */
    liveCpus?: string;
    liveState?: string;
}

export interface CellDiff {
    changes: boolean;
    replaces: string[];
    /** Why, in partition terms: "cell rt-demo: CPUs 1 -> 1-2". */
    reasons: string[];
    /** An in-place update must load and (re)start the cell; otherwise it only stores the new inputs. */
    reload: boolean;
}

/**
 * A cell's config is fixed while it exists (Jailhouse has no way to change
 * a running cell's resources), so any config change replaces it, and so do
 * a move to another host and a live CPU set that drifted from the config.
 * Images and the desired run state are applied in place. A new way to log
 * in to the same host (key, password, pin, user, jump host), or a new
 * shutdown.onTimeout, is an update that stores it and touches nothing on
 * the host.
 */
export function diffCellResource(olds: CellResourceState, news: CellResourceState): CellDiff {
    const replaces = new Set<string>();
    const reasons: string[] = [];
    if (olds.host !== news.host) {
        replaces.add("connection");
        reasons.push(`cell moves from ${olds.host} to ${news.host}`);
    }
    if (olds.configSha256 !== news.configSha256) {
        replaces.add("config");
        const before = parsedCellConfig(olds.config);
        const after = parsedCellConfig(news.config);
        const changes = diffCell(before, after);
        reasons.push(`cell ${after.name}: ${changes.length ? changes.join("; ") : "config bytes changed"}`);
    }
    const newCpus = formatCpuList(parsedCellConfig(news.config).cpus);
    if (olds.liveCpus !== undefined && olds.liveState !== "gone" && olds.liveCpus !== newCpus) {
        replaces.add("config");
        reasons.push(`cell ${String(news.config.name)}: live CPUs ${olds.liveCpus} differ from ${newCpus}`);
    }
    let inPlace = false;
    const connectionFields = olds.host === news.host ? changedConnectionFields(olds.connection, news.connection) : [];
    if (connectionFields.length) reasons.push(`cell ${String(news.config.name)}: ${connectionChangeReason(connectionFields)}`);
    // The provider's own policy: stored, nothing on the host changes.
    const onTimeoutChanged = (olds.onTimeout ?? "fail") !== (news.onTimeout ?? "fail");
    if (onTimeoutChanged)
        reasons.push(`cell ${String(news.config.name)}: shutdown.onTimeout ${olds.onTimeout ?? "fail"} -> ${news.onTimeout ?? "fail"}`);
    if (olds.imagesSha256 !== news.imagesSha256) {
        inPlace = true;
        reasons.push(`cell ${String(news.config.name)}: images changed (reload)`);
    }
    if (
        olds.state !== news.state ||
        (olds.liveState !== undefined && olds.liveState !== "gone" && !sysfsStateMatches(olds.liveState, news.state))
    ) {
        inPlace = true;
        reasons.push(`cell ${String(news.config.name)}: ${olds.liveState ?? olds.state} -> ${news.state}`);
    }
    if (olds.liveState === "gone") {
        replaces.add("config");
        reasons.push(`cell ${String(news.config.name)}: gone from the host (recreate)`);
    }
    return {
        changes: replaces.size > 0 || inPlace || connectionFields.length > 0 || onTimeoutChanged,
        replaces: [...replaces],
        reasons,
        reload: inPlace,
    };
}

export type CellCreatePlan = { action: "adopt"; loadAndStart: boolean } | { action: "create" } | { action: "conflict"; message: string };

/** Create adopts an identical live cell of the same name. */
export function planCellCreate(host: string, live: LiveHostState, config: CellConfig, desired: CellState): CellCreatePlan {
    if (!live.jailhouse?.enabled)
        return {
            action: "conflict",
            message: `${host}: the hypervisor is not enabled; declare a Hypervisor for this host and pass it to the Cell`,
        };
    const existing = live.cells.find((cell) => cell.name === config.name);
    if (!existing) {
        const busy = live.cells
            .filter((cell) => cell.id !== 0)
            .flatMap((cell) =>
                parseCpuList(cell.cpusAssigned || [])
                    .filter((cpu) => config.cpus.includes(cpu))
                    .map((cpu) => `${cpu} (cell ${cell.name})`),
            );
        if (busy.length)
            return {
                action: "conflict",
                message: `${host}: cell ${config.name} needs CPU ${busy.join(", ")} already in use; destroy that cell or pick other CPUs`,
            };
        return { action: "create" };
    }
    const drift = cellDrift(config, desired, existing).filter((d) => !/ is (shut down|running)/.test(d));
    if (drift.length)
        return {
            action: "conflict",
            message: `${host}: a different cell named ${config.name} already exists (${drift.join("; ")}); destroy it with "jailhouse cell destroy ${config.name}" or rename this cell`,
        };
    return { action: "adopt", loadAndStart: !liveStateMatches(existing, desired) };
}

// -------------------------------------------------------------- hypervisor

export interface HypervisorResourceState {
    host: string;
    connection?: unknown;
    configSha256: string;
    stack: string;
    sourcesSha256: string;
    /** From the last read; false when the hypervisor was found disabled. */
    enabled?: boolean;
}

export interface HypervisorDiff {
    changes: boolean;
    replaces: string[];
    reasons: string[];
    /** The update must deploy, build or enable; otherwise it only stores the new inputs. */
    converge: boolean;
}

/** Another host replaces; config, sources, stack or a disabled hypervisor converge; a new login only updates. */
export function diffHypervisorResource(olds: HypervisorResourceState, news: HypervisorResourceState): HypervisorDiff {
    const reasons: string[] = [];
    const replaces = olds.host !== news.host ? ["connection"] : [];
    if (replaces.length) reasons.push(`hypervisor moves from ${olds.host} to ${news.host}`);
    const converge =
        replaces.length > 0 ||
        olds.configSha256 !== news.configSha256 ||
        olds.stack !== news.stack ||
        olds.sourcesSha256 !== news.sourcesSha256 ||
        olds.enabled === false;
    const connectionFields = replaces.length ? [] : changedConnectionFields(olds.connection, news.connection);
    if (connectionFields.length) reasons.push(`hypervisor: ${connectionChangeReason(connectionFields)}`);
    return { changes: converge || connectionFields.length > 0, replaces, reasons, converge };
}

export interface HypervisorPlan {
    rebuild: boolean;
    reenable: boolean;
    /** Set when the update cannot go ahead; says why and what to do. */
    refuse?: string;
    reasons: string[];
}

export function planHypervisorUpdate(
    host: string,
    olds: { configSha256: string; config: Record<string, unknown>; sourcesStamp: string },
    news: { configSha256: string; config: Record<string, unknown>; sourcesStamp: string },
    live: LiveHostState,
): HypervisorPlan {
    const reasons: string[] = [];
    const rebuild = live.buildStamp !== news.sourcesStamp;
    if (rebuild) reasons.push(`${host}: sources or kernel changed: rebuild module and CLI`);
    let reenable = !live.jailhouse?.enabled;
    if (reenable) reasons.push(`${host}: hypervisor is not enabled`);
    if (olds.configSha256 !== news.configSha256) {
        reenable = true;
        const changes = diffSystem(parsedSystemConfig(olds.config), parsedSystemConfig(news.config));
        reasons.push(`${host}: system config: ${changes.join("; ") || "bytes changed"}`);
    }
    if (rebuild && live.jailhouse?.enabled) reenable = true;
    const cells = live.cells.filter((cell) => cell.id !== 0);
    if (reenable && live.jailhouse?.enabled && cells.length)
        return {
            rebuild,
            reenable,
            reasons,
            refuse: `${host}: applying this needs the hypervisor disabled and enabled again, which would destroy the running cells ${cells.map((c) => c.name).join(", ")}; remove or replace those Cell resources first (or in the same update, so Pulumi deletes them before)`,
        };
    return { rebuild, reenable, reasons };
}
