// SPDX-License-Identifier: MIT
// A host's whole live state, read in one round trip: one script prints
// key=value lines, and a pure parser turns them into a typed document.
import { z } from "zod";
import type { HostSession } from "../host";
import { jailhouseSysfs, remoteBuildStamp, remoteFirmware, remoteSystemConfig } from "./remote-layout";

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
}

// The journal keeps the boot lines after the ring buffer has wrapped.
const bootLogSection = String.raw`
echo bootlog=1
{ journalctl -k -b -q --no-pager -o cat 2>/dev/null; dmesg 2>/dev/null; } |
  grep -E 'started at EL|kvm \[|VHE|Virtualization Host Extensions' | sort -u | sed 's/^/boot=/'`;

// The first and last lines frame the output: without them, a truncated run or
// another program's output would parse as "nothing installed", and the
// provider would act on a state the host is not in.
export function shellReaderScript(options: ReadOptions = {}): string {
    return String.raw`
export LC_ALL=C
echo livestate=1
echo "hostname=$(hostname)"
echo "kernel=$(uname -r)"
echo "online=$(cat /sys/devices/system/cpu/online)"
echo "cmdline=$(cat /proc/cmdline)"
grep -E '^[0-9a-f]+-[0-9a-f]+ : System RAM' /proc/iomem | sed 's/ :.*//; s/^/ram=/'${options.bootLog ? bootLogSection : ""}
[ -d /sys/module/jailhouse ] && echo module=1 || echo module=0
d=${jailhouseSysfs}
if [ -d $d ]; then
  for f in enabled mem_pool_size mem_pool_used remap_pool_size remap_pool_used; do
    echo "jailhouse.$f=$(cat $d/$f 2>/dev/null)"
  done
  echo "jailhouse.last_error=$(head -n 1 $d/last_error 2>/dev/null)"
  for c in $d/cells/*; do
    [ -d "$c" ] || continue
    id=$(basename "$c")
    echo "cell.$id.name=$(cat "$c/name")"
    echo "cell.$id.state=$(cat "$c/state")"
    echo "cell.$id.cpus=$(cat "$c/cpus_assigned_list")"
    echo "cell.$id.failed=$(cat "$c/cpus_failed_list")"
  done
fi
[ -f ${remoteFirmware} ] && echo "firmware=$(sha256sum ${remoteFirmware} | cut -c1-64)"
[ -f ${remoteSystemConfig} ] && echo "sysconfig=$(sha256sum ${remoteSystemConfig} | cut -c1-64)"
[ -f ${remoteBuildStamp} ] && echo "stamp=$(cat ${remoteBuildStamp})"
echo end=1
`;
}

/** The full shell reader, boot log included: what recordings of a host's state are made with. */
export const liveStateScript = shellReaderScript({ bootLog: true });

/** Keys every complete output has; the rest depend on what the host has. */
const requiredKeys = ["livestate", "hostname", "kernel", "online", "cmdline", "module", "end"];

/** "0-2,4" -> [0, 1, 2, 4]; anything else is an error, not a guess. */
export function parseCpuList(text: string): number[] {
    const cpus: number[] = [];
    for (const part of text.trim().split(",").filter(Boolean)) {
        const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!match) throw new LiveStateError(`'${text.trim()}' is not a CPU list like 0-2,4`);
        const first = Number(match[1]);
        const last = match[2] === undefined ? first : Number(match[2]);
        if (last < first) throw new LiveStateError(`'${text.trim()}' is not a CPU list like 0-2,4 (range ${part} runs backwards)`);
        for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
    }
    return cpus;
}

export function parseLiveState(text: string): LiveHostState {
    const values = new Map<string, string>();
    const ram: Array<[bigint, bigint]> = [];
    const boot: string[] = [];
    let bootLogRead = false;
    for (const line of text.split("\n")) {
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        const key = line.slice(0, eq);
        const value = line.slice(eq + 1);
        if (key === "ram") {
            const range = /^([0-9a-f]+)-([0-9a-f]+)$/.exec(value);
            if (!range) throw new LiveStateError(`live state: RAM line '${line}' is not <start>-<end> in hex, as /proc/iomem prints it`);
            ram.push([BigInt(`0x${range[1]}`), BigInt(`0x${range[2]}`) + 1n]);
        } else if (key === "boot") {
            boot.push(value);
            bootLogRead = true;
        } else if (key === "bootlog") {
            bootLogRead = true;
        } else {
            values.set(key, value);
        }
    }
    const missing = requiredKeys.filter((key) => !values.has(key));
    if (missing.length > 0) {
        const start = text.trim().split("\n").slice(0, 3).join(" | ").slice(0, 200);
        throw new LiveStateError(
            values.has("livestate")
                ? `live state is incomplete (no ${missing.join(", ")}); the script stopped early: ${start}`
                : `this is not the output of the live-state script (no livestate= line); it began: ${start || "(empty)"}`,
        );
    }
    const integer = (key: string) => {
        const raw = values.get(key) ?? "";
        // An unreadable counter (driver busy) reads as empty; 0 is its honest value then.
        if (raw === "") return 0;
        if (!/^-?\d+$/.test(raw)) throw new LiveStateError(`live state: ${key}='${raw}' is not a whole number`);
        return Number(raw);
    };
    const cellIds = [...new Set([...values.keys()].filter((k) => k.startsWith("cell.")).map((k) => k.split(".")[1]))].map((id) => {
        if (!/^\d+$/.test(id)) throw new LiveStateError(`live state: cell id '${id}' is not a number`);
        return Number(id);
    });
    const state: LiveHostState = {
        hostname: values.get("hostname") ?? "",
        kernelRelease: values.get("kernel") ?? "",
        onlineCpus: parseCpuList(values.get("online") ?? ""),
        cmdline: values.get("cmdline") ?? "",
        bootLog: bootLogRead ? boot.join("\n") : undefined,
        systemRam: ram,
        moduleLoaded: values.get("module") === "1",
        jailhouse: values.has("jailhouse.enabled")
            ? {
                  enabled: values.get("jailhouse.enabled") === "1",
                  memPoolSize: integer("jailhouse.mem_pool_size"),
                  memPoolUsed: integer("jailhouse.mem_pool_used"),
                  remapPoolSize: integer("jailhouse.remap_pool_size"),
                  remapPoolUsed: integer("jailhouse.remap_pool_used"),
                  lastError: values.get("jailhouse.last_error") || undefined,
              }
            : undefined,
        cells: cellIds
            .sort((a, b) => a - b)
            .map((id) => ({
                id,
                name: values.get(`cell.${id}.name`) ?? "",
                state: values.get(`cell.${id}.state`) ?? "",
                cpusAssigned: values.get(`cell.${id}.cpus`) ?? "",
                cpusFailed: values.get(`cell.${id}.failed`) ?? "",
            })),
        firmwareSha256: values.get("firmware"),
        systemConfigSha256: values.get("sysconfig"),
        buildStamp: values.get("stamp"),
    };
    return LiveHostStateSchema.parse(state);
}

/** The whole live state in one round trip; log lines name the host by its own name from then on. */
export async function readLiveState(host: HostSession, options: ReadOptions = {}): Promise<LiveHostState> {
    const result = await host.exec(shellReaderScript(options));
    try {
        const state = parseLiveState(result.stdout);
        host.nameHost(state.hostname);
        return state;
    } catch (error) {
        throw new Error(`${host.label}: reading the live state failed (exit ${result.code}): ${(error as Error).message}${result.stderr.trim() ? `\n${result.stderr.trim().slice(-500)}` : ""}`);
    }
}
