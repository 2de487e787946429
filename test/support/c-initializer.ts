// SPDX-License-Identifier: MIT
// A loaded config as a C initialiser written against
// hypervisor/include/jailhouse/cell-config.h, the way Jailhouse's .c configs
// are written: one packed struct of the header and the section arrays, every
// value set by C member name, constants by their C names. gcc and the header
// decide where each value goes, so comparing the compiled bytes with the
// TypeScript encoder's checks binary.ts's layout against C. To keep that check
// honest, nothing here knows an offset or a size: only member names and values.
import * as fs from "node:fs";
import {
    architectures,
    type CellDesc,
    cacheTypes,
    cellFlags,
    compileCell,
    compileSystem,
    consoleFlags,
    consoleTypes,
    iommuTypes,
    type LoadedConfig,
    parseYaml,
    MEM_IO_WIDTH_MASK,
    MEM_IO_WIDTH_SHIFT,
    memIoWidths,
    memoryFlags,
    pciDeviceTypes,
    PCI_EXT_CAP,
    PCI_MSI_64BITS,
    PCI_MSI_MASKABLE,
    PCICAPS_WRITE,
    SYS_VIRTUAL_DEBUG_CONSOLE,
    CACHE_ROOTSHARED,
    type SystemDesc,
} from "../../provider/src/config";
import type { ConsoleDesc, IommuDesc, MemoryDesc, PciDeviceDesc } from "../../provider/src/config";

/** One designated member: `.name = value`. */
type Member = [name: string, value: string];

const macro = (prefix: string, name: string) => `${prefix}${name.toUpperCase().replace(/-/g, "_")}`;

/** The C macro for each friendly name, where the header's spelling is not the mechanical one. */
const CONSOLE_FLAG_MACROS: Record<string, string> = {
    mmio: "JAILHOUSE_CON_ACCESS_MMIO",
    "regdist-4": "JAILHOUSE_CON_REGDIST_4",
    "fb-1920x1080": "JAILHOUSE_CON_FB_1920x1080",
    "inverted-gate": "JAILHOUSE_CON_INVERTED_GATE",
    "mdr-quirk": "JAILHOUSE_CON_MDR_QUIRK",
};
const CELL_FLAG_MACROS: Record<keyof typeof cellFlags, string> = {
    "passive-comm-region": "JAILHOUSE_CELL_PASSIVE_COMMREG",
    "test-device": "JAILHOUSE_CELL_TEST_DEVICE",
    aarch32: "JAILHOUSE_CELL_AARCH32",
    "virtual-console-permitted": "JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED",
    "virtual-console-active": "JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE",
};
const SHMEM_PROTOCOL_MACROS: Record<number, string> = { 0: "JAILHOUSE_SHMEM_PROTO_UNDEFINED", 1: "JAILHOUSE_SHMEM_PROTO_VETH" };

/** A C string literal of the UTF-8 bytes, other than printable ASCII as three-digit octal escapes (which, unlike \x, end where they should). */
function cString(text: string): string {
    const bytes = [...Buffer.from(text, "utf8")];
    return `"${bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`)).join("")}"`;
}

function hex(value: number | bigint): string {
    return typeof value === "bigint" ? `0x${value.toString(16)}ULL` : `0x${value.toString(16)}`;
}

/** A value's name in a table of constants, or the number when the table has none. */
function named(table: Record<string, number>, value: number, macroOf: (name: string) => string): string {
    const name = Object.keys(table).find((key) => table[key] === value);
    return name === undefined ? hex(value) : macroOf(name);
}

/** Flag bits as `A | B`, each known bit by its C name and the rest as a number. */
function flagBits(value: number | bigint, bits: Record<string, number>, macroOf: (name: string) => string): string {
    let rest = BigInt(value);
    const parts: string[] = [];
    for (const [name, bit] of Object.entries(bits))
        if (rest & BigInt(bit)) {
            parts.push(macroOf(name));
            rest &= ~BigInt(bit);
        }
    if (rest || !parts.length) parts.push(hex(typeof value === "bigint" ? rest : Number(rest)));
    return parts.join(" | ");
}

function block(members: readonly Member[], indent: string): string {
    const inner = `${indent}\t`;
    return `{\n${members.map(([name, value]) => `${inner}.${name} = ${value},\n`).join("")}${indent}}`;
}

function list(values: readonly string[], indent: string): string {
    return `{\n${values.map((v) => `${indent}\t${v},\n`).join("")}${indent}}`;
}

function consoleMembers(c: ConsoleDesc, indent: string): string {
    return block(
        [
            ["address", hex(c.address)],
            ["size", hex(c.size)],
            ["type", named(consoleTypes, c.type, (n) => macro("JAILHOUSE_CON_TYPE_", n))],
            ["flags", flagBits(c.flags, consoleFlags, (n) => CONSOLE_FLAG_MACROS[n])],
            ["divider", hex(c.divider)],
            ["gate_nr", hex(c.gateNr)],
            ["clock_reg", hex(c.clockReg)],
        ],
        indent,
    );
}

function memoryFlagsC(flags: bigint): string {
    const width = Number((flags & BigInt(MEM_IO_WIDTH_MASK)) >> BigInt(MEM_IO_WIDTH_SHIFT));
    const bits = Object.keys(memIoWidths).find((b) => memIoWidths[Number(b)] === width);
    const rest = flagBits(flags & ~BigInt(MEM_IO_WIDTH_MASK), memoryFlags, (n) => macro("JAILHOUSE_MEM_", n));
    if (!width) return rest;
    return `${rest} | ${bits === undefined ? `(${width} << JAILHOUSE_MEM_IO_WIDTH_SHIFT)` : `JAILHOUSE_MEM_IO_${bits}`}`;
}

function memoryMembers(m: MemoryDesc, indent: string): string {
    const members: Member[] = [
        ["phys_start", hex(m.physStart)],
        ["virt_start", hex(m.virtStart)],
        ["size", hex(m.size)],
        ["flags", memoryFlagsC(m.flags)],
    ];
    return block(members, indent);
}

function pciDeviceMembers(d: PciDeviceDesc, indent: string): string {
    if (d.msiFlags & ~(PCI_MSI_64BITS | PCI_MSI_MASKABLE))
        throw new Error(`MSI flag bits ${hex(d.msiFlags)} have no C member: cell-config.h names only msi_64bits and msi_maskable`);
    return block(
        [
            ["type", named(pciDeviceTypes, d.type, (n) => macro("JAILHOUSE_PCI_TYPE_", n))],
            ["iommu", hex(d.iommu)],
            ["domain", hex(d.domain)],
            ["bdf", hex(d.bdf)],
            ["bar_mask", `{ ${d.barMask.map(hex).join(", ")} }`],
            ["caps_start", hex(d.capsStart)],
            ["num_caps", hex(d.numCaps)],
            ["num_msi_vectors", hex(d.numMsiVectors)],
            ["msi_64bits", d.msiFlags & PCI_MSI_64BITS ? "1" : "0"],
            ["msi_maskable", d.msiFlags & PCI_MSI_MASKABLE ? "1" : "0"],
            ["num_msix_vectors", hex(d.numMsixVectors)],
            ["msix_region_size", hex(d.msixRegionSize)],
            ["msix_address", hex(d.msixAddress)],
            ["shmem_regions_start", hex(d.shmemRegionsStart)],
            ["shmem_dev_id", hex(d.shmemDevId)],
            ["shmem_peers", hex(d.shmemPeers)],
            ["shmem_protocol", SHMEM_PROTOCOL_MACROS[d.shmemProtocol] ?? hex(d.shmemProtocol)],
        ],
        indent,
    );
}

/** The CPU set as bytes of CPU bits, each bit written as a shift so C sets it. */
function cpuSet(cpus: readonly number[]): string {
    const byIndex = new Map<number, string[]>();
    for (const cpu of cpus) byIndex.set(Math.floor(cpu / 8), [...(byIndex.get(Math.floor(cpu / 8)) ?? []), `1 << ${cpu % 8}`]);
    return `{ ${[...byIndex].map(([i, bits]) => `[${i}] = ${bits.join(" | ")}`).join(", ")} }`;
}

const sectionCounts: [keyof CellDesc, string][] = [
    ["memory", "num_memory_regions"],
    ["cache", "num_cache_regions"],
    ["irqchips", "num_irqchips"],
    ["pio", "num_pio_regions"],
    ["pciDevices", "num_pci_devices"],
    ["pciCapabilities", "num_pci_caps"],
    ["streamIds", "num_stream_ids"],
];

function cellMembers(cell: CellDesc, signature: boolean, indent: string): string {
    const prefix: Member[] = signature
        ? [
              ["signature", "JAILHOUSE_CELL_DESC_SIGNATURE"],
              ["architecture", named(architectures, cell.architecture, (n) => macro("JAILHOUSE_", n))],
              ["revision", "JAILHOUSE_CONFIG_REVISION"],
          ]
        : [];
    return block(
        [
            ...prefix,
            ["name", cString(cell.name)],
            ["id", hex(cell.id)],
            ["flags", flagBits(cell.flags, cellFlags, (n) => CELL_FLAG_MACROS[n as keyof typeof cellFlags])],
            ["cpu_set_size", String(cell.cpuSetSize)],
            ...sectionCounts.map(([key, member]): Member => [member, String((cell[key] as unknown[]).length)]),
            ["vpci_irq_base", String(cell.vpciIrqBase)],
            ["cpu_reset_address", hex(cell.cpuResetAddress)],
            ["msg_reply_timeout", hex(cell.msgReplyTimeout)],
            ["console", consoleMembers(cell.console, `${indent}\t`)],
        ],
        indent,
    );
}

/** A section array after the CPU set: its C declaration and entries; empty sections are left out. */
interface Section {
    declaration: string;
    member: string;
    entries: string[];
}

function cacheEntry(c: CellDesc["cache"][number]): string {
    return block(
        [
            ["start", hex(c.start)],
            ["size", hex(c.size)],
            ["type", named(cacheTypes, c.type, (n) => macro("JAILHOUSE_CACHE_", n))],
            ["padding", hex(c.padding)],
            ["flags", flagBits(c.flags, { rootshared: CACHE_ROOTSHARED }, () => "JAILHOUSE_CACHE_ROOTSHARED")],
        ],
        "\t\t",
    );
}

function irqchipEntry(i: CellDesc["irqchips"][number]): string {
    return block(
        [
            ["address", hex(i.address)],
            ["id", hex(i.id)],
            ["pin_base", String(i.pinBase)],
            ["pin_bitmap", `{ ${i.pinBitmap.map(hex).join(", ")} }`],
        ],
        "\t\t",
    );
}

function pciCapabilityEntry(c: CellDesc["pciCapabilities"][number]): string {
    const id = c.id & PCI_EXT_CAP ? `${hex(c.id & ~PCI_EXT_CAP)} | JAILHOUSE_PCI_EXT_CAP` : hex(c.id);
    const flags = flagBits(c.flags, { write: PCICAPS_WRITE }, () => "JAILHOUSE_PCICAPS_WRITE");
    return `{ .id = ${id}, .start = ${hex(c.start)}, .len = ${hex(c.len)}, .flags = ${flags} }`;
}

function sections(cell: CellDesc): Section[] {
    const arrays: [string, string, string[]][] = [
        ["struct jailhouse_memory", "memory", cell.memory.map((m) => memoryMembers(m, "\t\t"))],
        ["struct jailhouse_cache", "cache", cell.cache.map(cacheEntry)],
        ["struct jailhouse_irqchip", "irqchips", cell.irqchips.map(irqchipEntry)],
        ["struct jailhouse_pio", "pio", cell.pio.map((p) => `{ .base = ${hex(p.base)}, .length = ${hex(p.length)} }`)],
        ["struct jailhouse_pci_device", "pci_devices", cell.pciDevices.map((d) => pciDeviceMembers(d, "\t\t"))],
        ["struct jailhouse_pci_capability", "pci_caps", cell.pciCapabilities.map(pciCapabilityEntry)],
        ["__u32", "stream_ids", cell.streamIds.map(hex)],
    ];
    return arrays
        .filter(([, , entries]) => entries.length)
        .map(([type, member, entries]) => ({ declaration: `${type} ${member}[${entries.length}]`, member, entries }));
}

/** The union member and C names of the vendor fields YAML can name (schema.ts's amd and pvu). */
const VENDOR_UNIONS: Record<string, { member: string; fields: Record<string, string> }> = {
    amd: { member: "amd", fields: { bdf: "bdf", baseCap: "base_cap", msiCap: "msi_cap", features: "features" } },
    pvu: { member: "tipvu", fields: { tlbBase: "tlb_base", tlbSize: "tlb_size" } },
};

/**
 * The vendor fields as the YAML author wrote them, by C member name, so gcc
 * packs the union and the comparison checks iommus.ts's packing; undefined
 * when the unit has none or gives raw bytes.
 */
function authoredVendorMember(authored: unknown): Member | undefined {
    if (typeof authored !== "object" || authored === null) return undefined;
    for (const [key, union] of Object.entries(VENDOR_UNIONS)) {
        const fields = (authored as Record<string, unknown>)[key];
        if (typeof fields !== "object" || fields === null) continue;
        const values = Object.entries(fields as Record<string, unknown>);
        if (!values.every(([name, v]) => union.fields[name] && (typeof v === "number" || typeof v === "bigint"))) return undefined;
        return [union.member, `{ ${values.map(([name, v]) => `.${union.fields[name]} = ${hex(v as number | bigint)}`).join(", ")} }`];
    }
    return undefined;
}

function iommuMembers(unit: IommuDesc, vendor: Member | undefined, indent: string): string {
    return block(
        [
            ["type", named(iommuTypes, unit.type, (n) => macro("JAILHOUSE_IOMMU_", n))],
            ["base", hex(unit.base)],
            ["size", hex(unit.size)],
            ...(vendor ? [vendor] : []),
        ],
        indent,
    );
}

const isZero = (hexBytes: string) => !/[^0]/.test(hexBytes);
const unitInUse = (unit: IommuDesc) => unit.type !== iommuTypes.unused || unit.base || unit.size || !isZero(unit.vendorData);

/** The YAML's own platform.iommus entries, when the config was read from YAML. */
function authoredIommus(loaded: LoadedConfig): unknown[] {
    if (!/\.ya?ml$/i.test(loaded.source)) return [];
    const value = parseYaml(fs.readFileSync(loaded.source, "utf8"), loaded.source) as { platform?: { iommus?: unknown[] } };
    return value.platform?.iommus ?? [];
}

type Platform = SystemDesc["platform"];

function armMembers(p: Extract<Platform, { kind: "arm" }>, indent: string): string {
    return block(
        [
            ["maintenance_irq", String(p.maintenanceIrq)],
            ["gic_version", String(p.gicVersion)],
            // The header spells this padding as two bytes; the value is a little-endian u16.
            ["padding", `{ ${hex(p.padding & 0xff)}, ${hex(p.padding >> 8)} }`],
            ["gicd_base", hex(p.gicdBase)],
            ["gicc_base", hex(p.giccBase)],
            ["gich_base", hex(p.gichBase)],
            ["gicv_base", hex(p.gicvBase)],
            ["gicr_base", hex(p.gicrBase)],
        ],
        indent,
    );
}

function x86Members(p: Extract<Platform, { kind: "x86" }>, indent: string): string {
    if (!isZero(p.unused)) throw new Error("the x86 platform's unused bytes are not zero: no C member holds them");
    return block(
        [
            ["pm_timer_address", hex(p.pmTimerAddress)],
            ["apic_mode", String(p.apicMode)],
            ["padding", hex(p.padding)],
            ["vtd_interrupt_limit", String(p.vtdInterruptLimit)],
            ["tsc_khz", String(p.tscKhz)],
            ["apic_khz", String(p.apicKhz)],
        ],
        indent,
    );
}

function platformMembers(system: SystemDesc, vendors: readonly (Member | undefined)[], indent: string): string {
    const p = system.platform;
    const inner = `${indent}\t`;
    const units = system.iommuUnits.flatMap((u, i) => (unitInUse(u) ? [`[${i}] = ${iommuMembers(u, vendors[i], `${inner}\t`)}`] : []));
    const specific: Member = p.kind === "arm" ? ["arm", armMembers(p, inner)] : ["x86", x86Members(p, inner)];
    return block(
        [
            ["pci_mmconfig_base", hex(system.pciMmconfigBase)],
            ["pci_mmconfig_end_bus", hex(system.pciMmconfigEndBus)],
            ["pci_is_virtual", String(system.pciIsVirtual)],
            ["pci_domain", String(system.pciDomain)],
            ...(units.length ? [["iommu_units", list(units, inner)] as Member] : []),
            specific,
        ],
        indent,
    );
}

function systemMembers(system: SystemDesc, vendors: readonly (Member | undefined)[]): string {
    const t = "\t\t";
    return block(
        [
            ["signature", "JAILHOUSE_SYSTEM_SIGNATURE"],
            ["architecture", named(architectures, system.architecture, (n) => macro("JAILHOUSE_", n))],
            ["revision", "JAILHOUSE_CONFIG_REVISION"],
            ["flags", flagBits(system.flags, { virtual: SYS_VIRTUAL_DEBUG_CONSOLE }, () => "JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE")],
            ["hypervisor_memory", memoryMembers(system.hypervisorMemory, t)],
            ["debug_console", consoleMembers(system.debugConsole, t)],
            ["platform_info", platformMembers(system, vendors, t)],
            ["root_cell", cellMembers(system.rootCell, system.rootCell.signed, t)],
        ],
        "\t",
    );
}

/** C string escapes for raw bytes, so memcpy copies them as the config has them. */
const byteString = (hexBytes: string) => `"${hexBytes.replace(/../g, "\\x$&")}"`;

/**
 * The IOMMU vendor bytes are a union in C with no byte-array member, so a
 * constructor copies them into the union as they are; where the union sits is
 * still gcc's choice.
 */
function vendorBytes(system: SystemDesc, vendors: readonly (Member | undefined)[]): string[] {
    return system.iommuUnits.flatMap((unit, i) =>
        !isZero(unit.vendorData) && !vendors[i]
            ? [
                  `\tmemcpy(&config.header.platform_info.iommu_units[${i}].amd, ${byteString(unit.vendorData)}, ${unit.vendorData.length / 2});`,
              ]
            : [],
    );
}

interface Parts {
    source: string;
    /** The header's declaration, member name and initialiser. */
    head: [declaration: string, member: string, init: string];
    cell: CellDesc;
    /** Statements run before main, for bytes no initialiser can name. */
    copies: string[];
}

function render({ source, head, cell, copies }: Parts): string {
    const all = sections(cell);
    return [
        `// Generated from ${source} by test/support/c-initializer.ts.`,
        "#include <string.h>",
        "#include <jailhouse/cell-config.h>",
        "",
        // const puts the config in .rodata, where Jailhouse's build takes it from; the copies need it writable.
        `static ${copies.length ? "" : "const "}struct {`,
        `\t${head[0]};`,
        `\t__u8 cpus[${cell.cpuSetSize}];`,
        ...all.map((s) => `\t${s.declaration};`),
        "} __attribute__((packed)) config = {",
        `\t.${head[1]} = ${head[2]},`,
        `\t.cpus = ${cpuSet(cell.cpus)},`,
        ...all.map((s) => `\t.${s.member} = ${list(s.entries, "\t")},`),
        "};",
        ...(copies.length ? ["", "__attribute__((constructor)) static void copy_vendor_bytes(void)", "{", ...copies, "}"] : []),
        "",
    ].join("\n");
}

/** C source defining `config`, the loaded config's bytes as gcc lays them out (test/vectors/emit.c writes them). */
export function cInitializer(loaded: LoadedConfig): string {
    if (loaded.kind === "cell") {
        const cell = compileCell(loaded.config);
        return render({
            source: loaded.source,
            head: ["struct jailhouse_cell_desc cell", "cell", cellMembers(cell, true, "\t")],
            cell,
            copies: [],
        });
    }
    const system = compileSystem(loaded.config);
    const vendors = authoredIommus(loaded).map(authoredVendorMember);
    return render({
        source: loaded.source,
        head: ["struct jailhouse_system header", "header", systemMembers(system, vendors)],
        cell: system.rootCell,
        copies: vendorBytes(system, vendors),
    });
}
