// SPDX-License-Identifier: MIT
// What changed between two configs, said in partition terms
// ("CPUs 1 -> 1-2", "region ram: 64 MiB -> 128 MiB") for reviews, previews
// and `jailhouse-config diff`. Pure: configs in, sentences out.
import { isDeepStrictEqual } from "node:util";
import type { CellConfig, Console, MemoryRegion, SystemConfig } from "./schema";
import { describeInterrupts } from "./irqchips";
import { formatCpuList, formatHex, formatRanges, formatSize } from "./units";

const regionName = (region: MemoryRegion) => region.name ?? `at virt ${formatHex(region.virt)}`;

function describeRegion(region: MemoryRegion): string {
    const where = region.flags.includes("comm-region")
        ? `virt ${formatHex(region.virt)}`
        : `${formatHex(region.phys)}${region.virt !== region.phys ? ` -> virt ${formatHex(region.virt)}` : ""}`;
    return `${where}, ${formatSize(region.size)}, ${region.flags.join("+") || "no access"}`;
}

function matchRegions(before: readonly MemoryRegion[], after: readonly MemoryRegion[]) {
    const pairs: [MemoryRegion | undefined, MemoryRegion | undefined][] = [];
    const left = new Set(after);
    const take = (predicate: (r: MemoryRegion) => boolean) => {
        const found = [...left].find(predicate);
        if (found) left.delete(found);
        return found;
    };
    for (const old of before) {
        const match = take((r) => !!old.name && r.name === old.name) ?? take((r) => (!r.name || !old.name) && r.virt === old.virt);
        pairs.push([old, match]);
    }
    for (const added of after) if (left.has(added)) pairs.push([undefined, added]);
    return pairs;
}

function regionChanges(before: readonly MemoryRegion[], after: readonly MemoryRegion[]): string[] {
    const changes: string[] = [];
    for (const [old, now] of matchRegions(before, after)) {
        if (!now) {
            changes.push(`region ${regionName(old!)}: removed (${describeRegion(old!)})`);
            continue;
        }
        if (!old) {
            changes.push(`region ${regionName(now)}: added (${describeRegion(now)})`);
            continue;
        }
        const parts: string[] = [];
        if (old.size !== now.size) parts.push(`${formatSize(old.size)} -> ${formatSize(now.size)}`);
        if (old.phys !== now.phys && !now.flags.includes("comm-region"))
            parts.push(`phys ${formatHex(old.phys)} -> ${formatHex(now.phys)}`);
        if (old.virt !== now.virt) parts.push(`virt ${formatHex(old.virt)} -> ${formatHex(now.virt)}`);
        const flagsBefore = [...old.flags].sort().join("+");
        const flagsAfter = [...now.flags].sort().join("+");
        if (flagsBefore !== flagsAfter || old.ioWidth !== now.ioWidth)
            parts.push(
                `flags ${flagsBefore || "none"}${old.ioWidth ? ` io${old.ioWidth}` : ""} -> ${flagsAfter || "none"}${now.ioWidth ? ` io${now.ioWidth}` : ""}`,
            );
        if (old.name !== now.name && old.name && now.name) parts.push(`renamed to ${now.name}`);
        if (parts.length) changes.push(`region ${regionName(old)}: ${parts.join(", ")}`);
    }
    return changes;
}

/** The cell's interrupts, SPI ranges merged per chip address; IOAPIC pins as "pins 0-23". */
function spiSet(cell: CellConfig): string {
    const spis = new Map<bigint, number[]>();
    const pins = new Map<bigint, string[]>();
    for (const chip of cell.irqchips) {
        if (chip.spis) spis.set(chip.address, [...(spis.get(chip.address) ?? []), ...chip.spis]);
        else pins.set(chip.address, [...(pins.get(chip.address) ?? []), describeInterrupts(chip)]);
    }
    const byChip = new Map<bigint, string>();
    for (const address of new Set([...spis.keys(), ...pins.keys()]))
        byChip.set(address, [formatRanges(spis.get(address) ?? []), ...(pins.get(address) ?? [])].filter(Boolean).join(" "));
    if (byChip.size <= 1) return [...byChip.values()].join("");
    return [...byChip].map(([address, text]) => `${formatHex(address)}:${text}`).join(" ");
}

/** "SPIs" on ARM; x86 cells own IOAPIC pins. */
const interruptWord = (cell: CellConfig) => (cell.irqchips.some((chip) => chip.pins !== undefined) ? "interrupts" : "SPIs");

function describeConsole(console: Console): string {
    return console.type === "none" ? "none" : `${console.type} at ${formatHex(console.address)}`;
}

/** The changes from `before` to `after`, one phrase each; empty when equal. */
export function diffCell(before: CellConfig, after: CellConfig): string[] {
    const changes: string[] = [];
    if (before.name !== after.name) changes.push(`name ${before.name} -> ${after.name}`);
    if (formatCpuList(before.cpus) !== formatCpuList(after.cpus))
        changes.push(`CPUs ${formatCpuList(before.cpus)} -> ${formatCpuList(after.cpus)}`);
    changes.push(...regionChanges(before.memory, after.memory));
    if (spiSet(before) !== spiSet(after)) changes.push(`${interruptWord(after)} ${spiSet(before) || "none"} -> ${spiSet(after) || "none"}`);
    if (before.flags.join("+") !== after.flags.join("+"))
        changes.push(`flags ${before.flags.join("+") || "none"} -> ${after.flags.join("+") || "none"}`);
    if (!isDeepStrictEqual(before.console, after.console))
        changes.push(`console ${describeConsole(before.console)} -> ${describeConsole(after.console)}`);
    if (before.cpuResetAddress !== after.cpuResetAddress)
        changes.push(`CPU reset address ${formatHex(before.cpuResetAddress)} -> ${formatHex(after.cpuResetAddress)}`);
    const rest = [
        ["architecture", "architecture"],
        ["cache", "cache regions"],
        ["pio", "PIO regions"],
        ["pciDevices", "PCI devices"],
        ["pciCapabilities", "PCI capabilities"],
        ["streamIds", "stream IDs"],
        ["vpciIrqBase", "virtual PCI IRQ base"],
        ["msgReplyTimeout", "message reply timeout"],
        ["cpuSetSize", "CPU set size"],
    ] as const;
    for (const [key, words] of rest) if (!isDeepStrictEqual(before[key], after[key])) changes.push(`${words} changed`);
    // irqchip layout (pinBase, id) without a change in the SPIs themselves
    if (spiSet(before) === spiSet(after) && !isDeepStrictEqual(before.irqchips, after.irqchips)) changes.push("irqchip layout changed");
    return changes;
}

export function diffSystem(before: SystemConfig, after: SystemConfig): string[] {
    const changes: string[] = [];
    const hvBefore = before.hypervisor.memory;
    const hvAfter = after.hypervisor.memory;
    if (!isDeepStrictEqual(hvBefore, hvAfter))
        changes.push(
            `hypervisor memory ${formatHex(hvBefore.phys)} ${formatSize(hvBefore.size)} -> ${formatHex(hvAfter.phys)} ${formatSize(hvAfter.size)}`,
        );
    if (!isDeepStrictEqual(before.debugConsole, after.debugConsole))
        changes.push(`debug console ${describeConsole(before.debugConsole)} -> ${describeConsole(after.debugConsole)}`);
    if (before.virtualDebugConsole !== after.virtualDebugConsole)
        changes.push(`virtual debug console ${before.virtualDebugConsole ? "on" : "off"} -> ${after.virtualDebugConsole ? "on" : "off"}`);
    if (before.architecture !== after.architecture) changes.push(`architecture ${before.architecture} -> ${after.architecture}`);
    const platformParts = [
        ["gic", "GIC"],
        ["x86", "x86 platform"],
        ["pci", "PCI host"],
        ["iommus", "IOMMU units"],
    ] as const;
    for (const [key, words] of platformParts)
        if (!isDeepStrictEqual(before.platform[key], after.platform[key])) changes.push(`${words} changed`);
    if (before.systemFlags !== after.systemFlags) changes.push("system flags changed");
    const { signed: signedBefore, ...rootBefore } = before.rootCell;
    const { signed: signedAfter, ...rootAfter } = after.rootCell;
    changes.push(...diffCell(rootBefore, rootAfter).map((change) => `root cell ${change}`));
    if (signedBefore !== signedAfter) changes.push("root cell header signature changed");
    return changes;
}

/** "cell rt-demo: CPUs 1 -> 1-2; region ram: 64 MiB -> 128 MiB" */
export function describeCellDiff(before: CellConfig, after: CellConfig): string | undefined {
    const changes = diffCell(before, after);
    return changes.length ? `cell ${after.name}: ${changes.join("; ")}` : undefined;
}

/**
 * A cell's partition as short lines, one per resource kind, e.g.
 * ["CPUs 1", "region ram: 0x70000000 -> virt 0x0, 1 MiB, read+write+...", "SPIs none"].
 * Kept in the resource state so `pulumi preview --diff` shows a change in
 * the same terms as `jailhouse-config diff`.
 */
export function summarizeCell(cell: CellConfig): string[] {
    return [
        `CPUs ${formatCpuList(cell.cpus)}`,
        ...cell.memory.map((region) => `region ${regionName(region)}: ${describeRegion(region)}`),
        `${interruptWord(cell)} ${spiSet(cell) || "none"}`,
        ...(cell.flags.length ? [`flags ${cell.flags.join("+")}`] : []),
        ...(cell.console.type !== "none" ? [`console ${describeConsole(cell.console)}`] : []),
    ];
}

export function summarizeSystem(system: SystemConfig): string[] {
    const hv = system.hypervisor.memory;
    return [
        `hypervisor memory ${formatHex(hv.phys)} ${formatSize(hv.size)}`,
        `debug console ${describeConsole(system.debugConsole)}`,
        ...summarizeCell(system.rootCell).map((line) => `root cell ${line}`),
    ];
}
