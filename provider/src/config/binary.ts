// SPDX-License-Identifier: MIT
// The .cell file as data: one field per field of the C structs, nothing
// interpreted, so every byte of a file has a place and encode(decode(bytes))
// gives the same bytes back. Friendly configs (schema.ts) compile to this.
import { z } from "zod";

const uint = (bits: 8 | 16 | 32) =>
    z
        .number()
        .int()
        .min(0)
        .max(2 ** bits - 1);
export const u8 = uint(8);
export const u16 = uint(16);
export const u32 = uint(32);
export const u64 = z
    .bigint()
    .min(0n)
    .max((1n << 64n) - 1n);

export const ConsoleDescSchema = z.strictObject({
    address: u64,
    size: u32,
    type: u16,
    flags: u16,
    divider: u32,
    gateNr: u32,
    clockReg: u64,
});

export const MemoryDescSchema = z.strictObject({
    physStart: u64,
    virtStart: u64,
    size: u64,
    flags: u64,
});

export const CacheDescSchema = z.strictObject({
    start: u32,
    size: u32,
    type: u8,
    padding: u8,
    flags: u16,
});

export const IrqchipDescSchema = z.strictObject({
    address: u64,
    id: u32,
    pinBase: u32,
    pinBitmap: z.tuple([u32, u32, u32, u32]),
});

export const PioDescSchema = z.strictObject({ base: u16, length: u16 });

export const PciDeviceDescSchema = z.strictObject({
    type: u8,
    iommu: u8,
    domain: u16,
    bdf: u16,
    barMask: z.tuple([u32, u32, u32, u32, u32, u32]),
    capsStart: u16,
    numCaps: u16,
    numMsiVectors: u8,
    /** Bit 0 msi_64bits, bit 1 msi_maskable; the other bits are kept as found. */
    msiFlags: u8,
    numMsixVectors: u16,
    msixRegionSize: u16,
    msixAddress: u64,
    shmemRegionsStart: u32,
    shmemDevId: u8,
    shmemPeers: u8,
    shmemProtocol: u16,
});

export const PciCapabilityDescSchema = z.strictObject({ id: u16, start: u16, len: u16, flags: u16 });

export const IommuDescSchema = z.strictObject({
    type: u32,
    base: u64,
    size: u32,
    /** The 12-byte vendor union (AMD or TI PVU fields), as hex. */
    vendorData: z.string().regex(/^[0-9a-f]{24}$/),
});

export const CellDescSchema = z.strictObject({
    /** Standalone cells carry "JHCLL"; a root cell inside a system config
     * may leave signature, architecture and revision zero, as Jailhouse's
     * own system configs do. */
    signed: z.boolean(),
    architecture: u8,
    name: z.string(),
    id: u32,
    flags: u32,
    /** Bytes of the CPU bitmap, which need not be the minimum. */
    cpuSetSize: u32,
    cpus: z.array(z.number().int().min(0)),
    vpciIrqBase: u32,
    cpuResetAddress: u64,
    msgReplyTimeout: u64,
    console: ConsoleDescSchema,
    memory: z.array(MemoryDescSchema),
    cache: z.array(CacheDescSchema),
    irqchips: z.array(IrqchipDescSchema),
    pio: z.array(PioDescSchema),
    pciDevices: z.array(PciDeviceDescSchema),
    pciCapabilities: z.array(PciCapabilityDescSchema),
    streamIds: z.array(u32),
});

export const ArmPlatformDescSchema = z.strictObject({
    kind: z.literal("arm"),
    maintenanceIrq: u8,
    gicVersion: u8,
    padding: u16,
    gicdBase: u64,
    giccBase: u64,
    gichBase: u64,
    gicvBase: u64,
    gicrBase: u64,
});

export const X86PlatformDescSchema = z.strictObject({
    kind: z.literal("x86"),
    pmTimerAddress: u16,
    apicMode: u8,
    padding: u8,
    vtdInterruptLimit: u32,
    tscKhz: u32,
    apicKhz: u32,
    /** The 28 bytes the x86 variant leaves unused, as hex. */
    unused: z.string().regex(/^[0-9a-f]{56}$/),
});

export const SystemDescSchema = z.strictObject({
    architecture: u8,
    flags: u32,
    hypervisorMemory: MemoryDescSchema,
    debugConsole: ConsoleDescSchema,
    pciMmconfigBase: u64,
    pciMmconfigEndBus: u8,
    pciIsVirtual: u8,
    pciDomain: u16,
    iommuUnits: z.array(IommuDescSchema).length(8),
    platform: z.discriminatedUnion("kind", [ArmPlatformDescSchema, X86PlatformDescSchema]),
    rootCell: CellDescSchema,
});

export type ConsoleDesc = z.infer<typeof ConsoleDescSchema>;
export type MemoryDesc = z.infer<typeof MemoryDescSchema>;
export type CacheDesc = z.infer<typeof CacheDescSchema>;
export type IrqchipDesc = z.infer<typeof IrqchipDescSchema>;
export type PioDesc = z.infer<typeof PioDescSchema>;
export type PciDeviceDesc = z.infer<typeof PciDeviceDescSchema>;
export type PciCapabilityDesc = z.infer<typeof PciCapabilityDescSchema>;
export type IommuDesc = z.infer<typeof IommuDescSchema>;
export type CellDesc = z.infer<typeof CellDescSchema>;
export type SystemDesc = z.infer<typeof SystemDescSchema>;

export type BinaryConfig = { kind: "system"; system: SystemDesc } | { kind: "cell"; cell: CellDesc };
