// SPDX-License-Identifier: MIT
// Friendly configs (schema.ts) to the .cell data model (binary.ts) and back.
// The way back keeps every bit (unnamed flag bits become "0x..." entries,
// irqchips keep their pinBase), so a decoded file compiles to the same bytes.
import {
    architectures,
    CACHE_ROOTSHARED,
    cacheTypes,
    cellFlags,
    consoleFlags,
    consoleTypes,
    iommuTypes,
    MAX_IOMMU_UNITS,
    MEM_IO_WIDTH_SHIFT,
    memoryFlags,
    pciDeviceTypes,
    SYS_VIRTUAL_DEBUG_CONSOLE,
} from "./abi";
import type { CellDesc, ConsoleDesc, MemoryDesc, SystemDesc } from "./binary";
import { vendorFields } from "./iommus";
import { compileIrqchips, decompileIrqchip, IrqchipError } from "./irqchips";
import type { CellConfig, CellConfigInput, Console, MemoryRegion, SystemConfig, SystemConfigInput } from "./schema";
import { formatBdf, formatHex, formatRanges, formatSize } from "./units";

export class CompileError extends Error {
    constructor(
        readonly path: string,
        message: string,
    ) {
        super(`${path}: ${message}`);
        this.name = "CompileError";
    }
}

function flagWord(flags: readonly string[], known: Record<string, number>): bigint {
    let word = 0n;
    for (const flag of flags) word |= flag in known ? BigInt(known[flag] >>> 0) : BigInt(flag);
    return word;
}

function flagList(word: bigint, known: Record<string, number>): string[] {
    const names: string[] = [];
    let rest = word;
    for (const [name, bit] of Object.entries(known)) {
        const b = BigInt(bit >>> 0);
        if ((rest & b) === b) {
            names.push(name);
            rest &= ~b;
        }
    }
    if (rest) names.push(formatHex(rest));
    return names;
}

function lookup(table: Record<string, number>, name: string | number): number {
    return typeof name === "number" ? name : table[name];
}

function nameOf(table: Record<string, number>, value: number): string | undefined {
    return Object.entries(table).find(([, v]) => v === value)?.[0];
}

const ioWidths: Record<number, number> = { 8: 1, 16: 2, 32: 4, 64: 8 };

export function compileMemory(region: MemoryRegion): MemoryDesc {
    let flags = flagWord(region.flags, memoryFlags);
    if (region.ioWidth) flags |= BigInt(ioWidths[region.ioWidth]) << BigInt(MEM_IO_WIDTH_SHIFT);
    return { physStart: region.phys, virtStart: region.virt, size: region.size, flags };
}

function compileConsole(console: Console): ConsoleDesc {
    return {
        address: console.address,
        size: Number(console.size & 0xffffffffn),
        type: lookup(consoleTypes, console.type),
        flags: Number(flagWord(console.flags, consoleFlags)),
        divider: console.divider,
        gateNr: console.gateNr,
        clockReg: console.clockReg,
    };
}

export function defaultCpuSetSize(cpus: readonly number[]): number {
    const highest = cpus.length ? Math.max(...cpus) : 0;
    return Math.floor(highest / 64 + 1) * 8;
}

function irqchipsOf(cell: CellConfig, path: string) {
    try {
        return compileIrqchips(cell.irqchips, `${path}.irqchips`);
    } catch (error) {
        if (error instanceof IrqchipError) throw new CompileError(error.path, error.message);
        throw error;
    }
}

export function compileCell(cell: CellConfig, signed = true, path = "cell"): CellDesc {
    const cpuSetSize = cell.cpuSetSize ?? defaultCpuSetSize(cell.cpus);
    const tooHigh = cell.cpus.find((cpu) => cpu >= cpuSetSize * 8);
    if (tooHigh !== undefined)
        throw new CompileError(`${path}.cpuSetSize`, `${cpuSetSize} bytes cannot hold CPU ${tooHigh}; use ${defaultCpuSetSize(cell.cpus)} or leave it out`);
    return {
        signed,
        architecture: architectures[cell.architecture],
        name: cell.name,
        id: cell.id,
        flags: Number(flagWord(cell.flags, cellFlags)),
        cpuSetSize,
        cpus: [...cell.cpus],
        vpciIrqBase: cell.vpciIrqBase,
        cpuResetAddress: cell.cpuResetAddress,
        msgReplyTimeout: cell.msgReplyTimeout,
        console: compileConsole(cell.console),
        memory: cell.memory.map(compileMemory),
        cache: cell.cache.map((c) => ({
            start: c.start,
            size: c.size,
            type: lookup(cacheTypes, c.type),
            padding: c.padding,
            flags: c.flags | (c.rootShared ? CACHE_ROOTSHARED : 0),
        })),
        irqchips: irqchipsOf(cell, path),
        pio: cell.pio.map((p) => ({ ...p })),
        pciDevices: cell.pciDevices.map((d) => ({
            type: lookup(pciDeviceTypes, d.type),
            iommu: d.iommu,
            domain: d.domain,
            bdf: d.bdf,
            barMask: d.barMask as [number, number, number, number, number, number],
            capsStart: d.capsStart,
            numCaps: d.numCaps,
            numMsiVectors: d.msiVectors,
            msiFlags: (d.msi64Bits ? 1 : 0) | (d.msiMaskable ? 2 : 0) | (d.msiReservedBits & ~3),
            numMsixVectors: d.msixVectors,
            msixRegionSize: d.msixRegionSize,
            msixAddress: d.msixAddress,
            shmemRegionsStart: d.shmemRegionsStart,
            shmemDevId: d.shmemDevId,
            shmemPeers: d.shmemPeers,
            shmemProtocol: d.shmemProtocol,
        })),
        pciCapabilities: cell.pciCapabilities.map((c) => ({ ...c })),
        streamIds: [...cell.streamIds],
    };
}

export function compileSystem(system: SystemConfig): SystemDesc {
    const gic = system.platform.gic;
    const x86 = system.platform.x86;
    const unusedIommu = { type: 0, base: 0n, size: 0, vendorData: "0".repeat(24) };
    return {
        architecture: architectures[system.architecture],
        flags: (system.systemFlags | (system.virtualDebugConsole ? SYS_VIRTUAL_DEBUG_CONSOLE : 0)) >>> 0,
        hypervisorMemory: {
            physStart: system.hypervisor.memory.phys,
            virtStart: system.hypervisor.memory.virt,
            size: system.hypervisor.memory.size,
            flags: system.hypervisor.memory.flags,
        },
        debugConsole: compileConsole(system.debugConsole),
        pciMmconfigBase: system.platform.pci.mmconfigBase,
        pciMmconfigEndBus: system.platform.pci.mmconfigEndBus,
        pciIsVirtual: system.platform.pci.isVirtual,
        pciDomain: system.platform.pci.domain,
        iommuUnits: Array.from({ length: MAX_IOMMU_UNITS }, (_, i) => {
            const unit = system.platform.iommus[i];
            return unit ? { type: lookup(iommuTypes, unit.type), base: unit.base, size: unit.size, vendorData: unit.vendorData } : unusedIommu;
        }),
        platform:
            system.architecture === "x86"
                ? {
                      kind: "x86",
                      pmTimerAddress: x86?.pmTimerAddress ?? 0,
                      apicMode: x86?.apicMode ?? 0,
                      padding: x86?.padding ?? 0,
                      vtdInterruptLimit: x86?.vtdInterruptLimit ?? 0,
                      tscKhz: x86?.tscKhz ?? 0,
                      apicKhz: x86?.apicKhz ?? 0,
                      unused: x86?.unused ?? "0".repeat(56),
                  }
                : {
                      kind: "arm",
                      maintenanceIrq: gic!.maintenanceIrq,
                      gicVersion: gic!.version,
                      padding: gic!.padding,
                      gicdBase: gic!.distributor,
                      giccBase: gic!.cpuInterface,
                      gichBase: gic!.hypervisorInterface,
                      gicvBase: gic!.virtualCpuInterface,
                      gicrBase: gic!.redistributor,
                  },
        rootCell: compileCell(system.rootCell, system.rootCell.signed, "rootCell"),
    };
}

// ------------------------------------------------------- and back to YAML

const hexOrZero = (v: bigint) => (v === 0n ? 0 : formatHex(v));

function architectureName(value: number): keyof typeof architectures {
    const name = nameOf(architectures, value) as keyof typeof architectures | undefined;
    if (!name) throw new CompileError("architecture", `unknown architecture ${value}`);
    return name;
}

function decompileConsole(c: ConsoleDesc): Record<string, unknown> | undefined {
    const type = nameOf(consoleTypes, c.type) ?? c.type;
    const flags = flagList(BigInt(c.flags), consoleFlags);
    const out: Record<string, unknown> = {
        type: type ?? "none",
        ...(c.address ? { address: formatHex(c.address) } : {}),
        ...(c.size ? { size: formatSize(BigInt(c.size)) } : {}),
        ...(flags.length ? { flags } : {}),
        ...(c.divider ? { divider: c.divider } : {}),
        ...(c.gateNr ? { gateNr: c.gateNr } : {}),
        ...(c.clockReg ? { clockReg: formatHex(c.clockReg) } : {}),
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

function decompileMemory(m: MemoryDesc, taken: Set<string>, name: string | null | undefined): Record<string, unknown> {
    const widthBits = Number((m.flags >> BigInt(MEM_IO_WIDTH_SHIFT)) & 0xfn);
    const width = Object.entries(ioWidths).find(([, code]) => code === widthBits)?.[0];
    const rest = width ? m.flags & ~(0xfn << BigInt(MEM_IO_WIDTH_SHIFT)) : m.flags;
    const comm = (m.flags & BigInt(memoryFlags["comm-region"])) !== 0n;
    return {
        ...(name === null ? {} : { name: name ?? regionLabel(m, taken) }),
        ...(comm && m.physStart === 0n ? {} : { phys: formatHex(m.physStart) }),
        ...(m.virtStart === m.physStart && !(comm && m.physStart === 0n) ? {} : { virt: formatHex(m.virtStart) }),
        size: formatSize(m.size),
        flags: flagList(rest, memoryFlags),
        ...(width ? { ioWidth: Number(width) } : {}),
    };
}

/**
 * `regionNames`: labels to use for the memory regions (the .cell format has
 * none); null leaves regions unnamed, undefined makes labels from the regions.
 */
export function decompileCell(cell: CellDesc, regionNames?: readonly (string | undefined)[] | null): CellConfigInput & Record<string, unknown> {
    const taken = new Set<string>();
    const out: Record<string, unknown> = {
        name: cell.name,
        architecture: architectureName(cell.architecture),
    };
    const flags = flagList(BigInt(cell.flags), cellFlags);
    if (flags.length) out.flags = flags;
    out.cpus = cell.cpus.length ? formatRanges(cell.cpus) : [];
    if (cell.cpuSetSize !== defaultCpuSetSize(cell.cpus)) out.cpuSetSize = cell.cpuSetSize;
    if (cell.memory.length) out.memory = cell.memory.map((m, i) => decompileMemory(m, taken, regionNames === null ? null : regionNames?.[i]));
    if (cell.irqchips.length) out.irqchips = cell.irqchips.map((chip) => decompileIrqchip(chip, cell.architecture === architectures.x86));
    if (cell.cache.length)
        out.cache = cell.cache.map((c) => {
            const type = nameOf(cacheTypes, c.type) ?? c.type;
            return {
                start: c.start,
                size: c.size,
                type,
                rootShared: (c.flags & CACHE_ROOTSHARED) !== 0,
                ...(c.padding ? { padding: c.padding } : {}),
                ...(c.flags & ~CACHE_ROOTSHARED ? { flags: c.flags & ~CACHE_ROOTSHARED } : {}),
            };
        });
    if (cell.pio.length) out.pio = cell.pio.map((p) => ({ base: formatHex(p.base), length: p.length }));
    if (cell.pciDevices.length)
        out.pciDevices = cell.pciDevices.map((d) => {
            const type = nameOf(pciDeviceTypes, d.type) ?? d.type;
            return {
                type,
                iommu: d.iommu,
                domain: d.domain,
                bdf: formatBdf(d.bdf),
                barMask: d.barMask.map((m) => formatHex(m)),
                capsStart: d.capsStart,
                numCaps: d.numCaps,
                msiVectors: d.numMsiVectors,
                msi64Bits: (d.msiFlags & 1) !== 0,
                msiMaskable: (d.msiFlags & 2) !== 0,
                ...(d.msiFlags & ~3 ? { msiReservedBits: d.msiFlags & ~3 } : {}),
                msixVectors: d.numMsixVectors,
                msixRegionSize: d.msixRegionSize,
                msixAddress: formatHex(d.msixAddress),
                shmemRegionsStart: d.shmemRegionsStart,
                shmemDevId: d.shmemDevId,
                shmemPeers: d.shmemPeers,
                shmemProtocol: d.shmemProtocol,
            };
        });
    if (cell.pciCapabilities.length) out.pciCapabilities = cell.pciCapabilities.map((c) => ({ ...c }));
    // Hex shows the fields packed into an id (MMU-500: mask in bits 16-30).
    if (cell.streamIds.length) out.streamIds = cell.streamIds.map((id) => formatHex(id));
    if (cell.vpciIrqBase) out.vpciIrqBase = cell.vpciIrqBase;
    if (cell.cpuResetAddress) out.cpuResetAddress = formatHex(cell.cpuResetAddress);
    if (cell.msgReplyTimeout) out.msgReplyTimeout = hexOrZero(cell.msgReplyTimeout);
    const console = decompileConsole(cell.console);
    if (console) out.console = console;
    if (cell.id) out.id = cell.id;
    return out as CellConfigInput & Record<string, unknown>;
}

export function decompileSystem(system: SystemDesc, regionNames?: readonly (string | undefined)[] | null): SystemConfigInput & Record<string, unknown> {
    const virtualDebugConsole = (system.flags & SYS_VIRTUAL_DEBUG_CONSOLE) !== 0;
    const hv = system.hypervisorMemory;
    const out: Record<string, unknown> = {
        architecture: architectureName(system.architecture),
        hypervisor: {
            memory: {
                phys: formatHex(hv.physStart),
                size: formatSize(hv.size),
                ...(hv.virtStart ? { virt: formatHex(hv.virtStart) } : {}),
                ...(hv.flags ? { flags: formatHex(hv.flags) } : {}),
            },
        },
    };
    const console = decompileConsole(system.debugConsole);
    if (console) out.debugConsole = console;
    if (virtualDebugConsole) out.virtualDebugConsole = true;
    const extraFlags = (system.flags & ~SYS_VIRTUAL_DEBUG_CONSOLE) >>> 0;
    if (extraFlags) out.systemFlags = extraFlags;
    const platform: Record<string, unknown> = {};
    if (system.pciMmconfigBase || system.pciMmconfigEndBus || system.pciIsVirtual || system.pciDomain)
        platform.pci = {
            mmconfigBase: hexOrZero(system.pciMmconfigBase),
            mmconfigEndBus: system.pciMmconfigEndBus,
            isVirtual: system.pciIsVirtual,
            domain: system.pciDomain,
        };
    let used = system.iommuUnits.length;
    while (used > 0 && system.iommuUnits[used - 1].type === 0 && !system.iommuUnits[used - 1].base && !system.iommuUnits[used - 1].size && /^0+$/.test(system.iommuUnits[used - 1].vendorData)) used--;
    if (used)
        platform.iommus = system.iommuUnits.slice(0, used).map((u) => {
            const type = nameOf(iommuTypes, u.type) ?? u.type;
            return { type, base: hexOrZero(u.base), size: formatHex(u.size), ...vendorFields(type, u.vendorData) };
        });
    const p = system.platform;
    if (p.kind === "arm")
        platform.gic = {
            version: p.gicVersion,
            maintenanceIrq: p.maintenanceIrq,
            distributor: formatHex(p.gicdBase),
            ...(p.gicrBase ? { redistributor: formatHex(p.gicrBase) } : {}),
            ...(p.giccBase ? { cpuInterface: formatHex(p.giccBase) } : {}),
            ...(p.gichBase ? { hypervisorInterface: formatHex(p.gichBase) } : {}),
            ...(p.gicvBase ? { virtualCpuInterface: formatHex(p.gicvBase) } : {}),
            ...(p.padding ? { padding: p.padding } : {}),
        };
    else {
        // Zero fields are the defaults; the driver fills tscKhz and apicKhz when 0.
        const { kind: _kind, unused, pmTimerAddress, ...x86 } = p;
        platform.x86 = Object.fromEntries(
            Object.entries({ pmTimerAddress: pmTimerAddress ? formatHex(pmTimerAddress) : 0, ...x86, unused: /^0+$/.test(unused) ? 0 : unused }).filter(([, value]) => value !== 0),
        );
    }
    out.platform = platform;
    const root = decompileCell(system.rootCell, regionNames);
    out.rootCell = system.rootCell.signed ? { ...root, signed: true } : root;
    return out as SystemConfigInput & Record<string, unknown>;
}
