// SPDX-License-Identifier: MIT
// Reading a host's live state, locally or over SSH, in one command: the
// device tree travels as a compressed tar and becomes devicetree.txt here.
import { execFileSync } from "node:child_process";
import * as zlib from "node:zlib";
import type { HostSession } from "../../host";
import { type LivePart, type LiveState, LiveStateError, LiveStateSchema } from "./live-state";
import { tarFiles } from "./tar";

const deviceTreeRoot = "/sys/firmware/devicetree/base";

const sections: [LivePart | "devicetreeArchive", string][] = [
    ["hostname", "cat /proc/sys/kernel/hostname"],
    ["cpusOnline", "cat /sys/devices/system/cpu/online"],
    ["iomem", "cat /proc/iomem"],
    ["interrupts", "cat /proc/interrupts"],
    ["devicetreeArchive", `tar -c -C ${deviceTreeRoot}/.. base | gzip -1 | base64 -w0; echo`],
];

const marker = (name: string) => `==> ${name} <==`;

/** The shell command that prints every part, each after its marker line. */
export const gatherScript = [
    "set -e",
    `[ -d ${deviceTreeRoot} ] || { echo "no device tree at ${deviceTreeRoot}: create reads arm64 hosts booted with a device tree (not ACPI)" >&2; exit 3; }`,
    ...sections.map(([name, command]) => `echo '${marker(name)}'; ${command}`),
].join("\n");

/** Splits the script's output into the live state's parts. */
export function parseGatherOutput(output: string): LiveState {
    const parts: Record<string, string> = {};
    let current: string | undefined;
    for (const line of output.split("\n")) {
        const match = /^==> (\w+) <==$/.exec(line);
        if (match) {
            current = match[1];
            parts[current] = "";
        } else if (current) parts[current] += `${line}\n`;
    }
    const archive = parts.devicetreeArchive;
    if (archive === undefined) throw new LiveStateError("the host's answer lacks the device tree; was the command cut short?");
    delete parts.devicetreeArchive;
    const files = tarFiles(zlib.gunzipSync(Buffer.from(archive.trim(), "base64")));
    parts.devicetree = [...files]
        .map(([name, bytes]) => [name.replace(/^base\/?/, ""), bytes] as const)
        .filter(([name]) => name)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, bytes]) => `${name} ${bytes.toString("hex")}\n`)
        .join("");
    const parsed = LiveStateSchema.safeParse(parts);
    if (!parsed.success) throw new LiveStateError(`the host's answer lacks ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`);
    return parsed.data;
}

export async function gatherOverSsh(session: HostSession): Promise<LiveState> {
    const result = await session.exec(gatherScript, { timeoutMs: 120_000 });
    if (result.code !== 0)
        throw new LiveStateError(`${session.label}: reading the live state failed (exit ${result.code}): ${result.stderr.trim()}`);
    return parseGatherOutput(result.stdout);
}

export function gatherLocally(): LiveState {
    let output: string;
    try {
        output = execFileSync("sh", ["-c", gatherScript], {
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? "").trim();
        throw new LiveStateError(`reading this host's live state failed: ${stderr || (error as Error).message}`);
    }
    return parseGatherOutput(output);
}
