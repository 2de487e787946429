// SPDX-License-Identifier: MIT
// The native reader: `jailhouse state --json` in the CLI built on the host
// (kmod/cli/state.c), one process reading sysfs directly, and the parser
// that turns its JSON into the same typed live state the shell reader gives.
import { z } from "zod";
import { shellQuote } from "../host";
import {
    iomemRange,
    type LiveHostState,
    LiveStateError,
    type ReadOptions,
    SysfsCellSchema,
    SysfsJailhouseSchema,
    typedLiveState,
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
    jailhouse: SysfsJailhouseSchema.nullable(),
    cells: z.array(SysfsCellSchema),
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
    const { format: _format, ram, jailhouse, hashes, texts, ...sysfs } = parsed.data;
    return typedLiveState({
        ...sysfs,
        // The schema has checked each range's form.
        ram: ram.map((range) => iomemRange(range) as [bigint, bigint]),
        jailhouse: jailhouse ?? undefined,
        firmwareSha256: hashes[remoteFirmware] ?? undefined,
        systemConfigSha256: hashes[remoteSystemConfig] ?? undefined,
        buildStamp: texts[remoteBuildStamp] ?? undefined,
    });
}
