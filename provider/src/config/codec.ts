// SPDX-License-Identifier: MIT
// Encoder and decoder of .cell files, revision 14, driven by the field tables
// of binary.ts. The decoder checks every count against the bytes actually
// present before it reads, so a truncated, foreign or random file ends in one
// ConfigFormatError saying what is wrong and at which offset.
import {
    architectures,
    CELL_SIGNATURE,
    CONFIG_REVISION,
    HEADER_PREFIX_SIZE,
    MAX_IOMMU_UNITS,
    SIGNATURE_LEN,
    SYSTEM_SIGNATURE,
} from "./abi";
import {
    armPlatform,
    type BinaryConfig,
    CELL_DESC_SIZE,
    type CellDesc,
    type CellSection,
    cellIdentity,
    cellSectionKeys,
    cellSections,
    cellTail,
    SYSTEM_SIZE,
    type SystemDesc,
    systemHead,
    x86Platform,
} from "./binary";
import type { Field } from "./layout";
import { ConfigFormatError, Reader, Writer } from "./wire";

export { ConfigFormatError } from "./wire";

/** Signatures of the revisions before 14, which had 6 bytes and no architecture byte. */
const legacySignatures = { system: "JHSYST", cell: "JHCELL" } as const;
const LEGACY_SIGNATURE_LEN = 6;
const ARCHITECTURE_OFFSET = SIGNATURE_LEN;
const REVISION_OFFSET = SIGNATURE_LEN + 1;

const latin1 = (bytes: Uint8Array, length: number) => Buffer.from(bytes.subarray(0, length)).toString("latin1");

/** What kind of file this is, judged by its signature. */
export function sniffConfig(bytes: Uint8Array): "system" | "cell" | undefined {
    const sig = latin1(bytes, SIGNATURE_LEN);
    if (sig === SYSTEM_SIGNATURE) return "system";
    if (sig === CELL_SIGNATURE) return "cell";
    return undefined;
}

function legacyKind(bytes: Uint8Array): "system" | "cell" | undefined {
    const sig = latin1(bytes, LEGACY_SIGNATURE_LEN);
    if (sig === legacySignatures.system) return "system";
    if (sig === legacySignatures.cell) return "cell";
    return undefined;
}

function checkPrefix(r: Reader, signature: string, kind: string) {
    r.need(HEADER_PREFIX_SIZE, `the ${kind} header`);
    const found = latin1(r.bytes, SIGNATURE_LEN);
    if (found !== signature) {
        if (legacyKind(r.bytes)) {
            const old = latin1(r.bytes, LEGACY_SIGNATURE_LEN);
            const revision = new DataView(r.bytes.buffer, r.bytes.byteOffset).getUint16(REVISION_OFFSET, true);
            throw new ConfigFormatError(
                `this is a Jailhouse ${kind} configuration of revision ${revision} (6-byte signature "${old}"); only revision ${CONFIG_REVISION} is supported: rebuild it from its source with a current Jailhouse`,
                REVISION_OFFSET,
            );
        }
        throw new ConfigFormatError(`not a ${kind} configuration: signature is ${JSON.stringify(found)}, expected "${signature}"`, 0);
    }
    r.offset = ARCHITECTURE_OFFSET;
    const architecture = r.u8();
    const revision = r.u16();
    if (revision !== CONFIG_REVISION)
        throw new ConfigFormatError(
            `configuration revision ${revision} found; only revision ${CONFIG_REVISION} is supported`,
            REVISION_OFFSET,
        );
    checkArchitecture(architecture, ARCHITECTURE_OFFSET);
    return architecture;
}

function checkArchitecture(architecture: number, offset: number) {
    if (!Object.values(architectures).includes(architecture as 0))
        throw new ConfigFormatError(`unknown architecture ${architecture} (0 x86, 1 arm, 2 arm64)`, offset);
}

// ---------------------------------------------------------------- encoding

function writePrefix(w: Writer, signature: string, architecture: number) {
    w.raw(Buffer.from(signature, "latin1"));
    w.u8(architecture);
    w.u16(CONFIG_REVISION);
}

function cpuSetBytes(cell: CellDesc): Uint8Array {
    const set = new Uint8Array(cell.cpuSetSize);
    for (const cpu of cell.cpus) {
        if (cpu >= cell.cpuSetSize * 8)
            throw new ConfigFormatError(`cell "${cell.name}": CPU ${cpu} does not fit a CPU set of ${cell.cpuSetSize} bytes`);
        set[cpu >> 3] |= 1 << (cpu & 7);
    }
    return set;
}

function writeCell(w: Writer, cell: CellDesc, signed: boolean) {
    if (signed) writePrefix(w, CELL_SIGNATURE, cell.architecture);
    else w.zeros(HEADER_PREFIX_SIZE);
    cellIdentity.write(w, cell);
    for (const key of cellSectionKeys) w.u32(cell[key].length);
    cellTail.write(w, cell);
    w.raw(cpuSetBytes(cell));
    for (const key of cellSectionKeys) {
        const entry = cellSections[key].entry as Field;
        for (const item of cell[key]) entry.write(w, item);
    }
}

export function encodeCell(cell: CellDesc): Buffer {
    const w = new Writer();
    writeCell(w, cell, true);
    return w.result();
}

export function encodeSystem(system: SystemDesc): Buffer {
    if (system.iommuUnits.length !== MAX_IOMMU_UNITS)
        throw new ConfigFormatError(
            `a system configuration has exactly ${MAX_IOMMU_UNITS} IOMMU unit slots, got ${system.iommuUnits.length}`,
        );
    const w = new Writer();
    writePrefix(w, SYSTEM_SIGNATURE, system.architecture);
    systemHead.write(w, system);
    const p = system.platform;
    if (p.kind === "arm") armPlatform.write(w, p);
    else x86Platform.write(w, p);
    writeCell(w, system.rootCell, system.rootCell.signed);
    return w.result();
}

export function encodeConfig(config: BinaryConfig): Buffer {
    return config.kind === "system" ? encodeSystem(config.system) : encodeCell(config.cell);
}

// ---------------------------------------------------------------- decoding

/** Reads the prefix of a root cell header, which may be all zero. */
function readRootPrefix(r: Reader): { signed: boolean; architecture: number } {
    const start = r.offset;
    const prefix = r.raw(HEADER_PREFIX_SIZE);
    if (prefix.every((b) => b === 0)) return { signed: false, architecture: 0 };
    if (latin1(prefix, SIGNATURE_LEN) !== CELL_SIGNATURE)
        throw new ConfigFormatError(`root cell header must start with "${CELL_SIGNATURE}" or with ${HEADER_PREFIX_SIZE} zero bytes`, start);
    const architecture = prefix[ARCHITECTURE_OFFSET];
    checkArchitecture(architecture, start + ARCHITECTURE_OFFSET);
    const revision = prefix[REVISION_OFFSET] | (prefix[REVISION_OFFSET + 1] << 8);
    if (revision !== CONFIG_REVISION)
        throw new ConfigFormatError(
            `root cell header has revision ${revision}; only ${CONFIG_REVISION} is supported`,
            start + REVISION_OFFSET,
        );
    return { signed: true, architecture };
}

function readCellPrefix(r: Reader, standalone: boolean): { signed: boolean; architecture: number } {
    const start = r.offset;
    if (!standalone) {
        r.need(CELL_DESC_SIZE, "the cell header");
        return readRootPrefix(r);
    }
    // Signature and revision first: they explain a short file best.
    const architecture = checkPrefix(r, CELL_SIGNATURE, "cell");
    r.offset = start;
    r.need(CELL_DESC_SIZE, "the cell header");
    r.offset = start + HEADER_PREFIX_SIZE;
    return { signed: true, architecture };
}

function checkSectionsFit(r: Reader, name: string, cpuSetSize: number, counts: Record<string, number>) {
    const needed = cellSectionKeys.reduce(
        (sum, key) => sum + BigInt(counts[key]) * BigInt(cellSections[key].entry.size),
        BigInt(cpuSetSize),
    );
    const remaining = BigInt(r.bytes.length - r.offset);
    if (needed <= remaining) return;
    const detail = [
        ...(cpuSetSize ? [`${cpuSetSize} CPU set bytes`] : []),
        ...cellSectionKeys.filter((key) => counts[key]).map((key) => `${counts[key]} ${cellSections[key].what}`),
    ].join(", ");
    throw new ConfigFormatError(
        `truncated: cell "${name}" declares ${detail} (${needed} bytes) but only ${remaining} bytes follow its header`,
        r.offset,
    );
}

function cpusOf(set: Uint8Array): number[] {
    const cpus: number[] = [];
    set.forEach((byte, i) => {
        for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cpus.push(i * 8 + bit);
    });
    return cpus;
}

function readCell(r: Reader, standalone: boolean): CellDesc {
    const prefix = readCellPrefix(r, standalone);
    const identity = cellIdentity.read(r);
    const counts = Object.fromEntries(cellSectionKeys.map((key) => [key, r.u32()]));
    const tail = cellTail.read(r);
    checkSectionsFit(r, identity.name, identity.cpuSetSize, counts);
    const cpus = cpusOf(r.raw(identity.cpuSetSize));
    const sections = Object.fromEntries(
        cellSectionKeys.map((key) => [key, Array.from({ length: counts[key] }, () => (cellSections[key].entry as Field).read(r))]),
    ) as Pick<CellDesc, CellSection>;
    return { ...prefix, ...identity, ...tail, cpus, ...sections };
}

function checkEnd(r: Reader, kind: string) {
    if (r.offset !== r.bytes.length)
        throw new ConfigFormatError(`${r.bytes.length - r.offset} unexpected bytes after the end of the ${kind} configuration`, r.offset);
}

export function decodeCell(bytes: Uint8Array): CellDesc {
    const r = new Reader(bytes);
    const cell = readCell(r, true);
    checkEnd(r, "cell");
    return cell;
}

export function decodeSystem(bytes: Uint8Array): SystemDesc {
    const r = new Reader(bytes);
    const architecture = checkPrefix(r, SYSTEM_SIGNATURE, "system");
    r.offset = 0;
    r.need(SYSTEM_SIZE, "the system header");
    r.offset = HEADER_PREFIX_SIZE;
    const head = systemHead.read(r);
    const platform: SystemDesc["platform"] =
        architecture === architectures.x86 ? { kind: "x86", ...x86Platform.read(r) } : { kind: "arm", ...armPlatform.read(r) };
    const rootCell = readCell(r, false);
    // An unsigned root header carries no architecture of its own.
    if (!rootCell.signed) rootCell.architecture = architecture;
    checkEnd(r, "system");
    return { architecture, ...head, platform, rootCell };
}

/** Decodes a system or cell configuration, whichever the signature says. */
export function decodeConfig(bytes: Uint8Array): BinaryConfig {
    if (bytes.length < HEADER_PREFIX_SIZE)
        throw new ConfigFormatError(
            `truncated: ${bytes.length} bytes is shorter than any configuration header (${HEADER_PREFIX_SIZE} bytes)`,
            0,
        );
    const kind = sniffConfig(bytes) ?? legacyKind(bytes);
    if (kind === "system") return { kind, system: decodeSystem(bytes) };
    if (kind === "cell") return { kind, cell: decodeCell(bytes) };
    throw new ConfigFormatError(
        `not a Jailhouse configuration: signature ${JSON.stringify(latin1(bytes, SIGNATURE_LEN))}, expected "${SYSTEM_SIGNATURE}" or "${CELL_SIGNATURE}"`,
        0,
    );
}
