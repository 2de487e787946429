// SPDX-License-Identifier: MIT
// The partition configs people write, in YAML or TypeScript. These zod
// schemas are the single source of the config types: `SystemConfigInput` /
// `CellConfigInput` are what a user may write, `SystemConfig` / `CellConfig`
// the normalised form (bigint addresses, sorted CPU lists, named flags) that
// validation, diffing and the compiler to .cell work on.
import { z } from "zod";
import {
    architectures,
    CELL_NAME_MAXLEN,
    cacheTypes,
    cellFlags,
    consoleFlags,
    consoleTypes,
    IOMMU_VENDOR_BYTES,
    iommuTypes,
    MAX_IOMMU_UNITS,
    memoryFlags,
    pciDeviceTypes,
    X86_PLATFORM_UNUSED_BYTES,
} from "./abi";
import { iommuDesc, x86Platform } from "./binary";
import { amdVendorData, pvuVendorData } from "./iommus";
import { zeroHex } from "./layout";
import { onTimeoutActions } from "./shutdown";

export { Address, CpuList, Size } from "./schema-fields";
import { Address, CpuList, flagListSchema, namedOrRaw, PinList, Size, SpiList, U8, U16, U32, U64 } from "./schema-fields";

const ArchitectureName = z
    .enum(Object.keys(architectures) as [keyof typeof architectures, ...(keyof typeof architectures)[]])
    .default("arm64");

export const ConsoleSchema = z
    .strictObject({
        type: namedOrRaw(consoleTypes, 16).default("none"),
        address: Address.default(0n),
        size: Size.default(0n),
        flags: flagListSchema(consoleFlags, "console"),
        divider: U32.default(0),
        gateNr: U32.default(0),
        clockReg: U64.default(0n),
    })
    .describe("A UART or framebuffer console. flags: mmio (else port I/O), regdist-4 (else 1-byte register distance).");

const defaultConsole = () => ConsoleSchema.parse({});

/** One past the last byte a 64-bit address can name. */
const addressSpaceEnd = 1n << 64n;

export const MemoryRegionSchema = z
    .strictObject({
        name: z.string().min(1).optional().describe("A label for diffs and messages; not stored in .cell files."),
        phys: Address.optional().describe("Physical start. Omit only for a comm region."),
        virt: Address.optional().describe("Start in the cell's address space; defaults to phys."),
        size: Size,
        flags: flagListSchema(memoryFlags, "memory"),
        ioWidth: U8.refine((v) => [8, 16, 32, 64].includes(v), { message: "ioWidth must be 8, 16, 32 or 64" })
            .optional()
            .describe("Access width in bits for a sub-page I/O region."),
    })
    .superRefine((region, ctx) => {
        if (region.phys === undefined && !region.flags.includes("comm-region"))
            ctx.addIssue({
                code: "custom",
                path: ["phys"],
                message: "missing: give the region's physical start address (only a comm-region may omit it)",
            });
        // The hypervisor refuses such a region (its end wraps to a small
        // address and would slip past every range check); say so here first.
        for (const field of ["phys", "virt"] as const) {
            const start = field === "virt" ? (region.virt ?? region.phys) : region.phys;
            if (start === undefined || start + region.size <= addressSpaceEnd) continue;
            ctx.addIssue({
                code: "custom",
                path: [region.virt === undefined && field === "virt" ? "phys" : field],
                message:
                    `${field} 0x${start.toString(16)} + size 0x${region.size.toString(16)} ends at 0x${(start + region.size).toString(16)}, ` +
                    "past the 64-bit address space (2^64); lower the start or the size so the region ends at or below 2^64",
            });
            if (region.virt === undefined) break;
        }
    })
    .transform((region) => ({
        ...region,
        phys: region.phys ?? 0n,
        virt: region.virt ?? region.phys ?? 0n,
    }));

export const IrqchipSchema = z
    .strictObject({
        address: Address.describe("The interrupt controller's base: the GIC distributor on ARM, the IOAPIC on x86."),
        spis: SpiList.optional().describe("ARM: the SPIs owned (GIC INTID minus 32)."),
        pins: PinList.optional().describe(
            "x86: the IOAPIC pins owned. ARM: interrupts by bit, counted from pinBase, for a layout that SPIs cannot say.",
        ),
        pinBase: U32.optional().describe("ARM: INTID of the first bit (a multiple of 32 with spis); chosen automatically when omitted."),
        gsiBase: U32.optional().describe("x86: the first GSI of the IOAPIC (the pin_base field of .cell files)."),
        id: U32.default(0).describe("x86: the IOAPIC's source id (its PCI requester id, for interrupt remapping)."),
    })
    .superRefine((chip, ctx) => {
        if ((chip.spis === undefined) === (chip.pins === undefined))
            ctx.addIssue({
                code: "custom",
                message: "give either spis (ARM: SPI numbers) or pins (x86: IOAPIC pins), exactly one of them",
            });
        if (chip.gsiBase !== undefined && (chip.spis !== undefined || chip.pinBase !== undefined))
            ctx.addIssue({
                code: "custom",
                path: ["gsiBase"],
                message: "gsiBase belongs to an x86 IOAPIC with pins; an ARM chip takes pinBase",
            });
    })
    .describe("Interrupts owned by the cell: SPI numbers on ARM, IOAPIC pins on x86.");

export const CacheRegionSchema = z.strictObject({
    start: U32,
    size: U32,
    type: namedOrRaw(cacheTypes, 8).default("l3"),
    rootShared: z.boolean().default(false),
    padding: U8.default(0),
    flags: U16.default(0).describe("Flag bits besides rootShared."),
});

export const PioRegionSchema = z.strictObject({ base: U16, length: U16 });

export const PciDeviceSchema = z.strictObject({
    type: namedOrRaw(pciDeviceTypes, 8),
    iommu: U8.default(0),
    domain: U16.default(0),
    bdf: z.union([z.number(), z.string()]).transform((value, ctx) => {
        if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
        const m = typeof value === "string" ? /^([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i.exec(value) : null;
        if (m) {
            const [bus, dev, fn] = [parseInt(m[1], 16), parseInt(m[2], 16), Number(m[3])];
            if (dev < 32) return (bus << 8) | (dev << 3) | fn;
        }
        ctx.addIssue({
            code: "custom",
            message: `PCI address ${JSON.stringify(value)} is not understood; write "bus:device.function" in hex, e.g. "00:01.0"`,
            input: value,
        });
        return z.NEVER;
    }),
    barMask: z.array(U32).length(6).default([0, 0, 0, 0, 0, 0]),
    capsStart: U16.default(0),
    numCaps: U16.default(0),
    msiVectors: U8.default(0),
    msi64Bits: z.boolean().default(false),
    msiMaskable: z.boolean().default(false),
    msiReservedBits: U8.default(0).describe("Bits 2-7 of the MSI flag byte, kept as found."),
    msixVectors: U16.default(0),
    msixRegionSize: U16.default(0),
    msixAddress: U64.default(0n),
    shmemRegionsStart: U32.default(0),
    shmemDevId: U8.default(0),
    shmemPeers: U8.default(0),
    shmemProtocol: U16.default(0),
});

export const PciCapabilitySchema = z.strictObject({ id: U16, start: U16, len: U16, flags: U16.default(0) });

export const ShutdownSchema = z
    .strictObject({
        timeoutMs: U32.optional().describe(
            "Milliseconds the hypervisor waits for the cell's answer to a shutdown request (and to the notice that another cell came or went); stored as msgReplyTimeout, so give only one of the two. 0 waits for ever.",
        ),
        onTimeout: z
            .enum(onTimeoutActions)
            .optional()
            .describe(
                'What the provider does when the cell did not answer in time and the hypervisor marked it failed: "fail" (default) fails the resource and leaves the failed cell on the host for a person to look at; "force" destroys it and goes on. Not stored in the .cell.',
            ),
    })
    .describe("How the cell is asked before it is stopped, and what happens when it does not answer.");

export const CellConfigSchema = z
    .strictObject({
        name: z
            .string()
            .min(1, "missing: give the cell a name")
            .superRefine((name, ctx) => {
                const bytes = Buffer.byteLength(name, "utf8");
                if (bytes > CELL_NAME_MAXLEN)
                    ctx.addIssue({
                        code: "custom",
                        message: `cell name "${name}" is ${bytes} bytes; the limit is ${CELL_NAME_MAXLEN}: shorten it`,
                    });
                if (name.includes("\0")) ctx.addIssue({ code: "custom", message: "cell name must not contain NUL" });
            }),
        architecture: ArchitectureName.describe("Instruction set of the cell (the architecture byte of the .cell file)."),
        flags: flagListSchema(cellFlags, "cell"),
        cpus: CpuList,
        cpuSetSize: U32.optional().describe("Bytes of the CPU bitmap; the smallest multiple of 8 that fits when omitted."),
        memory: z.array(MemoryRegionSchema).default([]).describe("Memory and device regions the cell may access."),
        cache: z.array(CacheRegionSchema).default([]),
        irqchips: z.array(IrqchipSchema).default([]).describe("Interrupts owned by the cell, as SPI numbers per interrupt controller."),
        pio: z.array(PioRegionSchema).default([]),
        pciDevices: z.array(PciDeviceSchema).default([]),
        pciCapabilities: z.array(PciCapabilitySchema).default([]),
        streamIds: z.array(U32).default([]),
        vpciIrqBase: U32.default(0),
        cpuResetAddress: Address.default(0n),
        msgReplyTimeout: U64.default(0n).describe(
            "Milliseconds the hypervisor waits for the cell's answer to a shutdown request before it stops the cell and marks it failed; 0 waits for ever. Unused with passive-comm-region.",
        ),
        console: ConsoleSchema.default(defaultConsole).describe(
            "The console the cell's inmate should use, handed over in the comm region.",
        ),
        shutdown: ShutdownSchema.optional(),
        id: U32.default(0).describe("Assigned by the driver at creation; leave it out."),
    })
    .describe("A cell: the CPUs, memory, interrupts and devices split off the root.");

export const RootCellSchema = CellConfigSchema.extend({
    signed: z.boolean().default(false).describe('Write "JHCLL" and the revision into the root cell header (Jailhouse leaves them zero).'),
});

const IommuSchema = z
    .strictObject({
        type: namedOrRaw(iommuTypes, 32),
        base: Address.default(0n),
        size: U32.default(0),
        amd: z
            .strictObject({ bdf: U16, baseCap: U8, msiCap: U8, features: U32 })
            .optional()
            .describe("AMD IOMMU: its PCI function (bdf), the offsets of its IOMMU and MSI capabilities, and its feature bits."),
        pvu: z.strictObject({ tlbBase: U64, tlbSize: U32 }).optional().describe("TI PVU: the window of its TLB memory."),
        vendorData: iommuDesc.fields.vendorData.schema
            .optional()
            .describe(`The ${IOMMU_VENDOR_BYTES} vendor-specific bytes as hex, for a layout amd and pvu cannot say.`),
    })
    .superRefine((unit, ctx) => {
        const given = (["amd", "pvu", "vendorData"] as const).filter((key) => unit[key] !== undefined);
        if (given.length > 1)
            ctx.addIssue({
                code: "custom",
                message: `give only one of ${given.join(", ")}: they fill the same ${IOMMU_VENDOR_BYTES} bytes`,
            });
        for (const key of ["amd", "pvu"] as const)
            if (unit[key] !== undefined && unit.type !== key)
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: `${key} fields belong to a unit of type ${key}, not ${String(unit.type)}`,
                });
    })
    .transform(({ amd, pvu, vendorData, ...unit }) => ({
        ...unit,
        vendorData: amd ? amdVendorData(amd) : pvu ? pvuVendorData(pvu) : (vendorData ?? zeroHex(IOMMU_VENDOR_BYTES)),
    }));

export const GicSchema = z.strictObject({
    version: U8.refine((v) => v === 2 || v === 3, { message: "GIC version must be 2 or 3" }),
    maintenanceIrq: U8.describe("INTID of the maintenance interrupt (a PPI, 25 on most boards)."),
    distributor: Address,
    redistributor: Address.default(0n).describe("GICv3 only."),
    cpuInterface: Address.default(0n).describe("GICv2 only."),
    hypervisorInterface: Address.default(0n).describe("GICv2 only."),
    virtualCpuInterface: Address.default(0n).describe("GICv2 only."),
    padding: U16.default(0),
});

export const X86PlatformSchema = z.strictObject({
    pmTimerAddress: U16.default(0),
    apicMode: U8.default(0),
    padding: U8.default(0),
    vtdInterruptLimit: U32.default(0),
    tscKhz: U32.default(0),
    apicKhz: U32.default(0),
    unused: x86Platform.fields.unused.schema.default(zeroHex(X86_PLATFORM_UNUSED_BYTES)),
});

export const SystemConfigSchema = z
    .strictObject({
        architecture: ArchitectureName,
        hypervisor: z
            .strictObject({
                memory: z
                    .strictObject({
                        // Only phys and size are used; the rest is kept for exact round trips.
                        phys: Address,
                        size: Size,
                        virt: Address.default(0n),
                        flags: U64.default(0n),
                    })
                    .describe("Memory reserved for the hypervisor, kept out of Linux (mem= or reserved-memory)."),
            })
            .describe("The hypervisor's own resources."),
        debugConsole: ConsoleSchema.default(defaultConsole),
        virtualDebugConsole: z.boolean().default(false).describe("Let the root read the hypervisor console."),
        systemFlags: U32.default(0).describe("Flag bits besides virtualDebugConsole."),
        platform: z
            .strictObject({
                pci: z
                    .strictObject({
                        mmconfigBase: Address.default(0n),
                        mmconfigEndBus: U8.default(0),
                        isVirtual: U8.default(0),
                        domain: U16.default(0),
                    })
                    .default({ mmconfigBase: 0n, mmconfigEndBus: 0, isVirtual: 0, domain: 0 }),
                iommus: z.array(IommuSchema).max(MAX_IOMMU_UNITS).default([]),
                gic: GicSchema.optional().describe("The GIC of an ARM host: required for arm and arm64."),
                x86: X86PlatformSchema.optional(),
            })
            .superRefine((platform, ctx) => {
                if (platform.gic && platform.x86) ctx.addIssue({ code: "custom", message: "give either gic (ARM) or x86, not both" });
            }),
        rootCell: RootCellSchema.describe("The root cell: Linux, with every CPU, region and interrupt it starts with."),
    })
    .superRefine((system, ctx) => {
        const arm = system.architecture !== "x86";
        if (arm && !system.platform.gic)
            ctx.addIssue({
                code: "custom",
                path: ["platform", "gic"],
                message: "missing: an ARM system needs its GIC (version, maintenanceIrq, distributor, redistributor)",
            });
        if (!arm && system.platform.gic)
            ctx.addIssue({ code: "custom", path: ["platform", "gic"], message: "an x86 system has no GIC; use platform.x86" });
    })
    .describe("A host: hypervisor memory, debug console, platform and the root cell.");

export type CellConfigInput = z.input<typeof CellConfigSchema>;
export type CellConfig = z.output<typeof CellConfigSchema>;
export type RootCellConfig = z.output<typeof RootCellSchema>;
export type SystemConfigInput = z.input<typeof SystemConfigSchema>;
export type SystemConfig = z.output<typeof SystemConfigSchema>;
export type MemoryRegion = z.output<typeof MemoryRegionSchema>;
export type Irqchip = z.output<typeof IrqchipSchema>;
export type Console = z.output<typeof ConsoleSchema>;
