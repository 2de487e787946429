// SPDX-License-Identifier: MIT
// Encoder and decoder of .cell files, revision 14 (layout: cell-config.h).
// The decoder checks every count against the bytes actually present before
// it reads, so a truncated, foreign or random file ends in one
// ConfigFormatError saying what is wrong and at which offset.
import {
    architectures,
    CELL_NAME_LEN,
    CELL_SIGNATURE,
    CONFIG_REVISION,
    MAX_IOMMU_UNITS,
    sizes,
    SYSTEM_SIGNATURE,
} from "./abi";
import type {
    BinaryConfig,
    CacheDesc,
    CellDesc,
    ConsoleDesc,
    IommuDesc,
    IrqchipDesc,
    MemoryDesc,
    PciCapabilityDesc,
    PciDeviceDesc,
    PioDesc,
    SystemDesc,
} from "./binary";

export class ConfigFormatError extends Error {
    constructor(
        message: string,
        readonly offset?: number,
    ) {
        super(offset === undefined ? message : `${message} (at byte offset ${offset})`);
        this.name = "ConfigFormatError";
    }
}

class Writer {
    private bytes = new Uint8Array(1024);
    private view = new DataView(this.bytes.buffer);
    length = 0;

    private reserve(n: number): number {
        const at = this.length;
        if (at + n > this.bytes.length) {
            const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
            grown.set(this.bytes);
            this.bytes = grown;
            this.view = new DataView(grown.buffer);
        }
        this.length += n;
        return at;
    }
    // reserve() may replace the buffer and its view, so it must run before
    // either is read: `this.view.setUint8(this.reserve(1), v)` would write
    // into the old buffer once a file outgrows the first 1 KiB.
    u8(v: number) {
        const at = this.reserve(1);
        this.view.setUint8(at, v);
    }
    u16(v: number) {
        const at = this.reserve(2);
        this.view.setUint16(at, v, true);
    }
    u32(v: number) {
        const at = this.reserve(4);
        this.view.setUint32(at, v >>> 0, true);
    }
    u64(v: bigint) {
        const at = this.reserve(8);
        this.view.setBigUint64(at, v, true);
    }
    raw(data: Uint8Array) {
        const at = this.reserve(data.length);
        this.bytes.set(data, at);
    }
    zeros(n: number) {
        this.reserve(n);
    }
    result(): Buffer {
        return Buffer.from(this.bytes.subarray(0, this.length));
    }
}

class Reader {
    private readonly view: DataView;
    offset = 0;

    constructor(readonly bytes: Uint8Array) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    need(n: number, what: string) {
        if (this.offset + n > this.bytes.length)
            throw new ConfigFormatError(
                `truncated: ${what} needs ${n} bytes but only ${this.bytes.length - this.offset} remain of ${this.bytes.length}`,
                this.offset,
            );
    }
    u8() {
        return this.view.getUint8(this.offset++);
    }
    u16() {
        const v = this.view.getUint16(this.offset, true);
        this.offset += 2;
        return v;
    }
    u32() {
        const v = this.view.getUint32(this.offset, true);
        this.offset += 4;
        return v;
    }
    u64() {
        const v = this.view.getBigUint64(this.offset, true);
        this.offset += 8;
        return v;
    }
    raw(n: number) {
        const v = this.bytes.subarray(this.offset, this.offset + n);
        this.offset += n;
        return v;
    }
}

const hex = (data: Uint8Array) => Buffer.from(data).toString("hex");

function signatureOf(bytes: Uint8Array): string {
    return Buffer.from(bytes.subarray(0, 6)).toString("latin1");
}

/** What kind of file this is, judged by its signature. */
export function sniffConfig(bytes: Uint8Array): "system" | "cell" | undefined {
    const sig = Buffer.from(bytes.subarray(0, 5)).toString("latin1");
    if (sig === SYSTEM_SIGNATURE) return "system";
    if (sig === CELL_SIGNATURE) return "cell";
    return undefined;
}

function checkPrefix(r: Reader, signature: string, kind: string) {
    r.need(8, `the ${kind} header`);
    const found = Buffer.from(r.bytes.subarray(0, 5)).toString("latin1");
    if (found !== signature) {
        const old = signatureOf(r.bytes);
        if (old === "JHSYST" || old === "JHCELL") {
            const revision = new DataView(r.bytes.buffer, r.bytes.byteOffset).getUint16(6, true);
            throw new ConfigFormatError(
                `this is a Jailhouse ${kind} configuration of revision ${revision} (6-byte signature "${old}"); only revision ${CONFIG_REVISION} is supported: rebuild it from its source with a current Jailhouse`,
                6,
            );
        }
        throw new ConfigFormatError(`not a ${kind} configuration: signature is ${JSON.stringify(found)}, expected "${signature}"`, 0);
    }
    r.offset = 5;
    const architecture = r.u8();
    const revision = r.u16();
    if (revision !== CONFIG_REVISION)
        throw new ConfigFormatError(`configuration revision ${revision} found; only revision ${CONFIG_REVISION} is supported`, 6);
    checkArchitecture(architecture, 5);
    return architecture;
}

function checkArchitecture(architecture: number, offset: number) {
    if (!Object.values(architectures).includes(architecture as 0))
        throw new ConfigFormatError(`unknown architecture ${architecture} (0 x86, 1 arm, 2 arm64)`, offset);
}

// ---------------------------------------------------------------- encoding

function writeConsole(w: Writer, c: ConsoleDesc) {
    w.u64(c.address);
    w.u32(c.size);
    w.u16(c.type);
    w.u16(c.flags);
    w.u32(c.divider);
    w.u32(c.gateNr);
    w.u64(c.clockReg);
}

function writeMemory(w: Writer, m: MemoryDesc) {
    w.u64(m.physStart);
    w.u64(m.virtStart);
    w.u64(m.size);
    w.u64(m.flags);
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

function nameBytes(name: string): Uint8Array {
    const encoded = Buffer.from(name, "utf8");
    if (encoded.length >= CELL_NAME_LEN || encoded.includes(0))
        throw new ConfigFormatError(`cell name ${JSON.stringify(name)} must be 1 to ${CELL_NAME_LEN - 1} bytes without NUL`);
    const field = new Uint8Array(CELL_NAME_LEN);
    field.set(encoded);
    return field;
}

function writeCellHeader(w: Writer, cell: CellDesc, signed: boolean) {
    if (signed) {
        w.raw(Buffer.from(CELL_SIGNATURE, "latin1"));
        w.u8(cell.architecture);
        w.u16(CONFIG_REVISION);
    } else {
        w.zeros(8);
    }
    w.raw(nameBytes(cell.name));
    w.u32(cell.id);
    w.u32(cell.flags);
    w.u32(cell.cpuSetSize);
    w.u32(cell.memory.length);
    w.u32(cell.cache.length);
    w.u32(cell.irqchips.length);
    w.u32(cell.pio.length);
    w.u32(cell.pciDevices.length);
    w.u32(cell.pciCapabilities.length);
    w.u32(cell.streamIds.length);
    w.u32(cell.vpciIrqBase);
    w.u64(cell.cpuResetAddress);
    w.u64(cell.msgReplyTimeout);
    writeConsole(w, cell.console);
}

function writeCellSections(w: Writer, cell: CellDesc) {
    w.raw(cpuSetBytes(cell));
    cell.memory.forEach((m) => writeMemory(w, m));
    for (const c of cell.cache) {
        w.u32(c.start);
        w.u32(c.size);
        w.u8(c.type);
        w.u8(c.padding);
        w.u16(c.flags);
    }
    for (const chip of cell.irqchips) {
        w.u64(chip.address);
        w.u32(chip.id);
        w.u32(chip.pinBase);
        chip.pinBitmap.forEach((word) => w.u32(word));
    }
    for (const p of cell.pio) {
        w.u16(p.base);
        w.u16(p.length);
    }
    for (const d of cell.pciDevices) {
        w.u8(d.type);
        w.u8(d.iommu);
        w.u16(d.domain);
        w.u16(d.bdf);
        d.barMask.forEach((mask) => w.u32(mask));
        w.u16(d.capsStart);
        w.u16(d.numCaps);
        w.u8(d.numMsiVectors);
        w.u8(d.msiFlags);
        w.u16(d.numMsixVectors);
        w.u16(d.msixRegionSize);
        w.u64(d.msixAddress);
        w.u32(d.shmemRegionsStart);
        w.u8(d.shmemDevId);
        w.u8(d.shmemPeers);
        w.u16(d.shmemProtocol);
    }
    for (const c of cell.pciCapabilities) {
        w.u16(c.id);
        w.u16(c.start);
        w.u16(c.len);
        w.u16(c.flags);
    }
    cell.streamIds.forEach((id) => w.u32(id));
}

export function encodeCell(cell: CellDesc): Buffer {
    const w = new Writer();
    writeCellHeader(w, cell, true);
    writeCellSections(w, cell);
    return w.result();
}

function writeIommu(w: Writer, unit: IommuDesc) {
    w.u32(unit.type);
    w.u64(unit.base);
    w.u32(unit.size);
    w.raw(Buffer.from(unit.vendorData, "hex"));
}

export function encodeSystem(system: SystemDesc): Buffer {
    if (system.iommuUnits.length !== MAX_IOMMU_UNITS)
        throw new ConfigFormatError(`a system configuration has exactly ${MAX_IOMMU_UNITS} IOMMU unit slots, got ${system.iommuUnits.length}`);
    const w = new Writer();
    w.raw(Buffer.from(SYSTEM_SIGNATURE, "latin1"));
    w.u8(system.architecture);
    w.u16(CONFIG_REVISION);
    w.u32(system.flags);
    writeMemory(w, system.hypervisorMemory);
    writeConsole(w, system.debugConsole);
    w.u64(system.pciMmconfigBase);
    w.u8(system.pciMmconfigEndBus);
    w.u8(system.pciIsVirtual);
    w.u16(system.pciDomain);
    system.iommuUnits.forEach((unit) => writeIommu(w, unit));
    const p = system.platform;
    if (p.kind === "arm") {
        w.u8(p.maintenanceIrq);
        w.u8(p.gicVersion);
        w.u16(p.padding);
        for (const base of [p.gicdBase, p.giccBase, p.gichBase, p.gicvBase, p.gicrBase]) w.u64(base);
    } else {
        w.u16(p.pmTimerAddress);
        w.u8(p.apicMode);
        w.u8(p.padding);
        w.u32(p.vtdInterruptLimit);
        w.u32(p.tscKhz);
        w.u32(p.apicKhz);
        w.raw(Buffer.from(p.unused, "hex"));
    }
    writeCellHeader(w, system.rootCell, system.rootCell.signed);
    writeCellSections(w, system.rootCell);
    return w.result();
}

export function encodeConfig(config: BinaryConfig): Buffer {
    return config.kind === "system" ? encodeSystem(config.system) : encodeCell(config.cell);
}

// ---------------------------------------------------------------- decoding

function readConsole(r: Reader): ConsoleDesc {
    return {
        address: r.u64(),
        size: r.u32(),
        type: r.u16(),
        flags: r.u16(),
        divider: r.u32(),
        gateNr: r.u32(),
        clockReg: r.u64(),
    };
}

function readMemory(r: Reader): MemoryDesc {
    return { physStart: r.u64(), virtStart: r.u64(), size: r.u64(), flags: r.u64() };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function readName(r: Reader): string {
    const at = r.offset;
    const field = r.raw(CELL_NAME_LEN);
    const end = field.indexOf(0);
    if (end < 0) throw new ConfigFormatError("cell name is not NUL-terminated within its 32 bytes", at);
    if (end === 0) throw new ConfigFormatError("cell name is empty", at);
    if (field.subarray(end).some((b) => b !== 0))
        throw new ConfigFormatError("cell name field has non-zero bytes after its terminating NUL", at + end);
    try {
        return utf8.decode(field.subarray(0, end));
    } catch {
        throw new ConfigFormatError("cell name is not valid UTF-8", at);
    }
}

interface CellHeader {
    cell: Omit<CellDesc, "cpus" | "memory" | "cache" | "irqchips" | "pio" | "pciDevices" | "pciCapabilities" | "streamIds">;
    counts: number[];
}

function readCellHeader(r: Reader, standalone: boolean): CellHeader {
    const start = r.offset;
    let signed = true;
    let architecture: number;
    if (standalone) {
        // Signature and revision first: they explain a short file best.
        architecture = checkPrefix(r, CELL_SIGNATURE, "cell");
        r.offset = start;
        r.need(sizes.cellDesc, "the cell header");
        r.offset = start + 8;
    } else {
        r.need(sizes.cellDesc, "the cell header");
        const prefix = r.raw(8);
        if (prefix.every((b) => b === 0)) {
            signed = false;
            architecture = 0;
        } else {
            if (Buffer.from(prefix.subarray(0, 5)).toString("latin1") !== CELL_SIGNATURE)
                throw new ConfigFormatError('root cell header must start with "JHCLL" or with 8 zero bytes', start);
            architecture = prefix[5];
            checkArchitecture(architecture, start + 5);
            const revision = prefix[6] | (prefix[7] << 8);
            if (revision !== CONFIG_REVISION)
                throw new ConfigFormatError(`root cell header has revision ${revision}; only ${CONFIG_REVISION} is supported`, start + 6);
        }
    }
    const name = readName(r);
    const id = r.u32();
    const flags = r.u32();
    const counts = Array.from({ length: 8 }, () => r.u32());
    const cell = {
        signed,
        architecture,
        name,
        id,
        flags,
        cpuSetSize: counts[0],
        vpciIrqBase: r.u32(),
        cpuResetAddress: r.u64(),
        msgReplyTimeout: r.u64(),
        console: readConsole(r),
    };
    return { cell, counts };
}

const sectionSizes = [1, sizes.memory, sizes.cache, sizes.irqchip, sizes.pio, sizes.pciDevice, sizes.pciCapability, sizes.streamId];
const sectionNames = ["CPU set", "memory regions", "cache regions", "irqchips", "PIO regions", "PCI devices", "PCI capabilities", "stream IDs"];

function readCellSections(r: Reader, header: CellHeader): CellDesc {
    const needed = header.counts.reduce((sum, count, i) => sum + BigInt(count) * BigInt(sectionSizes[i]), 0n);
    const remaining = BigInt(r.bytes.length - r.offset);
    if (needed > remaining) {
        const detail = header.counts
            .map((count, i) => (count ? `${count} ${sectionNames[i]}${i === 0 ? " bytes" : ""}` : ""))
            .filter(Boolean)
            .join(", ");
        throw new ConfigFormatError(`truncated: cell "${header.cell.name}" declares ${detail} (${needed} bytes) but only ${remaining} bytes follow its header`, r.offset);
    }
    const [cpuSetSize, nMemory, nCache, nIrqchips, nPio, nPci, nCaps, nStreams] = header.counts;
    const set = r.raw(cpuSetSize);
    const cpus: number[] = [];
    set.forEach((byte, i) => {
        for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) cpus.push(i * 8 + bit);
    });
    const times = <T>(n: number, read: () => T): T[] => Array.from({ length: n }, read);
    const memory = times(nMemory, () => readMemory(r));
    const cache = times(nCache, (): CacheDesc => ({ start: r.u32(), size: r.u32(), type: r.u8(), padding: r.u8(), flags: r.u16() }));
    const irqchips = times(
        nIrqchips,
        (): IrqchipDesc => ({ address: r.u64(), id: r.u32(), pinBase: r.u32(), pinBitmap: [r.u32(), r.u32(), r.u32(), r.u32()] }),
    );
    const pio = times(nPio, (): PioDesc => ({ base: r.u16(), length: r.u16() }));
    const pciDevices = times(
        nPci,
        (): PciDeviceDesc => ({
            type: r.u8(),
            iommu: r.u8(),
            domain: r.u16(),
            bdf: r.u16(),
            barMask: [r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32()],
            capsStart: r.u16(),
            numCaps: r.u16(),
            numMsiVectors: r.u8(),
            msiFlags: r.u8(),
            numMsixVectors: r.u16(),
            msixRegionSize: r.u16(),
            msixAddress: r.u64(),
            shmemRegionsStart: r.u32(),
            shmemDevId: r.u8(),
            shmemPeers: r.u8(),
            shmemProtocol: r.u16(),
        }),
    );
    const pciCapabilities = times(nCaps, (): PciCapabilityDesc => ({ id: r.u16(), start: r.u16(), len: r.u16(), flags: r.u16() }));
    const streamIds = times(nStreams, () => r.u32());
    return { ...header.cell, cpus, memory, cache, irqchips, pio, pciDevices, pciCapabilities, streamIds };
}

function checkEnd(r: Reader, kind: string) {
    if (r.offset !== r.bytes.length)
        throw new ConfigFormatError(`${r.bytes.length - r.offset} unexpected bytes after the end of the ${kind} configuration`, r.offset);
}

export function decodeCell(bytes: Uint8Array): CellDesc {
    const r = new Reader(bytes);
    const cell = readCellSections(r, readCellHeader(r, true));
    checkEnd(r, "cell");
    return cell;
}

export function decodeSystem(bytes: Uint8Array): SystemDesc {
    const r = new Reader(bytes);
    const architecture = checkPrefix(r, SYSTEM_SIGNATURE, "system");
    r.offset = 0;
    r.need(sizes.system, "the system header");
    r.offset = 8;
    const flags = r.u32();
    const hypervisorMemory = readMemory(r);
    const debugConsole = readConsole(r);
    const pciMmconfigBase = r.u64();
    const pciMmconfigEndBus = r.u8();
    const pciIsVirtual = r.u8();
    const pciDomain = r.u16();
    const iommuUnits = Array.from({ length: MAX_IOMMU_UNITS }, (): IommuDesc => ({ type: r.u32(), base: r.u64(), size: r.u32(), vendorData: hex(r.raw(12)) }));
    const platform: SystemDesc["platform"] =
        architecture === architectures.x86
            ? {
                  kind: "x86",
                  pmTimerAddress: r.u16(),
                  apicMode: r.u8(),
                  padding: r.u8(),
                  vtdInterruptLimit: r.u32(),
                  tscKhz: r.u32(),
                  apicKhz: r.u32(),
                  unused: hex(r.raw(28)),
              }
            : {
                  kind: "arm",
                  maintenanceIrq: r.u8(),
                  gicVersion: r.u8(),
                  padding: r.u16(),
                  gicdBase: r.u64(),
                  giccBase: r.u64(),
                  gichBase: r.u64(),
                  gicvBase: r.u64(),
                  gicrBase: r.u64(),
              };
    const rootCell = readCellSections(r, readCellHeader(r, false));
    // An unsigned root header carries no architecture of its own.
    if (!rootCell.signed) rootCell.architecture = architecture;
    checkEnd(r, "system");
    return {
        architecture,
        flags,
        hypervisorMemory,
        debugConsole,
        pciMmconfigBase,
        pciMmconfigEndBus,
        pciIsVirtual,
        pciDomain,
        iommuUnits,
        platform,
        rootCell,
    };
}

/** Decodes a system or cell configuration, whichever the signature says. */
export function decodeConfig(bytes: Uint8Array): BinaryConfig {
    if (bytes.length < 8)
        throw new ConfigFormatError(`truncated: ${bytes.length} bytes is shorter than any configuration header (8 bytes)`, 0);
    const kind = sniffConfig(bytes);
    if (kind === "system") return { kind, system: decodeSystem(bytes) };
    if (kind === "cell") return { kind, cell: decodeCell(bytes) };
    const old = signatureOf(bytes);
    if (old === "JHSYST") return { kind: "system", system: decodeSystem(bytes) };
    if (old === "JHCELL") return { kind: "cell", cell: decodeCell(bytes) };
    throw new ConfigFormatError(
        `not a Jailhouse configuration: signature ${JSON.stringify(Buffer.from(bytes.subarray(0, 5)).toString("latin1"))}, expected "${SYSTEM_SIGNATURE}" or "${CELL_SIGNATURE}"`,
        0,
    );
}
