// SPDX-License-Identifier: MIT
// Friendly configs (schema.ts) to the .cell data model (binary.ts). The way
// back is decompile.ts.
import {
    architectures,
    CACHE_ROOTSHARED,
    cacheTypes,
    cellFlags,
    consoleFlags,
    consoleTypes,
    CPU_SET_WORD_BYTES,
    IOMMU_VENDOR_BYTES,
    iommuTypes,
    MAX_IOMMU_UNITS,
    MEM_IO_WIDTH_SHIFT,
    memIoWidths,
    memoryFlags,
    PCI_MSI_64BITS,
    PCI_MSI_KNOWN,
    PCI_MSI_MASKABLE,
    pciDeviceTypes,
    SYS_VIRTUAL_DEBUG_CONSOLE,
    X86_PLATFORM_UNUSED_BYTES,
} from "./abi";
import type { CellDesc, ConsoleDesc, MemoryDesc, SystemDesc } from "./binary";
import { encodeFlags, numberOf } from "./flags";
import { compileIrqchips, IrqchipError } from "./irqchips";
import { zeroHex } from "./layout";
import type { CellConfig, Console, MemoryRegion, SystemConfig } from "./schema";

export class CompileError extends Error {
    constructor(
        readonly path: string,
        message: string,
    ) {
        super(`${path}: ${message}`);
        this.name = "CompileError";
    }
}

export function compileMemory(region: MemoryRegion): MemoryDesc {
    let flags = encodeFlags(region.flags, memoryFlags);
    if (region.ioWidth) flags |= BigInt(memIoWidths[region.ioWidth]) << BigInt(MEM_IO_WIDTH_SHIFT);
    return { physStart: region.phys, virtStart: region.virt, size: region.size, flags };
}

function compileConsole(console: Console): ConsoleDesc {
    return {
        address: console.address,
        size: Number(console.size & 0xffffffffn),
        type: numberOf(consoleTypes, console.type),
        flags: Number(encodeFlags(console.flags, consoleFlags)),
        divider: console.divider,
        gateNr: console.gateNr,
        clockReg: console.clockReg,
    };
}

export function defaultCpuSetSize(cpus: readonly number[]): number {
    const highest = cpus.length ? Math.max(...cpus) : 0;
    const wordBits = CPU_SET_WORD_BYTES * 8;
    return Math.floor(highest / wordBits + 1) * CPU_SET_WORD_BYTES;
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
        throw new CompileError(
            `${path}.cpuSetSize`,
            `${cpuSetSize} bytes cannot hold CPU ${tooHigh}; use ${defaultCpuSetSize(cell.cpus)} or leave it out`,
        );
    return {
        signed,
        architecture: architectures[cell.architecture],
        name: cell.name,
        id: cell.id,
        flags: Number(encodeFlags(cell.flags, cellFlags)),
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
            type: numberOf(cacheTypes, c.type),
            padding: c.padding,
            flags: c.flags | (c.rootShared ? CACHE_ROOTSHARED : 0),
        })),
        irqchips: irqchipsOf(cell, path),
        pio: cell.pio.map((p) => ({ ...p })),
        pciDevices: cell.pciDevices.map((d) => ({
            type: numberOf(pciDeviceTypes, d.type),
            iommu: d.iommu,
            domain: d.domain,
            bdf: d.bdf,
            barMask: [...d.barMask],
            capsStart: d.capsStart,
            numCaps: d.numCaps,
            numMsiVectors: d.msiVectors,
            msiFlags: (d.msi64Bits ? PCI_MSI_64BITS : 0) | (d.msiMaskable ? PCI_MSI_MASKABLE : 0) | (d.msiReservedBits & ~PCI_MSI_KNOWN),
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
    const unusedIommu = { type: iommuTypes.unused, base: 0n, size: 0, vendorData: zeroHex(IOMMU_VENDOR_BYTES) };
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
            return unit
                ? { type: numberOf(iommuTypes, unit.type), base: unit.base, size: unit.size, vendorData: unit.vendorData }
                : unusedIommu;
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
                      unused: x86?.unused ?? zeroHex(X86_PLATFORM_UNUSED_BYTES),
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
