// SPDX-License-Identifier: MIT
// Partition rules that the schemas cannot express because they relate
// regions, cells and the host to each other. Every finding names the config
// path and says how to fix it; nothing here touches a host.
//
// Parity with upstream Jailhouse: what its hypervisor accepts is at most a
// warning here. Errors are kept only where a config would be refused upstream
// or would silently break isolation; each such rule says which (the README's
// "Partition configs" section lists them).
import { MEM_IO_WIDTH_MASK, memoryFlags, PAGE_SIZE } from "./abi";
import { FIRST_SPI, ownedInterrupts } from "./irqchips";
import type { CellConfig, MemoryRegion, SystemConfig } from "./schema";
import { shutdownIssues } from "./shutdown";
import { formatBdf, formatCpuList, formatHex, formatSize } from "./units";

export interface ValidationIssue {
    /** Where, e.g. `cells[rt-timer].memory[1].size`. */
    path: string;
    message: string;
    /** A warning is something upstream accepts but that is probably a mistake; absent means error. */
    severity?: "warning";
}

export const isWarning = (issue: ValidationIssue) => issue.severity === "warning";
export const errorsOf = (issues: readonly ValidationIssue[]) => issues.filter((issue) => !isWarning(issue));
export const warningsOf = (issues: readonly ValidationIssue[]) => issues.filter(isWarning);

export class ConfigValidationError extends Error {
    constructor(readonly issues: ValidationIssue[]) {
        super(issues.map((issue) => `${issue.path}: ${issue.message}`).join("\n"));
        this.name = "ConfigValidationError";
    }
}

/** Facts about the host the configs are meant for. */
export interface HostFacts {
    cpuCount?: number;
}

const end = (r: { phys: bigint; size: bigint }) => r.phys + r.size;
const range = (start: bigint, size: bigint) => `${formatHex(start)}-${formatHex(start + size - 1n)}`;
const label = (region: MemoryRegion, index: number) => `memory[${index}]${region.name ? ` (${region.name})` : ""}`;
const has = (region: MemoryRegion, flag: string) => region.flags.includes(flag);
/** Zero-size regions occupy nothing, so they overlap nothing either. */
/** GICD: 64 KiB on GICv3, 4 KiB on GICv2; GICv3 redistributor: RD_base and SGI_base, 64 KiB each, per CPU. */
const GICD_V3_SIZE = 0x10000n;
const GICD_V2_SIZE = 0x1000n;
const GICR_V3_FRAMES_SIZE = 0x20000n;
const overlaps = (a0: bigint, asize: bigint, b0: bigint, bsize: bigint) => asize > 0n && bsize > 0n && a0 < b0 + bsize && b0 < a0 + asize;
const warning = (path: string, message: string): ValidationIssue => ({ path, message, severity: "warning" });

/** Upstream's test: a region whose virt or size is not page-aligned is emulated by MMIO traps. */
export const isSubpage = (region: MemoryRegion) =>
    !has(region, "comm-region") && (region.virt % PAGE_SIZE !== 0n || region.size % PAGE_SIZE !== 0n);

/** Access widths a sub-page region allows, from ioWidth or raw "0x..." flag bits. */
function hasAccessWidth(region: MemoryRegion): boolean {
    if (region.ioWidth !== undefined) return true;
    return region.flags.some((flag) => !(flag in memoryFlags) && (BigInt(flag) & BigInt(MEM_IO_WIDTH_MASK)) !== 0n);
}

/** Indexes of regions an ivshmem device owns: state table, read/write section, one output section a peer. */
function ivshmemRegionIndexes(cell: CellConfig): Set<number> {
    const owned = new Set<number>();
    for (const device of cell.pciDevices)
        if (device.type === "ivshmem") for (let i = 0; i < 2 + device.shmemPeers; i++) owned.add(device.shmemRegionsStart + i);
    return owned;
}

function regionIssues(cell: CellConfig, path: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const regions = cell.memory;
    const ivshmem = ivshmemRegionIndexes(cell);
    regions.forEach((region, i) => {
        const at = `${path}.memory[${i}]`;
        if (region.size === 0n) {
            // ivshmem devices count their regions from shmem_regions_start, so an
            // unused section must stay in place as an empty region.
            if (!ivshmem.has(i))
                issues.push(
                    warning(
                        `${at}.size`,
                        `${label(region, i)} is empty and maps nothing; remove it unless a PCI device counts its regions across it`,
                    ),
                );
            return;
        }
        if (isSubpage(region)) {
            const odd = (["virt", "size"] as const)
                .filter((field) => region[field] % PAGE_SIZE !== 0n)
                .map((f) => `${f} ${formatHex(region[f])}`);
            if (has(region, "execute") || has(region, "loadable") || has(region, "dma"))
                issues.push(
                    warning(
                        at,
                        `${label(region, i)} has ${odd.join(", ")} not aligned to 4 KiB pages, so the hypervisor emulates it as sub-page MMIO: every access traps and code cannot run from it; round to a multiple of 0x1000 if it is memory`,
                    ),
                );
            else if (!hasAccessWidth(region))
                issues.push(
                    warning(
                        at,
                        `${label(region, i)} is a sub-page region (${odd.join(", ")}) without an access width, so the hypervisor refuses every access to it; add ioWidth: 8, 16, 32 or 64`,
                    ),
                );
        } else if (!has(region, "comm-region") && region.phys % PAGE_SIZE !== 0n)
            issues.push({
                path: `${at}.phys`,
                message: `${label(region, i)} is mapped by pages but phys ${formatHex(region.phys)} is not page-aligned, so the mapping would expose the bytes before it; align phys to 0x1000`,
            });
        for (let j = 0; j < i; j++) {
            const other = regions[j];
            if (overlaps(region.virt, region.size, other.virt, other.size))
                issues.push({
                    path: at,
                    message: `${label(region, i)} at ${range(region.virt, region.size)} overlaps ${label(other, j)} at ${range(other.virt, other.size)} in the cell's address space, so one mapping silently replaces the other; move or shrink one of them`,
                });
        }
    });
    cell.pciDevices.forEach((device, d) => {
        const last = device.shmemRegionsStart + 2 + device.shmemPeers;
        if (device.type === "ivshmem" && last > regions.length)
            issues.push({
                path: `${path}.pciDevices[${d}].shmemRegionsStart`,
                message: `ivshmem device ${d} uses memory[${device.shmemRegionsStart}..${last - 1}] (state table, read/write section, ${device.shmemPeers} output sections) but the cell has ${regions.length} regions; add the missing regions (an unused section is an empty region) or fix shmemRegionsStart`,
            });
    });
    return issues;
}

/** Rules for one cell on its own. `root` cells need no comm region. */
export function validateCell(cell: CellConfig, path: string, isRoot = false): ValidationIssue[] {
    const issues = regionIssues(cell, path);
    const regions = cell.memory;

    if (cell.console.type !== "none" && cell.console.flags.includes("mmio")) {
        const size = cell.console.size || PAGE_SIZE;
        const covered = regions.some(
            (r) => !has(r, "comm-region") && cell.console.address >= r.phys && cell.console.address + size <= end(r),
        );
        // Upstream accepts this: the console may be the hypervisor's, reached by hypercall.
        if (!covered)
            issues.push(
                warning(
                    `${path}.console`,
                    `console ${cell.console.type} at ${formatHex(cell.console.address)} is not covered by any memory region of the cell, so the inmate can reach it only through the hypervisor's console; if it drives the UART itself, add a region { phys: ${formatHex(cell.console.address)}, size: ${formatSize(size)}, flags: [read, write, io, rootshared] }`,
                ),
            );
    }

    if (!isRoot) issues.push(...shutdownIssues(cell, path));
    if (!isRoot && !regions.some((r) => has(r, "comm-region"))) {
        const fix = "add { virt: 0x80000000, size: 4 KiB, flags: [read, write, comm-region] }";
        // Without the passive flag the hypervisor asks the cell before a shutdown
        // and waits for an answer the cell cannot read or write.
        if (cell.flags.includes("passive-comm-region"))
            issues.push(
                warning(
                    `${path}.memory`,
                    `cell "${cell.name}" has no comm region, so its inmate gets no messages and no console from the hypervisor; ${fix}`,
                ),
            );
        else
            issues.push({
                path: `${path}.memory`,
                message: `cell "${cell.name}" has no comm region, which every non-root cell needs for the hypervisor's messages and the inmate's console (without it a shutdown request is never answered); ${fix}`,
            });
    }
    return issues;
}

/** The cell's interrupts by chip address and number; `spi` only for SPIs, which messages name by SPI number. */
function interrupts(cell: CellConfig): Map<string, { number: number; spi: boolean }> {
    return new Map(
        cell.irqchips.flatMap((chip) =>
            ownedInterrupts(chip).map(({ key, number }) => [key, { number, spi: chip.spis !== undefined }] as const),
        ),
    );
}

function describeShared(shared: { number: number; spi: boolean }[]): string {
    const spis = shared.filter((irq) => irq.spi).map((irq) => irq.number - FIRST_SPI);
    const others = shared.filter((irq) => !irq.spi).map((irq) => irq.number);
    return [spis.length ? `SPI ${formatCpuList(spis)}` : "", others.length ? `interrupt (GSI or INTID) ${formatCpuList(others)}` : ""]
        .filter(Boolean)
        .join(" and ");
}

/**
 * Host-level rules: the system config with the cells meant to run on it at
 * the same time, and what is known about the host.
 */
export function validateHost(system: SystemConfig, cells: readonly CellConfig[], host: HostFacts = {}): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const root = system.rootCell;
    const hv = system.hypervisor.memory;
    issues.push(...validateCell(root, "rootCell", true));

    if (host.cpuCount !== undefined) {
        const expected = Array.from({ length: host.cpuCount }, (_, i) => i);
        if (formatCpuList(root.cpus) !== formatCpuList(expected))
            issues.push({
                path: "rootCell.cpus",
                message: `root CPUs ${formatCpuList(root.cpus)} do not match this host's ${host.cpuCount} CPUs; set cpus to "${formatCpuList(expected)}"`,
            });
    }

    const all: [CellConfig, string][] = [[root, "rootCell"], ...cells.map((cell): [CellConfig, string] => [cell, `cells[${cell.name}]`])];
    const gic = gicFrames(system);
    for (const [cell, path] of all)
        cell.memory.forEach((region, i) => {
            if (has(region, "comm-region")) return;
            if (overlaps(region.phys, region.size, hv.phys, hv.size))
                issues.push({
                    path: `${path}.memory[${i}]`,
                    message: `${label(region, i)} at ${range(region.phys, region.size)} overlaps the hypervisor memory ${range(hv.phys, hv.size)}; move it out of the hypervisor's region`,
                });
            // The root's regions may cover the GIC: the hypervisor leaves
            // the distributor out of the root's mapping and keeps the
            // redistributors of cell CPUs from it.
            if (cell !== root)
                for (const frame of gic)
                    if (overlaps(region.phys, region.size, frame.base, frame.size))
                        issues.push({
                            path: `${path}.memory[${i}]`,
                            message:
                                `${label(region, i)} at ${range(region.phys, region.size)} overlaps the GIC ${frame.what} ${range(frame.base, frame.size)}, ` +
                                "which the hypervisor emulates for the cell; leave the GIC out of the cell's memory regions",
                        });
        });

    const names = new Set<string>();
    cells.forEach((cell) => {
        const path = `cells[${cell.name}]`;
        if (names.has(cell.name) || cell.name === root.name)
            issues.push({ path: `${path}.name`, message: `cell name "${cell.name}" is used twice; give each cell its own name` });
        names.add(cell.name);
        issues.push(...validateCell(cell, path));
        const foreign = cell.cpus.filter((cpu) => !root.cpus.includes(cpu));
        if (foreign.length)
            issues.push({
                path: `${path}.cpus`,
                message: `CPU ${formatCpuList(foreign)} is not owned by the root cell (root CPUs ${formatCpuList(root.cpus)}); pick CPUs from the root's set`,
            });
        if (cell.cpus.length === 0)
            issues.push({ path: `${path}.cpus`, message: "a cell needs at least one CPU; give it one of the root's CPUs" });
        issues.push(...unconfinedDmaIssues(system, cell, path));
    });

    const taken = new Set(cells.flatMap((cell) => cell.cpus));
    if (cells.length && root.cpus.every((cpu) => taken.has(cpu)))
        issues.push({
            path: "cells",
            message: `the cells take every root CPU (${formatCpuList(root.cpus)}); leave at least one CPU to Linux`,
        });

    for (let i = 0; i < cells.length; i++) for (let j = 0; j < i; j++) issues.push(...cellConflicts(cells[i], cells[j]));
    return issues;
}

/**
 * The GIC frames the hypervisor emulates for a cell, which must not map
 * them. The redistributors take one frame pair per CPU of the root (the
 * CPUs the machine has).
 */
function gicFrames(system: SystemConfig): { what: string; base: bigint; size: bigint }[] {
    const gic = system.platform.gic;
    if (!gic) return [];
    const frames = [{ what: "distributor", base: gic.distributor, size: gic.version === 3 ? GICD_V3_SIZE : GICD_V2_SIZE }];
    if (gic.version === 3 && gic.redistributor) {
        const cpus = BigInt(Math.max(...system.rootCell.cpus) + 1);
        frames.push({ what: "redistributors", base: gic.redistributor, size: cpus * GICR_V3_FRAMES_SIZE });
    }
    return frames.filter((frame) => frame.base > 0n);
}

/**
 * A PCI device that can master DMA writes wherever it is told to unless an
 * IOMMU translates its requests: given to a cell on a system without one, the
 * cell programs it to write the hypervisor's or another cell's memory.
 */
function unconfinedDmaIssues(system: SystemConfig, cell: CellConfig, path: string): ValidationIssue[] {
    if (system.platform.iommus.some((unit) => unit.type !== "unused")) return [];
    return cell.pciDevices.flatMap((device, i) =>
        device.type === "device"
            ? [
                  {
                      path: `${path}.pciDevices[${i}]`,
                      message:
                          `PCI device ${formatBdf(device.bdf)} can master DMA and the system config lists no IOMMU (platform.iommus) to confine it, ` +
                          "so the cell could make it write the hypervisor's or another cell's memory; keep the device with the root cell, or list the IOMMU that translates it",
                  },
              ]
            : [],
    );
}

/** Two cells of one host that claim the same CPUs, SPIs or memory; issues are on `a`. */
export function cellConflicts(a: CellConfig, b: CellConfig): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const path = `cells[${a.name}]`;
    const cpus = a.cpus.filter((cpu) => b.cpus.includes(cpu));
    if (cpus.length)
        issues.push({
            path: `${path}.cpus`,
            message: `CPU ${formatCpuList(cpus)} is also given to cell "${b.name}"; a CPU belongs to one cell at a time`,
        });
    const bIrqs = interrupts(b);
    const shared = [...interrupts(a)].filter(([key]) => bIrqs.has(key)).map(([, irq]) => irq);
    if (shared.length)
        issues.push({
            path: `${path}.irqchips`,
            message: `${describeShared(shared)} is also given to cell "${b.name}"; an interrupt belongs to one cell`,
        });
    a.memory.forEach((ra, i) => {
        if (has(ra, "comm-region")) return;
        b.memory.forEach((rb, j) => {
            if (has(rb, "comm-region") || !overlaps(ra.phys, ra.size, rb.phys, rb.size)) return;
            if (has(ra, "rootshared") && has(rb, "rootshared")) return;
            issues.push({
                path: `${path}.memory[${i}]`,
                message: `${label(ra, i)} at ${range(ra.phys, ra.size)} overlaps cell "${b.name}" ${label(rb, j)} at ${range(rb.phys, rb.size)}; cells may share memory only when both regions are rootshared`,
            });
        });
    });
    return issues;
}
