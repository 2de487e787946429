// SPDX-License-Identifier: MIT
// /proc/iomem and /proc/interrupts as create needs them: the top-level
// resources (RAM, devices, reservations) and the GIC interrupts Linux uses.
import { LiveStateError } from "./live-state";

export interface IomemEntry {
    start: bigint;
    /** One past the last byte. */
    end: bigint;
    name: string;
}

/** The top-level entries of /proc/iomem (nested ones only say what uses a part). */
export function parseIomem(text: string): IomemEntry[] {
    const entries: IomemEntry[] = [];
    text.split("\n").forEach((line, index) => {
        if (!line.trim() || /^\s/.test(line)) return;
        const match = /^([0-9a-f]+)-([0-9a-f]+) : (.*)$/i.exec(line.trimEnd());
        if (!match)
            throw new LiveStateError(
                `iomem.txt line ${index + 1}: expected "start-end : name" as /proc/iomem prints it, got ${JSON.stringify(line.slice(0, 80))}`,
            );
        entries.push({ start: BigInt(`0x${match[1]}`), end: BigInt(`0x${match[2]}`) + 1n, name: match[3] });
    });
    if (entries.length === 0) throw new LiveStateError("iomem.txt is empty; it should hold /proc/iomem");
    // The kernel shows zeros to a reader without CAP_SYS_ADMIN.
    if (entries.every((entry) => entry.start === 0n && entry.end === 1n))
        throw new LiveStateError(
            "iomem.txt has only zero addresses: /proc/iomem was read without root rights; run create as root (or --ssh as root@...)",
        );
    return entries;
}

export interface GicInterrupt {
    /** The GIC's interrupt ID (SPIs from 32). */
    intid: number;
    chip: string;
    user: string;
}

/** The interrupts /proc/interrupts lists on a GIC ("GICv3  33 Level  uart-pl011"). */
export function parseInterrupts(text: string): GicInterrupt[] {
    const lines = text.split("\n");
    const cpuColumns = (lines[0] ?? "")
        .trim()
        .split(/\s+/)
        .filter((c) => /^CPU\d+$/.test(c)).length;
    if (!cpuColumns) throw new LiveStateError('interrupts.txt does not start with the "CPU0 CPU1 ..." header of /proc/interrupts');
    const found: GicInterrupt[] = [];
    for (const line of lines.slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (!/^\d+:$/.test(fields[0] ?? "")) continue;
        const [chip, hwirq, ...rest] = fields.slice(1 + cpuColumns);
        if (!chip?.startsWith("GIC") || !/^\d+$/.test(hwirq ?? "")) continue;
        found.push({ intid: Number(hwirq), chip, user: rest.slice(1).join(" ") });
    }
    return found;
}
