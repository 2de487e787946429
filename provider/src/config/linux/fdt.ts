// SPDX-License-Identifier: MIT
// A flattened device tree writer (the DTB format of the Devicetree
// Specification, version 17): nodes and properties in, the blob out.
// Pure; it knows nothing about cells.

export interface FdtNode {
    /** "cpu@2"; the root is "". */
    name: string;
    props: [string, Buffer][];
    children: FdtNode[];
}

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;
const VERSION = 17;
const LAST_COMPATIBLE_VERSION = 16;

export const node = (name: string, props: [string, Buffer][] = [], children: FdtNode[] = []): FdtNode => ({ name, props, children });

/** Property values as the specification encodes them. */
export const value = {
    empty: (): Buffer => Buffer.alloc(0),
    string: (text: string): Buffer => Buffer.from(`${text}\0`, "utf8"),
    strings: (...texts: string[]): Buffer => Buffer.from(texts.map((t) => `${t}\0`).join(""), "utf8"),
    /** Big-endian 32-bit cells. */
    cells: (...cells: (number | bigint)[]): Buffer => {
        const out = Buffer.alloc(cells.length * 4);
        cells.forEach((cell, i) => {
            const n = BigInt(cell);
            if (n < 0n || n > 0xffffffffn) throw new RangeError(`cell value ${n} does not fit in 32 bits`);
            out.writeUInt32BE(Number(n), i * 4);
        });
        return out;
    },
};

/** A 64-bit number as two cells, high first: what #address-cells = <2> reads. */
export const u64Cells = (n: bigint): bigint[] => [n >> 32n, n & 0xffffffffn];

const pad4 = (length: number) => (4 - (length % 4)) % 4;

export function encodeFdt(root: FdtNode, bootCpuidPhys = 0): Buffer {
    const strings: string[] = [];
    const offsets = new Map<string, number>();
    let stringsSize = 0;
    const nameOffset = (name: string) => {
        let offset = offsets.get(name);
        if (offset === undefined) {
            offset = stringsSize;
            offsets.set(name, offset);
            strings.push(name);
            stringsSize += Buffer.byteLength(name) + 1;
        }
        return offset;
    };

    const parts: Buffer[] = [];
    const token = (t: number) => parts.push(value.cells(t));
    const padded = (bytes: Buffer) => parts.push(bytes, Buffer.alloc(pad4(bytes.length)));
    const walk = (n: FdtNode) => {
        token(FDT_BEGIN_NODE);
        padded(value.string(n.name));
        for (const [name, data] of n.props) {
            token(FDT_PROP);
            parts.push(value.cells(data.length, nameOffset(name)));
            padded(data);
        }
        n.children.forEach(walk);
        token(FDT_END_NODE);
    };
    walk(root);
    token(FDT_END);
    const struct = Buffer.concat(parts);
    const stringBlock = Buffer.from(strings.map((s) => `${s}\0`).join(""), "utf8");

    // Header, then the (empty) memory reservation map, structure and strings.
    const reserveMap = Buffer.alloc(16);
    const offReserve = HEADER_SIZE;
    const offStruct = offReserve + reserveMap.length;
    const offStrings = offStruct + struct.length;
    const total = offStrings + stringBlock.length;
    const header = value.cells(
        FDT_MAGIC,
        total,
        offStruct,
        offStrings,
        offReserve,
        VERSION,
        LAST_COMPATIBLE_VERSION,
        bootCpuidPhys,
        stringBlock.length,
        struct.length,
    );
    return Buffer.concat([header, reserveMap, struct, stringBlock]);
}
