// SPDX-License-Identifier: MIT
// The native reader: `jailhouse state --json` in the CLI built on the host
// (kmod/cli/state.c), one process reading sysfs directly, and the parser
// that turns its JSON into the same typed live state the shell reader gives.
import { z } from "zod";
import { shellQuote } from "../host";
import {
    cellId,
    counter,
    type LiveHostState,
    LiveHostStateSchema,
    LiveStateError,
    liveCpuList,
    type ReadOptions,
} from "./live-state-schema";
import { remoteBuildStamp, remoteFirmware, remoteSystemConfig } from "./remote-layout";

/** What `jailhouse state --json` prints; sysfs values stay the text sysfs gave. */
export const NativeStateSchema = z.strictObject({
    format: z.literal(1),
    hostname: z.string(),
    kernel: z.string(),
    online: z.string(),
    cmdline: z.string(),
    /** Top-level "System RAM" ranges of /proc/iomem, "<start>-<end>" in hex, end inclusive. */
    ram: z.array(z.string().regex(/^[0-9a-f]+-[0-9a-f]+$/, "a RAM range is <start>-<end> in hex, as /proc/iomem prints it")),
    /** Present only with --boot-log. */
    boot: z.array(z.string()).optional(),
    module: z.boolean(),
    jailhouse: z
        .strictObject({
            enabled: z.string(),
            mem_pool_size: z.string(),
            mem_pool_used: z.string(),
            remap_pool_size: z.string(),
            remap_pool_used: z.string(),
            last_error: z.string(),
        })
        .nullable(),
    cells: z.array(z.strictObject({ id: z.string(), name: z.string(), state: z.string(), cpus: z.string(), failed: z.string() })),
    /** SHA-256 per file asked for with --hash; null when it is no regular file. */
    hashes: z.record(z.string(), z.string().nullable()),
    /** Contents per file asked for with --text; null when it is no regular file. */
    texts: z.record(z.string(), z.string().nullable()),
});
export type NativeState = z.infer<typeof NativeStateSchema>;

export function nativeReaderCommand(options: ReadOptions = {}): string {
    const words = [options.cli ?? "jailhouse", "state", "--json"];
    if (options.bootLog) words.push("--boot-log");
    words.push("--hash", remoteFirmware, "--hash", remoteSystemConfig, "--text", remoteBuildStamp);
    return words.map(shellQuote).join(" ");
}

export function parseNativeOutput(text: string): LiveHostState {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (error) {
        throw new LiveStateError(
            `the native reader's output is not JSON (${(error as Error).message}); it began: ${text.trim().slice(0, 200) || "(empty)"}`,
        );
    }
    const parsed = NativeStateSchema.safeParse(json);
    if (!parsed.success)
        throw new LiveStateError(
            `the native reader's output is not the state this provider reads: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}; update the CLI on the host (its build is redone when its sources change)`,
        );
    const raw = parsed.data;
    const hv = raw.jailhouse;
    const state: LiveHostState = {
        hostname: raw.hostname,
        kernelRelease: raw.kernel,
        onlineCpus: liveCpuList("online", raw.online),
        cmdline: raw.cmdline,
        bootLog: raw.boot?.join("\n"),
        systemRam: raw.ram.map((range) => {
            const [start, end] = range.split("-");
            return [BigInt(`0x${start}`), BigInt(`0x${end}`) + 1n] as [bigint, bigint];
        }),
        moduleLoaded: raw.module,
        jailhouse: hv
            ? {
                  enabled: hv.enabled === "1",
                  memPoolSize: counter("jailhouse.mem_pool_size", hv.mem_pool_size),
                  memPoolUsed: counter("jailhouse.mem_pool_used", hv.mem_pool_used),
                  remapPoolSize: counter("jailhouse.remap_pool_size", hv.remap_pool_size),
                  remapPoolUsed: counter("jailhouse.remap_pool_used", hv.remap_pool_used),
                  lastError: hv.last_error || undefined,
              }
            : undefined,
        cells: raw.cells
            .map((cell) => ({ id: cellId(cell.id), name: cell.name, state: cell.state, cpusAssigned: cell.cpus, cpusFailed: cell.failed }))
            .sort((a, b) => a.id - b.id),
        firmwareSha256: raw.hashes[remoteFirmware] ?? undefined,
        systemConfigSha256: raw.hashes[remoteSystemConfig] ?? undefined,
        buildStamp: raw.texts[remoteBuildStamp] ?? undefined,
    };
    return LiveHostStateSchema.parse(state);
}
