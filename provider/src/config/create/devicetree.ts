// SPDX-License-Identifier: MIT
// The device tree as devicetree.txt gives it (one "path hex" line per
// property), with the few lookups a system config needs: cells, strings,
// and reg entries translated to CPU physical addresses through the buses'
// ranges.
import { LiveStateError } from "./live-state";

export interface DtNode {
    /** "/" for the root, else "/cpus/cpu@1". */
    path: string;
    /** The node's name with its unit address ("cpu@1"). */
    name: string;
    parent?: DtNode;
    properties: Map<string, Buffer>;
    children: DtNode[];
}

export interface PhysRange {
    start: bigint;
    size: bigint;
}

export function parseDeviceTree(text: string): DtNode {
    const root: DtNode = { path: "/", name: "", properties: new Map(), children: [] };
    const nodes = new Map<string, DtNode>([["/", root]]);
    const nodeAt = (path: string): DtNode => {
        const known = nodes.get(path);
        if (known) return known;
        const cut = path.lastIndexOf("/");
        const parent = nodeAt(cut === 0 ? "/" : path.slice(0, cut));
        const node: DtNode = { path, name: path.slice(cut + 1), parent, properties: new Map(), children: [] };
        parent.children.push(node);
        nodes.set(path, node);
        return node;
    };
    text.split("\n").forEach((line, index) => {
        if (!line.trim()) return;
        const match = /^\.?\/?(\S+)(?: ([0-9a-f]*))?$/i.exec(line.trimEnd());
        if (!match || (match[2] ?? "").length % 2 !== 0)
            throw new LiveStateError(
                `devicetree.txt line ${index + 1}: expected "<property path> <hex bytes>", got ${JSON.stringify(line.slice(0, 80))}`,
            );
        const full = `/${match[1]}`;
        const cut = full.lastIndexOf("/");
        nodeAt(cut === 0 ? "/" : full.slice(0, cut)).properties.set(full.slice(cut + 1), Buffer.from(match[2] ?? "", "hex"));
    });
    if (root.properties.size === 0 && root.children.length === 0)
        throw new LiveStateError(
            "devicetree.txt is empty: the host has no device tree under /sys/firmware/devicetree/base (an ACPI boot?)",
        );
    return root;
}

export const unitless = (node: DtNode) => node.name.replace(/@.*$/, "");

export function findNode(root: DtNode, path: string): DtNode | undefined {
    let node: DtNode | undefined = root;
    for (const name of path.split("/").filter(Boolean)) node = node?.children.find((child) => child.name === name);
    return node;
}

export function* allNodes(node: DtNode): Generator<DtNode> {
    yield node;
    for (const child of node.children) yield* allNodes(child);
}

/** A string property; for a list of strings, the first one. */
export function stringOf(node: DtNode, property: string): string | undefined {
    return stringsOf(node, property)[0];
}

export function stringsOf(node: DtNode, property: string): string[] {
    const value = node.properties.get(property);
    if (!value) return [];
    return value.toString("latin1").split("\0").slice(0, -1);
}

export function u32Of(node: DtNode, property: string): number | undefined {
    const value = node.properties.get(property);
    return value && value.length >= 4 ? value.readUInt32BE(0) : undefined;
}

/** Reads `count` 32-bit cells at cell `index` as one number. */
export function readCells(value: Buffer, index: number, count: number): bigint {
    let result = 0n;
    for (let i = 0; i < count; i++) result = (result << 32n) | BigInt(value.readUInt32BE((index + i) * 4));
    return result;
}

/** The #address-cells / #size-cells a node sets for its children (the spec's defaults 2 and 1 when absent). */
export function childCells(node: DtNode): { address: number; size: number } {
    return { address: u32Of(node, "#address-cells") ?? 2, size: u32Of(node, "#size-cells") ?? 1 };
}

export const isDisabled = (node: DtNode) => /^(disabled|fail)/.test(stringOf(node, "status") ?? "okay");

/**
 * A bus address seen from `bus`'s children, in CPU physical addresses; undefined
 * when a bus on the way has no ranges (its children are not memory-mapped).
 */
export function translate(address: bigint, bus: DtNode): bigint | undefined {
    let at = address;
    for (let node = bus; node.parent; node = node.parent) {
        const ranges = node.properties.get("ranges");
        if (ranges === undefined) return undefined;
        if (ranges.length === 0) continue;
        const child = childCells(node);
        const parentAddress = childCells(node.parent).address;
        const entryCells = child.address + parentAddress + child.size;
        let mapped: bigint | undefined;
        for (let entry = 0; (entry + 1) * entryCells * 4 <= ranges.length; entry++) {
            const base = entry * entryCells;
            const childStart = readCells(ranges, base, child.address);
            const size = readCells(ranges, base + child.address + parentAddress, child.size);
            if (at >= childStart && at < childStart + size) {
                mapped = readCells(ranges, base + child.address, parentAddress) + (at - childStart);
                break;
            }
        }
        if (mapped === undefined) return undefined;
        at = mapped;
    }
    return at;
}

/** The node's reg entries in CPU physical addresses; those no bus maps are left out. */
export function regOf(node: DtNode): PhysRange[] {
    const reg = node.properties.get("reg");
    if (!reg || !node.parent) return [];
    const cells = childCells(node.parent);
    const entryCells = cells.address + cells.size;
    if (entryCells === 0) return [];
    const ranges: PhysRange[] = [];
    for (let entry = 0; (entry + 1) * entryCells * 4 <= reg.length; entry++) {
        const address = readCells(reg, entry * entryCells, cells.address);
        const size = readCells(reg, entry * entryCells + cells.address, cells.size);
        const start = translate(address, node.parent);
        if (start !== undefined) ranges.push({ start, size });
    }
    return ranges;
}

/** The node a phandle names. */
export function byPhandle(root: DtNode, phandle: number): DtNode | undefined {
    for (const node of allNodes(root)) if ((u32Of(node, "phandle") ?? u32Of(node, "linux,phandle")) === phandle) return node;
    return undefined;
}

/** The interrupt controller a node's interrupts go to (interrupt-parent, inherited from its ancestors). */
export function interruptParent(root: DtNode, node: DtNode): DtNode | undefined {
    for (let at: DtNode | undefined = node; at; at = at.parent) {
        const phandle = u32Of(at, "interrupt-parent");
        if (phandle !== undefined) return byPhandle(root, phandle);
    }
    return undefined;
}
