// SPDX-License-Identifier: MIT
// The .cell data model (binary.ts) back to friendly configs (schema.ts). It
// keeps every bit (unnamed flag bits become "0x..." entries, irqchips keep
// their pinBase), so a decoded file compiles to the same bytes, and leaves
// out what equals the default so the YAML shows what the file says.
import {
    architectures,
    CACHE_ROOTSHARED,
    cacheTypes,
    cellFlags,
    consoleFlags,
    consoleTypes,
    IOMMU_VENDOR_BYTES,
    iommuTypes,
    MEM_IO_WIDTH_MASK,
    MEM_IO_WIDTH_SHIFT,
    memIoWidths,
    memoryFlags,
    PCI_MSI_64BITS,
    PCI_MSI_KNOWN,
    PCI_MSI_MASKABLE,
    pciDeviceTypes,
    SYS_VIRTUAL_DEBUG_CONSOLE,
} from "./abi";
import type { CacheDesc, CellDesc, ConsoleDesc, IommuDesc, MemoryDesc, PciDeviceDesc, SystemDesc } from "./binary";
import { CompileError, defaultCpuSetSize } from "./compile";
import { decodeFlags, nameOf } from "./flags";
import { vendorFields } from "./iommus";
import { decompileIrqchip } from "./irqchips";
import { zeroHex } from "./layout";
import type { CellConfigInput, SystemConfigInput } from "./schema";
import { formatBdf, formatHex, formatRanges, formatSize } from "./units";

type Yaml = Record<string, unknown>;
/** Labels for the memory regions (the .cell format has none): null leaves them unnamed, undefined makes them from the regions. */
type RegionNames = readonly (string | undefined)[] | null | undefined;
const hexOrZero = (v: bigint) => (v === 0n ? 0 : formatHex(v));
/** `{ [key]: value }` when the value is set, `{}` otherwise: fields at their default stay out. */
const unlessZero = (key: string, raw: number | bigint, value: unknown = raw): Yaml => (raw ? { [key]: value } : {});

function architectureName(value: number): keyof typeof architectures {
    const name = nameOf(architectures, value) as keyof typeof architectures | undefined;
    if (!name) throw new CompileError("architecture", `unknown architecture ${value}`);
    return name;
}

function decompileConsole(c: ConsoleDesc): Yaml | undefined {
    const type = nameOf(consoleTypes, c.type) ?? c.type;
    const flags = decodeFlags(BigInt(c.flags), consoleFlags);
    const out: Yaml = {
        type,
        ...unlessZero("address", c.address, formatHex(c.address)),
        ...unlessZero("size", c.size, formatSize(BigInt(c.size))),
        ...(flags.length ? { flags } : {}),
        ...unlessZero("divider", c.divider),
        ...unlessZero("gateNr", c.gateNr),
        ...unlessZero("clockReg", c.clockReg, formatHex(c.clockReg)),
    };
    return Object.keys(out).length === 1 && type === "none" ? undefined : out;
}

function regionLabel(m: MemoryDesc, taken: Set<string>): string {
    const comm = (m.flags & BigInt(memoryFlags["comm-region"])) !== 0n;
    const io = (m.flags & BigInt(memoryFlags.io)) !== 0n;
    // An empty region is a placeholder (an unused ivshmem section), not RAM at its address.
    const kind = m.size === 0n ? "empty" : io ? "mmio" : "ram";
    const base = comm ? "comm-region" : `${kind}-${m.physStart.toString(16)}`;
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}-${n}`;
    taken.add(label);
    return label;
}

function decompileMemory(m: MemoryDesc, taken: Set<string>, name: string | null | undefined): Yaml {
    const widthCode = Number((m.flags & BigInt(MEM_IO_WIDTH_MASK)) >> BigInt(MEM_IO_WIDTH_SHIFT));
    const width = Object.entries(memIoWidths).find(([, code]) => code === widthCode)?.[0];
    const rest = width ? m.flags & ~BigInt(MEM_IO_WIDTH_MASK) : m.flags;
    // The driver places a comm region at phys 0 itself; only its virt is the config's.
    const placedByDriver = (m.flags & BigInt(memoryFlags["comm-region"])) !== 0n && m.physStart === 0n;
    return {
        ...(name === null ? {} : { name: name ?? regionLabel(m, taken) }),
        ...(placedByDriver ? {} : { phys: formatHex(m.physStart) }),
        ...(m.virtStart === m.physStart && !placedByDriver ? {} : { virt: formatHex(m.virtStart) }),
        size: formatSize(m.size),
        flags: decodeFlags(rest, memoryFlags),
        ...(width ? { ioWidth: Number(width) } : {}),
    };
}

function decompileCache(c: CacheDesc): Yaml {
    return {
        start: c.start,
        size: c.size,
        type: nameOf(cacheTypes, c.type) ?? c.type,
        rootShared: (c.flags & CACHE_ROOTSHARED) !== 0,
        ...unlessZero("padding", c.padding),
        ...unlessZero("flags", c.flags & ~CACHE_ROOTSHARED),
    };
}

function decompilePciDevice(d: PciDeviceDesc): Yaml {
    return {
        type: nameOf(pciDeviceTypes, d.type) ?? d.type,
        iommu: d.iommu,
        domain: d.domain,
        bdf: formatBdf(d.bdf),
        barMask: d.barMask.map((m) => formatHex(m)),
        capsStart: d.capsStart,
        numCaps: d.numCaps,
        msiVectors: d.numMsiVectors,
        msi64Bits: (d.msiFlags & PCI_MSI_64BITS) !== 0,
        msiMaskable: (d.msiFlags & PCI_MSI_MASKABLE) !== 0,
        ...unlessZero("msiReservedBits", d.msiFlags & ~PCI_MSI_KNOWN),
        msixVectors: d.numMsixVectors,
        msixRegionSize: d.msixRegionSize,
        msixAddress: formatHex(d.msixAddress),
        shmemRegionsStart: d.shmemRegionsStart,
        shmemDevId: d.shmemDevId,
        shmemPeers: d.shmemPeers,
        shmemProtocol: d.shmemProtocol,
    };
}

/** `{ [key]: mapped items }` for a non-empty section, `{}` for an empty one. */
function listed<T>(key: string, items: readonly T[], map: (item: T, i: number) => unknown): Yaml {
    return items.length ? { [key]: items.map(map) } : {};
}

/** Each non-empty section of a cell, in the order the YAML shows them. */
function decompileSections(cell: CellDesc, regionNames: RegionNames): Yaml {
    const taken = new Set<string>();
    const x86 = cell.architecture === architectures.x86;
    return {
        ...listed("memory", cell.memory, (m, i) => decompileMemory(m, taken, regionNames === null ? null : regionNames?.[i])),
        ...listed("irqchips", cell.irqchips, (chip) => decompileIrqchip(chip, x86)),
        ...listed("cache", cell.cache, decompileCache),
        ...listed("pio", cell.pio, (p) => ({ base: formatHex(p.base), length: p.length })),
        ...listed("pciDevices", cell.pciDevices, decompilePciDevice),
        ...listed("pciCapabilities", cell.pciCapabilities, (c) => ({ ...c })),
        // Hex shows the fields packed into an id (MMU-500: mask in bits 16-30).
        ...listed("streamIds", cell.streamIds, (id) => formatHex(id)),
    };
}

export function decompileCell(cell: CellDesc, regionNames?: RegionNames): CellConfigInput & Yaml {
    const flags = decodeFlags(BigInt(cell.flags), cellFlags);
    const console = decompileConsole(cell.console);
    const out: Yaml = {
        name: cell.name,
        architecture: architectureName(cell.architecture),
        ...(flags.length ? { flags } : {}),
        cpus: cell.cpus.length ? formatRanges(cell.cpus) : [],
        ...(cell.cpuSetSize !== defaultCpuSetSize(cell.cpus) ? { cpuSetSize: cell.cpuSetSize } : {}),
        ...decompileSections(cell, regionNames),
        ...unlessZero("vpciIrqBase", cell.vpciIrqBase),
        ...unlessZero("cpuResetAddress", cell.cpuResetAddress, formatHex(cell.cpuResetAddress)),
        ...unlessZero("msgReplyTimeout", cell.msgReplyTimeout, hexOrZero(cell.msgReplyTimeout)),
        ...(console ? { console } : {}),
        ...unlessZero("id", cell.id),
    };
    return out as CellConfigInput & Yaml;
}

function isUnusedIommu(unit: IommuDesc): boolean {
    return unit.type === iommuTypes.unused && !unit.base && !unit.size && unit.vendorData === zeroHex(IOMMU_VENDOR_BYTES);
}

/** The IOMMU units up to the last one in use; the unused slots after it stay out. */
function decompileIommus(units: readonly IommuDesc[]): Yaml[] {
    let used = units.length;
    while (used > 0 && isUnusedIommu(units[used - 1])) used--;
    return units.slice(0, used).map((u) => {
        const type = nameOf(iommuTypes, u.type) ?? u.type;
        return { type, base: hexOrZero(u.base), size: formatHex(u.size), ...vendorFields(type, u.vendorData) };
    });
}

function decompilePlatform(system: SystemDesc): Yaml {
    const platform: Yaml = {};
    if (system.pciMmconfigBase || system.pciMmconfigEndBus || system.pciIsVirtual || system.pciDomain)
        platform.pci = {
            mmconfigBase: hexOrZero(system.pciMmconfigBase),
            mmconfigEndBus: system.pciMmconfigEndBus,
            isVirtual: system.pciIsVirtual,
            domain: system.pciDomain,
        };
    const iommus = decompileIommus(system.iommuUnits);
    if (iommus.length) platform.iommus = iommus;
    const p = system.platform;
    if (p.kind === "arm")
        platform.gic = {
            version: p.gicVersion,
            maintenanceIrq: p.maintenanceIrq,
            distributor: formatHex(p.gicdBase),
            ...unlessZero("redistributor", p.gicrBase, formatHex(p.gicrBase)),
            ...unlessZero("cpuInterface", p.giccBase, formatHex(p.giccBase)),
            ...unlessZero("hypervisorInterface", p.gichBase, formatHex(p.gichBase)),
            ...unlessZero("virtualCpuInterface", p.gicvBase, formatHex(p.gicvBase)),
            ...unlessZero("padding", p.padding),
        };
    else {
        // Zero fields are the defaults; the driver fills tscKhz and apicKhz when 0.
        const { kind: _kind, unused, pmTimerAddress, ...x86 } = p;
        const fields = { pmTimerAddress: pmTimerAddress ? formatHex(pmTimerAddress) : 0, ...x86, unused: /^0+$/.test(unused) ? 0 : unused };
        platform.x86 = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== 0));
    }
    return platform;
}

export function decompileSystem(system: SystemDesc, regionNames?: RegionNames): SystemConfigInput & Yaml {
    const hv = system.hypervisorMemory;
    const console = decompileConsole(system.debugConsole);
    const extraFlags = (system.flags & ~SYS_VIRTUAL_DEBUG_CONSOLE) >>> 0;
    const root = decompileCell(system.rootCell, regionNames);
    const out: Yaml = {
        architecture: architectureName(system.architecture),
        hypervisor: {
            memory: {
                phys: formatHex(hv.physStart),
                size: formatSize(hv.size),
                ...unlessZero("virt", hv.virtStart, formatHex(hv.virtStart)),
                ...unlessZero("flags", hv.flags, formatHex(hv.flags)),
            },
        },
        ...(console ? { debugConsole: console } : {}),
        ...((system.flags & SYS_VIRTUAL_DEBUG_CONSOLE) !== 0 ? { virtualDebugConsole: true } : {}),
        ...unlessZero("systemFlags", extraFlags),
        platform: decompilePlatform(system),
        rootCell: system.rootCell.signed ? { ...root, signed: true } : root,
    };
    return out as SystemConfigInput & Yaml;
}
