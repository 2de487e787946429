// SPDX-License-Identifier: MIT
// The .cell file as data, written once as field tables in the byte order of
// cell-config.h. The tables drive the encoder and decoder (codec.ts) and give
// the zod schemas, the types and the struct sizes; nothing is interpreted, so
// every byte of a file has a place and encode(decode(bytes)) gives the same
// bytes back. Friendly configs (schema.ts) compile to this.
import { z } from "zod";
import {
    CELL_NAME_MAXLEN,
    HEADER_PREFIX_SIZE,
    IOMMU_VENDOR_BYTES,
    IRQCHIP_BITMAP_WORDS,
    MAX_IOMMU_UNITS,
    PCI_NUM_BARS,
    X86_PLATFORM_UNUSED_BYTES,
} from "./abi";
import { type Field, fixedArray, rawBytes, struct, u8, u16, u32, u64 } from "./layout";
import { ConfigFormatError } from "./wire";

export const consoleDesc = struct({ address: u64, size: u32, type: u16, flags: u16, divider: u32, gateNr: u32, clockReg: u64 });
export const memoryDesc = struct({ physStart: u64, virtStart: u64, size: u64, flags: u64 });
export const cacheDesc = struct({ start: u32, size: u32, type: u8, padding: u8, flags: u16 });
export const irqchipDesc = struct({ address: u64, id: u32, pinBase: u32, pinBitmap: fixedArray(u32, IRQCHIP_BITMAP_WORDS) });
export const pioDesc = struct({ base: u16, length: u16 });
export const pciDeviceDesc = struct({
    type: u8,
    iommu: u8,
    domain: u16,
    bdf: u16,
    barMask: fixedArray(u32, PCI_NUM_BARS),
    capsStart: u16,
    numCaps: u16,
    numMsiVectors: u8,
    /** PCI_MSI_64BITS and PCI_MSI_MASKABLE; the other bits are kept as found. */
    msiFlags: u8,
    numMsixVectors: u16,
    msixRegionSize: u16,
    msixAddress: u64,
    shmemRegionsStart: u32,
    shmemDevId: u8,
    shmemPeers: u8,
    shmemProtocol: u16,
});
export const pciCapabilityDesc = struct({ id: u16, start: u16, len: u16, flags: u16 });
export const iommuDesc = struct({ type: u32, base: u64, size: u32, vendorData: rawBytes(IOMMU_VENDOR_BYTES) });

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The NUL-terminated name of a cell header, checked both ways. */
export const cellName: Field<z.ZodString> = {
    size: CELL_NAME_MAXLEN + 1,
    schema: z.string(),
    write(w, name) {
        const encoded = Buffer.from(name, "utf8");
        if (encoded.length > CELL_NAME_MAXLEN || encoded.includes(0))
            throw new ConfigFormatError(`cell name ${JSON.stringify(name)} must be 1 to ${CELL_NAME_MAXLEN} bytes without NUL`);
        const field = new Uint8Array(CELL_NAME_MAXLEN + 1);
        field.set(encoded);
        w.raw(field);
    },
    read(r) {
        const at = r.offset;
        const field = r.raw(CELL_NAME_MAXLEN + 1);
        const end = field.indexOf(0);
        if (end < 0) throw new ConfigFormatError(`cell name is not NUL-terminated within its ${CELL_NAME_MAXLEN + 1} bytes`, at);
        if (end === 0) throw new ConfigFormatError("cell name is empty", at);
        if (field.subarray(end).some((b) => b !== 0))
            throw new ConfigFormatError("cell name field has non-zero bytes after its terminating NUL", at + end);
        try {
            return utf8.decode(field.subarray(0, end));
        } catch {
            throw new ConfigFormatError("cell name is not valid UTF-8", at);
        }
    },
};

/** jailhouse_cell_desc after its prefix, up to cpu_set_size. */
export const cellIdentity = struct({ name: cellName, id: u32, flags: u32, cpuSetSize: u32 });

/**
 * The sections after the CPU set, in file order. The header holds their
 * counts in this order right after cpu_set_size; `what` names them in errors.
 */
export const cellSections = {
    memory: { entry: memoryDesc, what: "memory regions" },
    cache: { entry: cacheDesc, what: "cache regions" },
    irqchips: { entry: irqchipDesc, what: "irqchips" },
    pio: { entry: pioDesc, what: "PIO regions" },
    pciDevices: { entry: pciDeviceDesc, what: "PCI devices" },
    pciCapabilities: { entry: pciCapabilityDesc, what: "PCI capabilities" },
    streamIds: { entry: u32, what: "stream IDs" },
} as const;
export type CellSection = keyof typeof cellSections;
export const cellSectionKeys = Object.keys(cellSections) as CellSection[];

/** jailhouse_cell_desc after the section counts. */
export const cellTail = struct({ vpciIrqBase: u32, cpuResetAddress: u64, msgReplyTimeout: u64, console: consoleDesc });

/** Bytes of jailhouse_cell_desc: prefix, identity, one count per section, tail. */
export const CELL_DESC_SIZE = HEADER_PREFIX_SIZE + cellIdentity.size + u32.size * cellSectionKeys.length + cellTail.size;

/** jailhouse_system after its prefix, up to the platform union. */
export const systemHead = struct({
    flags: u32,
    hypervisorMemory: memoryDesc,
    debugConsole: consoleDesc,
    pciMmconfigBase: u64,
    pciMmconfigEndBus: u8,
    pciIsVirtual: u8,
    pciDomain: u16,
    iommuUnits: fixedArray(iommuDesc, MAX_IOMMU_UNITS),
});

export const armPlatform = struct({
    maintenanceIrq: u8,
    gicVersion: u8,
    padding: u16,
    gicdBase: u64,
    giccBase: u64,
    gichBase: u64,
    gicvBase: u64,
    gicrBase: u64,
});

export const x86Platform = struct({
    pmTimerAddress: u16,
    apicMode: u8,
    padding: u8,
    vtdInterruptLimit: u32,
    tscKhz: u32,
    apicKhz: u32,
    unused: rawBytes(X86_PLATFORM_UNUSED_BYTES),
});

/** Bytes of jailhouse_system, root cell header included. */
export const SYSTEM_SIZE = HEADER_PREFIX_SIZE + systemHead.size + Math.max(armPlatform.size, x86Platform.size) + CELL_DESC_SIZE;

/** Struct sizes as the C compiler sees them; the ABI test checks each against sizeof. */
export const sizes = {
    cellDesc: CELL_DESC_SIZE,
    system: SYSTEM_SIZE,
    memory: memoryDesc.size,
    cache: cacheDesc.size,
    irqchip: irqchipDesc.size,
    pio: pioDesc.size,
    pciDevice: pciDeviceDesc.size,
    pciCapability: pciCapabilityDesc.size,
    streamId: u32.size,
    iommu: iommuDesc.size,
    console: consoleDesc.size,
    armPlatform: armPlatform.size,
    x86Platform: x86Platform.size,
} as const;

type SectionShape = { [K in CellSection]: z.ZodArray<(typeof cellSections)[K]["entry"]["schema"]> };
const sectionShape = Object.fromEntries(cellSectionKeys.map((key) => [key, z.array(cellSections[key].entry.schema)])) as SectionShape;

export const ConsoleDescSchema = consoleDesc.schema;
export const MemoryDescSchema = memoryDesc.schema;
export const CacheDescSchema = cacheDesc.schema;
export const IrqchipDescSchema = irqchipDesc.schema;
export const PioDescSchema = pioDesc.schema;
export const PciDeviceDescSchema = pciDeviceDesc.schema;
export const PciCapabilityDescSchema = pciCapabilityDesc.schema;
export const IommuDescSchema = iommuDesc.schema;

export const CellDescSchema = z.strictObject({
    /** Standalone cells carry "JHCLL"; a root cell inside a system config
     * may leave signature, architecture and revision zero, as Jailhouse's
     * own system configs do. */
    signed: z.boolean(),
    architecture: u8.schema,
    ...cellIdentity.schema.shape,
    ...cellTail.schema.shape,
    /** The CPU bitmap as CPU numbers; its size in bytes (cpuSetSize) need not be the minimum. */
    cpus: z.array(z.number().int().min(0)),
    ...sectionShape,
});

export const ArmPlatformDescSchema = armPlatform.schema.extend({ kind: z.literal("arm") });
export const X86PlatformDescSchema = x86Platform.schema.extend({ kind: z.literal("x86") });

export const SystemDescSchema = z.strictObject({
    architecture: u8.schema,
    ...systemHead.schema.shape,
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
