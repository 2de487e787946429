// SPDX-License-Identifier: MIT
// Partition rules that the schemas cannot express because they relate
// regions, cells and the host to each other. Every finding names the config
// path and says how to fix it; nothing here touches a host.
import { PAGE_SIZE } from "./abi";
import type { CellConfig, MemoryRegion, SystemConfig } from "./schema";
import { formatCpuList, formatHex, formatSize } from "./units";

export interface ValidationIssue {
    /** Where, e.g. `cells[rt-timer].memory[1].size`. */
    path: string;
    message: string;
}

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
const overlaps = (a0: bigint, asize: bigint, b0: bigint, bsize: bigint) => a0 < b0 + bsize && b0 < a0 + asize;

/** Rules for one cell on its own. `root` cells need no comm region. */
export function validateCell(cell: CellConfig, path: string, isRoot = false): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const regions = cell.memory;

    regions.forEach((region, i) => {
        const misaligned = (["phys", "virt", "size"] as const).filter(
            (field) => !(field === "phys" && has(region, "comm-region")) && region[field] % PAGE_SIZE !== 0n,
        );
        if (misaligned.length && !has(region, "io"))
            issues.push({
                path: `${path}.memory[${i}]`,
                message: `${label(region, i)} has ${misaligned.map((f) => `${f} ${formatHex(region[f])}`).join(", ")} not aligned to 4 KiB pages; round to a multiple of 0x1000, or add the io flag if it is a device register block to be emulated as sub-page I/O`,
            });
        if (region.size === 0n)
            issues.push({ path: `${path}.memory[${i}].size`, message: `${label(region, i)} is empty; give it a size or remove it` });
        for (let j = 0; j < i; j++) {
            const other = regions[j];
            if (overlaps(region.virt, region.size, other.virt, other.size))
                issues.push({
                    path: `${path}.memory[${i}]`,
                    message: `${label(region, i)} at ${range(region.virt, region.size)} overlaps ${label(other, j)} at ${range(other.virt, other.size)} in the cell's address space; move or shrink one of them`,
                });
        }
    });

    if (cell.console.type !== "none" && cell.console.flags.includes("mmio")) {
        const size = cell.console.size || PAGE_SIZE;
        const covered = regions.some(
            (r) => !has(r, "comm-region") && cell.console.address >= r.phys && cell.console.address + size <= end(r),
        );
        if (!covered)
            issues.push({
                path: `${path}.console`,
                message: `console ${cell.console.type} at ${formatHex(cell.console.address)} is not covered by any memory region of the cell; add a region { phys: ${formatHex(cell.console.address)}, size: ${formatSize(size)}, flags: [read, write, io, rootshared] }`,
            });
    }

    if (!isRoot && !regions.some((r) => has(r, "comm-region")))
        issues.push({
            path: `${path}.memory`,
            message: `cell "${cell.name}" has no comm region, which every non-root cell needs for the hypervisor's messages and the inmate's console; add { virt: 0x80000000, size: 4 KiB, flags: [read, write, comm-region] }`,
        });
    return issues;
}

function intids(cell: CellConfig): Map<string, number> {
    const owned = new Map<string, number>();
    cell.irqchips.forEach((chip) => {
        for (const spi of chip.spis) owned.set(`${chip.address}:${spi}`, spi);
    });
    return owned;
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

    const all: [CellConfig, string][] = [
        [root, "rootCell"],
        ...cells.map((cell): [CellConfig, string] => [cell, `cells[${cell.name}]`]),
    ];
    for (const [cell, path] of all)
        cell.memory.forEach((region, i) => {
            if (!has(region, "comm-region") && overlaps(region.phys, region.size, hv.phys, hv.size))
                issues.push({
                    path: `${path}.memory[${i}]`,
                    message: `${label(region, i)} at ${range(region.phys, region.size)} overlaps the hypervisor memory ${range(hv.phys, hv.size)}; move it out of the hypervisor's region`,
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
        if (cell.cpus.length === 0) issues.push({ path: `${path}.cpus`, message: "a cell needs at least one CPU; give it one of the root's CPUs" });
    });

    const taken = new Set(cells.flatMap((cell) => cell.cpus));
    if (cells.length && root.cpus.every((cpu) => taken.has(cpu)))
        issues.push({ path: "cells", message: `the cells take every root CPU (${formatCpuList(root.cpus)}); leave at least one CPU to Linux` });

    for (let i = 0; i < cells.length; i++)
        for (let j = 0; j < i; j++) issues.push(...cellConflicts(cells[i], cells[j]));
    return issues;
}

/** Two cells of one host that claim the same CPUs, SPIs or memory; issues are on `a`. */
export function cellConflicts(a: CellConfig, b: CellConfig): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    const path = `cells[${a.name}]`;
    const cpus = a.cpus.filter((cpu) => b.cpus.includes(cpu));
    if (cpus.length)
        issues.push({ path: `${path}.cpus`, message: `CPU ${formatCpuList(cpus)} is also given to cell "${b.name}"; a CPU belongs to one cell at a time` });
    const bIrqs = intids(b);
    const shared = [...intids(a)].filter(([key]) => bIrqs.has(key)).map(([, spi]) => spi);
    if (shared.length)
        issues.push({
            path: `${path}.irqchips`,
            message: `SPI ${formatCpuList(shared)} is also given to cell "${b.name}"; an interrupt belongs to one cell`,
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
