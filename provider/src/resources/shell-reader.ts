// SPDX-License-Identifier: MIT
// The shell reader: a script any host with a POSIX shell runs (also one with
// upstream's CLI, `stack: "installed"`), printing key=value lines, and the
// pure parser that turns them into the typed live state.
import { iomemRange, type LiveHostState, LiveStateError, type ReadOptions, typedLiveState } from "./live-state-schema";
import { jailhouseSysfs, remoteBuildStamp, remoteFirmware, remoteSystemConfig } from "./remote-layout";

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

/** Parses the shell reader's key=value output. */
export function parseShellOutput(text: string): LiveHostState {
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
            const range = iomemRange(value);
            if (!range) throw new LiveStateError(`live state: RAM line '${line}' is not <start>-<end> in hex, as /proc/iomem prints it`);
            ram.push(range);
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
    const valueOf = (key: string) => values.get(key) ?? "";
    const cellIds = [...new Set([...values.keys()].filter((k) => k.startsWith("cell.")).map((k) => k.split(".")[1]))];
    return typedLiveState({
        hostname: valueOf("hostname"),
        kernel: valueOf("kernel"),
        online: valueOf("online"),
        cmdline: valueOf("cmdline"),
        ram,
        boot: bootLogRead ? boot : undefined,
        module: values.get("module") === "1",
        jailhouse: values.has("jailhouse.enabled")
            ? {
                  enabled: valueOf("jailhouse.enabled"),
                  mem_pool_size: valueOf("jailhouse.mem_pool_size"),
                  mem_pool_used: valueOf("jailhouse.mem_pool_used"),
                  remap_pool_size: valueOf("jailhouse.remap_pool_size"),
                  remap_pool_used: valueOf("jailhouse.remap_pool_used"),
                  last_error: valueOf("jailhouse.last_error"),
              }
            : undefined,
        cells: cellIds.map((id) => ({
            id,
            name: valueOf(`cell.${id}.name`),
            state: valueOf(`cell.${id}.state`),
            cpus: valueOf(`cell.${id}.cpus`),
            failed: valueOf(`cell.${id}.failed`),
        })),
        firmwareSha256: values.get("firmware"),
        systemConfigSha256: values.get("sysconfig"),
        buildStamp: values.get("stamp"),
    });
}
