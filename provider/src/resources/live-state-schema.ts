// SPDX-License-Identifier: MIT
// The typed document a host's live state is, whichever reader produced it.
import { z } from "zod";
import { parseCpuListText, UnitError } from "../config/units";

export const LiveCellSchema = z.object({
    id: z.number().int(),
    name: z.string(),
    /** sysfs state: "running", "running/locked", "shut down", "failed", ... */
    state: z.string(),
    cpusAssigned: z.string(),
    cpusFailed: z.string(),
});

export const LiveHostStateSchema = z.object({
    hostname: z.string(),
    kernelRelease: z.string(),
    onlineCpus: z.array(z.number().int()),
    cmdline: z.string(),
    /**
     * Kernel log lines that tell who owns EL2; undefined when the read skipped
     * the boot log (only a planned enable needs it, and it is the slow part).
     */
    bootLog: z.string().optional(),
    /** Linux RAM, [start, end). Needs root: /proc/iomem shows zeros to others. */
    systemRam: z.array(z.tuple([z.bigint(), z.bigint()])),
    moduleLoaded: z.boolean(),
    /** Present while the driver is loaded (it creates /sys/devices/jailhouse). */
    jailhouse: z
        .object({
            enabled: z.boolean(),
            memPoolSize: z.number(),
            memPoolUsed: z.number(),
            remapPoolSize: z.number(),
            remapPoolUsed: z.number(),
            /** Why the last enable or disable failed, as the driver reports it. */
            lastError: z.string().optional(),
        })
        .optional(),
    cells: z.array(LiveCellSchema),
    firmwareSha256: z.string().optional(),
    systemConfigSha256: z.string().optional(),
    buildStamp: z.string().optional(),
});

export type LiveCell = z.infer<typeof LiveCellSchema>;
export type LiveHostState = z.infer<typeof LiveHostStateSchema>;

export class LiveStateError extends Error {}

/** What a read should include beyond what every read has. */
export interface ReadOptions {
    /** The kernel log lines that tell who owns EL2 (pre-flight facts for an enable). */
    bootLog?: boolean;
    /**
     * "auto" (default): the host's `jailhouse state --json` when its CLI has
     * it, else the shell reader, in the same round trip. "shell" or "native"
     * force one (benchmarks, and the test that both agree).
     */
    reader?: "auto" | "shell" | "native";
    /** The CLI the native reader runs; default `jailhouse` on the host's PATH. */
    cli?: string;
}

/** A CPU list the host printed (sysfs `online`, a cell's `cpus_assigned_list`); a malformed one names the key it came from. */
export function liveCpuList(key: string, text: string): number[] {
    try {
        return parseCpuListText(text);
    } catch (error) {
        if (error instanceof UnitError) throw new LiveStateError(`live state: ${key}='${text.trim()}': ${error.message}`);
        throw error;
    }
}

/** A pool counter as sysfs shows it; an unreadable one (driver busy) reads as empty, and 0 is its honest value then. */
function counter(key: string, raw: string): number {
    if (raw === "") return 0;
    if (!/^-?\d+$/.test(raw)) throw new LiveStateError(`live state: ${key}='${raw}' is not a whole number`);
    return Number(raw);
}

/** A cell's sysfs folder name, which is its id. */
function cellId(id: string): number {
    if (!/^\d+$/.test(id)) throw new LiveStateError(`live state: cell id '${id}' is not a number`);
    return Number(id);
}

/** The driver's files under /sys/devices/jailhouse, as the text they hold. */
export const SysfsJailhouseSchema = z.strictObject({
    enabled: z.string(),
    mem_pool_size: z.string(),
    mem_pool_used: z.string(),
    remap_pool_size: z.string(),
    remap_pool_used: z.string(),
    last_error: z.string(),
});

/** One cell's sysfs folder as text: its id is the folder's name. */
export const SysfsCellSchema = z.strictObject({
    id: z.string(),
    name: z.string(),
    state: z.string(),
    cpus: z.string(),
    failed: z.string(),
});

/** What either reader collected, still the text the host printed, so both are typed by the same code. */
export const CollectedStateSchema = z.strictObject({
    hostname: z.string(),
    kernel: z.string(),
    online: z.string(),
    cmdline: z.string(),
    /** Linux RAM, [start, end), already bounds-checked by the reader's own format. */
    ram: z.array(z.tuple([z.bigint(), z.bigint()])),
    /** Undefined when the read skipped the boot log. */
    boot: z.array(z.string()).optional(),
    module: z.boolean(),
    jailhouse: SysfsJailhouseSchema.optional(),
    cells: z.array(SysfsCellSchema),
    firmwareSha256: z.string().optional(),
    systemConfigSha256: z.string().optional(),
    buildStamp: z.string().optional(),
});
export type CollectedState = z.infer<typeof CollectedStateSchema>;

/** `<start>-<end>` in hex, end inclusive, as /proc/iomem prints it, to [start, end); undefined when it is not that. */
export function iomemRange(text: string): [bigint, bigint] | undefined {
    const range = /^([0-9a-f]+)-([0-9a-f]+)$/.exec(text);
    return range ? [BigInt(`0x${range[1]}`), BigInt(`0x${range[2]}`) + 1n] : undefined;
}

/** The typed live state from what a reader collected; a malformed number or CPU list names its key. */
export function typedLiveState(collected: CollectedState): LiveHostState {
    const hv = collected.jailhouse;
    const state: LiveHostState = {
        hostname: collected.hostname,
        kernelRelease: collected.kernel,
        onlineCpus: liveCpuList("online", collected.online),
        cmdline: collected.cmdline,
        bootLog: collected.boot?.join("\n"),
        systemRam: collected.ram,
        moduleLoaded: collected.module,
        jailhouse: hv && {
            enabled: hv.enabled === "1",
            memPoolSize: counter("jailhouse.mem_pool_size", hv.mem_pool_size),
            memPoolUsed: counter("jailhouse.mem_pool_used", hv.mem_pool_used),
            remapPoolSize: counter("jailhouse.remap_pool_size", hv.remap_pool_size),
            remapPoolUsed: counter("jailhouse.remap_pool_used", hv.remap_pool_used),
            lastError: hv.last_error || undefined,
        },
        cells: collected.cells
            .map((cell) => ({ id: cellId(cell.id), name: cell.name, state: cell.state, cpusAssigned: cell.cpus, cpusFailed: cell.failed }))
            .sort((a, b) => a.id - b.id),
        firmwareSha256: collected.firmwareSha256,
        systemConfigSha256: collected.systemConfigSha256,
        buildStamp: collected.buildStamp,
    };
    return LiveHostStateSchema.parse(state);
}
