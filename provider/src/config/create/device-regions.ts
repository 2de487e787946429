// SPDX-License-Identifier: MIT
// The root cell's device regions: every register range the device tree and
// /proc/iomem name, page-rounded, without the GIC (the hypervisor emulates
// it) and RAM, and joined where they lie close so the root gets a few large
// mappings instead of one per device.
import { type DtNode, isDisabled, readCells, regOf, stringOf, translate, unitless, childCells } from "./devicetree";
import type { IomemEntry } from "./proc-files";
import { overlap, pageRounded, type Span, subtract } from "./ranges";

/** A device range and what it is, for the region's name and comment. */
export interface DeviceSpan extends Span {
    source: string;
}

export interface DeviceRegion extends Span {
    name: string;
    sources: string[];
}

/**
 * Ranges closer than this become one region: an address nothing decodes in
 * between is harmless for Linux to have mapped (it has no driver for it),
 * while each region costs the hypervisor a mapping and reviewers a line.
 * 256 MiB joins the scattered devices below 4 GiB of a typical SoC or QEMU's
 * virt machine, but not windows gigabytes apart.
 */
const joinDistance = 256n << 20n;
const FOUR_GIB = 1n << 32n;

const pciSpaces: Record<number, string> = { 1: "pcie-io", 2: "pcie-mmio", 3: "pcie-mmio" };

export const isPciHost = (node: DtNode) => stringOf(node, "device_type") === "pci";

/** The ECAM and the I/O and memory windows of a PCI host bridge, in CPU addresses. */
export function pciHostSpans(node: DtNode): DeviceSpan[] {
    const spans: DeviceSpan[] = regOf(node).map((r) => ({ start: r.start, end: r.start + r.size, source: "pcie-ecam" }));
    const ranges = node.properties.get("ranges");
    if (!ranges || !node.parent) return spans;
    const child = childCells(node);
    const parentAddress = childCells(node.parent).address;
    const entryCells = child.address + parentAddress + child.size;
    for (let at = 0; (at + entryCells) * 4 <= ranges.length; at += entryCells) {
        const space = Number((readCells(ranges, at, 1) >> 24n) & 3n);
        const cpu = translate(readCells(ranges, at + child.address, parentAddress), node.parent);
        const size = readCells(ranges, at + child.address + parentAddress, child.size);
        if (cpu !== undefined && pciSpaces[space]) spans.push({ start: cpu, end: cpu + size, source: pciSpaces[space] });
    }
    return spans;
}

/** The register ranges of the device tree's devices; `skip` says which subtrees are not devices of the root. */
export function deviceTreeSpans(root: DtNode, skip: (node: DtNode) => boolean): DeviceSpan[] {
    const spans: DeviceSpan[] = [];
    const visit = (node: DtNode) => {
        if (skip(node)) return;
        if (isPciHost(node)) {
            // Its children's reg is PCI config space; the windows cover their BARs.
            spans.push(...pciHostSpans(node));
            return;
        }
        if (node !== root && !isDisabled(node))
            for (const r of regOf(node)) if (r.size > 0n) spans.push({ start: r.start, end: r.start + r.size, source: unitless(node) });
        node.children.forEach(visit);
    };
    visit(root);
    return spans;
}

/** The parts of iomem's top-level entries outside RAM that the device tree does not show. */
export const iomemDeviceSpans = (iomem: readonly IomemEntry[], ram: readonly Span[], known: readonly Span[]): DeviceSpan[] =>
    iomem
        .filter((entry) => !ram.some((span) => overlap(span, entry)))
        .flatMap((entry) => subtract({ start: entry.start, end: entry.end, source: entry.name }, known));

/** Page-rounded, with `forbidden` cut out, joined where close and nothing forbidden lies between. */
export function deviceRegions(spans: readonly DeviceSpan[], forbidden: readonly Span[]): DeviceRegion[] {
    const pieces = spans
        .flatMap((span) => subtract({ ...pageRounded(span), source: span.source }, forbidden.map(pageRounded)))
        .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const regions: (Span & { sources: string[] })[] = [];
    for (const piece of pieces) {
        const last = regions[regions.length - 1];
        const gap = last && { start: last.end, end: piece.start };
        if (last && (piece.start <= last.end || (piece.start - last.end < joinDistance && !forbidden.some((f) => overlap(f, gap!))))) {
            if (piece.end > last.end) last.end = piece.end;
            if (!last.sources.includes(piece.source)) last.sources.push(piece.source);
        } else regions.push({ start: piece.start, end: piece.end, sources: [piece.source] });
    }
    const used = new Map<string, number>();
    return regions.map((region) => {
        const base = regionName(region);
        const count = (used.get(base) ?? 0) + 1;
        used.set(base, count);
        return { ...region, name: count === 1 ? base : `${base}-${count}` };
    });
}

/** One device's name, "devices" for several; "-high" for PCI windows above 4 GiB, as QEMU and firmware call them. */
function regionName(region: Span & { sources: string[] }): string {
    if (region.sources.length > 1) return "devices";
    const name = region.sources[0].replace(/[^A-Za-z0-9_.-]+/g, "-").toLowerCase();
    return name.startsWith("pcie-") && region.start >= FOUR_GIB ? `${name}-high` : name;
}
