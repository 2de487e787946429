// SPDX-License-Identifier: MIT
// Constants of the .cell format, revision 14. The C definition in
// hypervisor/include/jailhouse/cell-config.h is the reference; the ABI vector
// test compiles it and checks every value here against it.

export const CONFIG_REVISION = 14;
export const SYSTEM_SIGNATURE = "JHSYS";
export const CELL_SIGNATURE = "JHCLL";
/** Bytes of a cell name, as upstream's JAILHOUSE_CELL_NAME_MAXLEN; the field holds one more, the NUL. */
export const CELL_NAME_MAXLEN = 31;
/** Signature, architecture byte and revision open every system and cell header. */
export const HEADER_PREFIX_SIZE = 8;
export const SIGNATURE_LEN = 5;

export const architectures = { x86: 0, arm: 1, arm64: 2 } as const;
export type Architecture = keyof typeof architectures;

export const MAX_IOMMU_UNITS = 8;
/** u32 words of an irqchip's pin_bitmap: 128 interrupts from pin_base. */
export const IRQCHIP_BITMAP_WORDS = 4;
export const PCI_NUM_BARS = 6;
/** The vendor union of jailhouse_iommu (AMD or TI PVU fields). */
export const IOMMU_VENDOR_BYTES = 12;
/** What the x86 member of the platform union leaves unused next to the ARM member. */
export const X86_PLATFORM_UNUSED_BYTES = 28;
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
/** JAILHOUSE_MEM_IO_8..64: an access width in bits, coded as bytes at MEM_IO_WIDTH_SHIFT. */
export const memIoWidths: Readonly<Record<number, number>> = { 8: 1, 16: 2, 32: 4, 64: 8 };
/** C configs declare the CPU set as __u64 words, so its natural size is a multiple of 8 bytes. */
export const CPU_SET_WORD_BYTES = 8;

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
/** Bits of jailhouse_pci_device's MSI byte (msi_64bits:1, msi_maskable:1). */
export const PCI_MSI_64BITS = 0x1;
export const PCI_MSI_MASKABLE = 0x2;
/** The MSI flag bits with a meaning; the rest are kept as found. */
export const PCI_MSI_KNOWN = PCI_MSI_64BITS | PCI_MSI_MASKABLE;

export const iommuTypes = { unused: 0, amd: 1, intel: 2, smmuv3: 3, pvu: 4, "arm-mmu500": 5 } as const;

export const SYS_VIRTUAL_DEBUG_CONSOLE = 0x1;
