// SPDX-License-Identifier: MIT
// Constants of the .cell format, revision 14. The C definition in
// hypervisor/include/jailhouse/cell-config.h is the reference; the ABI vector
// test compiles it and checks every value here against it.

export const CONFIG_REVISION = 14;
export const SYSTEM_SIGNATURE = "JHSYS";
export const CELL_SIGNATURE = "JHCLL";
export const CELL_NAME_LEN = 32;
export const CELL_NAME_MAXLEN = CELL_NAME_LEN - 1;

export const architectures = { x86: 0, arm: 1, arm64: 2 } as const;
export type Architecture = keyof typeof architectures;

export const sizes = {
    cellDesc: 132,
    system: 488,
    memory: 32,
    cache: 12,
    irqchip: 32,
    pio: 4,
    pciDevice: 56,
    pciCapability: 8,
    streamId: 4,
    iommu: 28,
    console: 32,
} as const;

export const MAX_IOMMU_UNITS = 8;
export const PAGE_SIZE = 0x1000n;

export const cellFlags = {
    "passive-comm-region": 0x1,
    "test-device": 0x2,
    aarch32: 0x4,
    "virtual-console-permitted": 0x40000000,
    "virtual-console-active": 0x80000000,
} as const;

export const memoryFlags = {
    read: 0x1,
    write: 0x2,
    execute: 0x4,
    dma: 0x8,
    io: 0x10,
    "comm-region": 0x20,
    loadable: 0x40,
    rootshared: 0x80,
    "no-hugepages": 0x100,
    "io-unaligned": 0x8000,
} as const;
export const MEM_IO_WIDTH_SHIFT = 16;
export const MEM_IO_WIDTH_MASK = 0xf << MEM_IO_WIDTH_SHIFT;

export const consoleTypes = {
    none: 0,
    efifb: 1,
    "8250": 2,
    pl011: 3,
    xuartps: 4,
    mvebu: 5,
    hscif: 6,
    scifa: 7,
    imx: 8,
    "imx-lpuart": 9,
    scif: 10,
} as const;

export const consoleFlags = {
    mmio: 0x1,
    "regdist-4": 0x2,
    "fb-1920x1080": 0x4,
    "inverted-gate": 0x1000,
    "mdr-quirk": 0x2000,
} as const;

export const cacheTypes = { "l3-code": 1, "l3-data": 2, l3: 3 } as const;
export const CACHE_ROOTSHARED = 0x1;

export const pciDeviceTypes = { device: 1, bridge: 2, ivshmem: 3 } as const;
export const PCI_EXT_CAP = 0x8000;
export const PCICAPS_WRITE = 0x1;

export const iommuTypes = { unused: 0, amd: 1, intel: 2, smmuv3: 3, pvu: 4, "arm-mmu500": 5 } as const;

export const SYS_VIRTUAL_DEBUG_CONSOLE = 0x1;

/** Named bits of a flag word, or undefined when bits outside `known` are set. */
export function flagNames<T extends Record<string, number>>(word: number, known: T): (keyof T & string)[] | undefined {
    const names: (keyof T & string)[] = [];
    let rest = word >>> 0;
    for (const [name, bit] of Object.entries(known)) {
        if ((rest & bit) >>> 0 === bit >>> 0) {
            names.push(name as keyof T & string);
            rest = (rest & ~bit) >>> 0;
        }
    }
    return rest === 0 ? names : undefined;
}
