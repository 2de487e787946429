// SPDX-License-Identifier: MIT
// The one ABI definition (hypervisor/include/jailhouse/cell-config.h) against
// the TypeScript codec: each YAML config, written as a C initialiser
// (test/support/c-initializer.ts) and compiled with the host gcc, must give
// the same bytes as the encoder, and every size, offset and constant the
// codec relies on must match the header.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import * as abi from "../../../provider/src/config/abi";
import * as binary from "../../../provider/src/config/binary";

const { sizes } = binary;
import { decodeConfig, encodeConfig, encodeLoaded, loadConfigBytes, loadConfigFile } from "../../../provider/src/config";
import { repoRoot } from "../../../examples/lab/tooling/workbench";
import { cInitializer } from "../../support/c-initializer";

const include = path.join(repoRoot, "hypervisor", "include");
const vectors = path.join(repoRoot, "test", "vectors");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-abi-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function gccRun(name: string, args: string[]): Buffer {
    const exe = path.join(work, name);
    execFileSync("gcc", ["-std=gnu11", "-Wall", "-Werror", "-I", include, ...args, "-o", exe], { stdio: ["ignore", "inherit", "inherit"] });
    return execFileSync(exe, { maxBuffer: 1 << 20 });
}

function firstDifference(a: Buffer, b: Buffer): string {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++)
        if (a[i] !== b[i]) return `first difference at byte offset ${i}: C 0x${a[i].toString(16)}, TypeScript 0x${b[i].toString(16)}`;
    return `lengths differ: C ${a.length} bytes, TypeScript ${b.length} bytes`;
}

const cases: [string, string][] = [
    ["lab-system", "examples/lab/system.yaml"],
    ["rt-timer", "examples/lab/rt-timer.yaml"],
    ["uart-hello", "examples/lab/uart-hello.yaml"],
    ["uart-echo", "examples/lab/uart-echo.yaml"],
    ["all-sections-cell", "test/vectors/all-sections-cell.yaml"],
    ["x86-system", "test/vectors/x86-system.yaml"],
];

describe("C header vs TypeScript encoder on shared vectors", () => {
    for (const [vector, yaml] of cases)
        test(`${yaml}: gcc lays out its C initialiser as the encoder writes it`, () => {
            const loaded = loadConfigFile(path.join(repoRoot, yaml));
            const source = path.join(work, `${vector}.c`);
            fs.writeFileSync(source, cInitializer(loaded));
            const fromC = gccRun(vector, ["-include", source, path.join(vectors, "emit.c")]);
            const fromTs = encodeLoaded(loaded);
            assert.ok(fromC.equals(fromTs), firstDifference(fromC, fromTs));
            assert.ok(encodeConfig(decodeConfig(fromC)).equals(fromC), "decode then encode of the C bytes changed them");
        });
});

test("the generated C names flags by the header's macros and refuses bytes no C member holds", () => {
    const c = cInitializer(loadConfigFile(path.join(repoRoot, "test/vectors/all-sections-cell.yaml")));
    for (const name of [
        "JAILHOUSE_MEM_IO_32",
        "JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE",
        "0x10 | JAILHOUSE_PCI_EXT_CAP",
        "JAILHOUSE_SHMEM_PROTO_VETH",
    ])
        assert.ok(c.includes(name), `${name} missing from the generated C`);
    const reserved = 'name: c\ncpus: 1\npciDevices: [{ type: ivshmem, bdf: "00:01.0", msiReservedBits: 4 }]\n';
    assert.throws(() => cInitializer(loadConfigBytes(Buffer.from(reserved), "reserved.yaml")), /MSI flag bits 0x4 have no C member/);
});

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Every field of binary.ts's tables, with the offset the table gives it and
 * its C member: the tables, not a copy of them, are what C is compared with.
 * Skipped: the MSI bitfields (no offsetof) and the x86 union's unused tail.
 */
function tableOffsets(): [string, string, number][] {
    const C_NAMES: Record<string, string | null> = { msiFlags: null, unused: null, vendorData: "amd" };
    const cName = (field: string) => C_NAMES[field] ?? snake(field);
    const members = (struct: string, table: { offsets: Record<string, number> }, base = 0, member = cName) =>
        Object.entries(table.offsets)
            .filter(([field]) => C_NAMES[field] !== null)
            .map(([field, offset]): [string, string, number] => [struct, member(field), base + offset]);
    const counts: Record<binary.CellSection, string> = {
        memory: "num_memory_regions",
        cache: "num_cache_regions",
        irqchips: "num_irqchips",
        pio: "num_pio_regions",
        pciDevices: "num_pci_devices",
        pciCapabilities: "num_pci_caps",
        streamIds: "num_stream_ids",
    };
    const countsAt = abi.HEADER_PREFIX_SIZE + binary.cellIdentity.size;
    const platformAt = abi.HEADER_PREFIX_SIZE + binary.systemHead.size;
    const platformInfo = new Set(["pciMmconfigBase", "pciMmconfigEndBus", "pciIsVirtual", "pciDomain", "iommuUnits"]);
    return [
        ...members("jailhouse_console", binary.consoleDesc),
        ...members("jailhouse_memory", binary.memoryDesc),
        ...members("jailhouse_cache", binary.cacheDesc),
        ...members("jailhouse_irqchip", binary.irqchipDesc),
        ...members("jailhouse_pio", binary.pioDesc),
        ...members("jailhouse_pci_device", binary.pciDeviceDesc),
        ...members("jailhouse_pci_capability", binary.pciCapabilityDesc),
        ...members("jailhouse_iommu", binary.iommuDesc),
        ...members("jailhouse_cell_desc", binary.cellIdentity, abi.HEADER_PREFIX_SIZE),
        ...binary.cellSectionKeys.map((key, i): [string, string, number] => ["jailhouse_cell_desc", counts[key], countsAt + 4 * i]),
        ...members("jailhouse_cell_desc", binary.cellTail, countsAt + 4 * binary.cellSectionKeys.length),
        ...members(
            "jailhouse_system",
            binary.systemHead,
            abi.HEADER_PREFIX_SIZE,
            (f) => (platformInfo.has(f) ? "platform_info." : "") + cName(f),
        ),
        ...members("jailhouse_system", binary.armPlatform, platformAt, (f) => `platform_info.arm.${cName(f)}`),
        ...members("jailhouse_system", binary.x86Platform, platformAt, (f) => `platform_info.x86.${cName(f)}`),
        ["jailhouse_system", "root_cell", binary.SYSTEM_SIZE - binary.CELL_DESC_SIZE],
    ];
}

describe("C header constants and layout vs abi.ts", () => {
    const fields: [string, string, number][] = [
        ["jailhouse_system", "hypervisor_memory", 12],
        ["jailhouse_system", "debug_console", 44],
        ["jailhouse_system", "platform_info", 76],
        ["jailhouse_system", "platform_info.iommu_units", 88],
        ["jailhouse_system", "platform_info.arm.maintenance_irq", 312],
        ["jailhouse_system", "platform_info.arm.gicr_base", 348],
        ["jailhouse_system", "platform_info.x86.tsc_khz", 320],
        ["jailhouse_system", "root_cell", 356],
        ["jailhouse_cell_desc", "name", 8],
        ["jailhouse_cell_desc", "id", 40],
        ["jailhouse_cell_desc", "cpu_set_size", 48],
        ["jailhouse_cell_desc", "num_stream_ids", 76],
        ["jailhouse_cell_desc", "vpci_irq_base", 80],
        ["jailhouse_cell_desc", "cpu_reset_address", 84],
        ["jailhouse_cell_desc", "msg_reply_timeout", 92],
        ["jailhouse_cell_desc", "console", 100],
        ["jailhouse_pci_device", "caps_start", 30],
        ["jailhouse_pci_device", "num_msix_vectors", 36],
        ["jailhouse_pci_device", "shmem_regions_start", 48],
        ["jailhouse_iommu", "amd", 16],
        ["jailhouse_console", "clock_reg", 24],
        ...tableOffsets(),
    ];
    const structs = {
        jailhouse_cell_desc: sizes.cellDesc,
        jailhouse_system: sizes.system,
        jailhouse_memory: sizes.memory,
        jailhouse_cache: sizes.cache,
        jailhouse_irqchip: sizes.irqchip,
        jailhouse_pio: sizes.pio,
        jailhouse_pci_device: sizes.pciDevice,
        jailhouse_pci_capability: sizes.pciCapability,
        jailhouse_iommu: sizes.iommu,
        jailhouse_console: sizes.console,
    };
    const constants: Record<string, number> = {
        JAILHOUSE_CONFIG_REVISION: abi.CONFIG_REVISION,
        JAILHOUSE_CELL_NAME_MAXLEN: abi.CELL_NAME_MAXLEN,
        JAILHOUSE_MAX_IOMMU_UNITS: abi.MAX_IOMMU_UNITS,
        JAILHOUSE_ARM64: abi.architectures.arm64,
        JAILHOUSE_X86: abi.architectures.x86,
        JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE: abi.SYS_VIRTUAL_DEBUG_CONSOLE,
        JAILHOUSE_MEM_IO_WIDTH_SHIFT: abi.MEM_IO_WIDTH_SHIFT,
        JAILHOUSE_CACHE_ROOTSHARED: abi.CACHE_ROOTSHARED,
        JAILHOUSE_PCI_EXT_CAP: abi.PCI_EXT_CAP,
        JAILHOUSE_PCICAPS_WRITE: abi.PCICAPS_WRITE,
    };
    const macro = (prefix: string, name: string) => `${prefix}${name.toUpperCase().replace(/-/g, "_")}`;
    const named: [string, Record<string, number>][] = [
        ["JAILHOUSE_MEM_", abi.memoryFlags],
        ["JAILHOUSE_CON_TYPE_", abi.consoleTypes],
        ["JAILHOUSE_PCI_TYPE_", abi.pciDeviceTypes],
        ["JAILHOUSE_IOMMU_", abi.iommuTypes],
    ];
    for (const [prefix, table] of named) for (const [name, value] of Object.entries(table)) constants[macro(prefix, name)] = value;
    constants.JAILHOUSE_CELL_PASSIVE_COMMREG = abi.cellFlags["passive-comm-region"];
    constants.JAILHOUSE_CELL_TEST_DEVICE = abi.cellFlags["test-device"];
    constants.JAILHOUSE_CELL_AARCH32 = abi.cellFlags.aarch32;
    constants.JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED = abi.cellFlags["virtual-console-permitted"];
    constants.JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE = abi.cellFlags["virtual-console-active"];
    constants.JAILHOUSE_CON_ACCESS_MMIO = abi.consoleFlags.mmio;
    constants.JAILHOUSE_CON_REGDIST_4 = abi.consoleFlags["regdist-4"];
    constants.JAILHOUSE_CON_FB_1920x1080 = abi.consoleFlags["fb-1920x1080"];
    constants.JAILHOUSE_CON_INVERTED_GATE = abi.consoleFlags["inverted-gate"];
    constants.JAILHOUSE_CON_MDR_QUIRK = abi.consoleFlags["mdr-quirk"];
    for (const [name, value] of Object.entries(abi.cacheTypes)) constants[macro("JAILHOUSE_CACHE_", name)] = value;

    test("struct sizes, field offsets and every constant agree", () => {
        const lines = [
            ...Object.keys(structs).map((s) => `printf("size %s %zu\\n", "${s}", sizeof(struct ${s}));`),
            ...fields.map(([s, f]) => `printf("offset %s.%s %zu\\n", "${s}", "${f}", offsetof(struct ${s}, ${f}));`),
            ...Object.keys(constants).map((c) => `printf("const %s %llu\\n", "${c}", (unsigned long long)(${c}));`),
        ];
        const source = path.join(work, "layout.c");
        fs.writeFileSync(
            source,
            `#include <stddef.h>\n#include <stdio.h>\n#include <jailhouse/cell-config.h>\nint main(void) {\n${lines.join("\n")}\nreturn 0;\n}\n`,
        );
        const report = gccRun("layout", [source]).toString();
        const seen = new Map(
            report
                .trim()
                .split("\n")
                .map((l) => {
                    const [kind, name, value] = l.split(" ");
                    return [`${kind} ${name}`, Number(value)];
                }),
        );
        for (const [s, size] of Object.entries(structs)) assert.equal(seen.get(`size ${s}`), size, `sizeof(struct ${s})`);
        for (const [s, f, offset] of fields) assert.equal(seen.get(`offset ${s}.${f}`), offset, `offsetof(struct ${s}, ${f})`);
        for (const [c, value] of Object.entries(constants)) assert.equal(seen.get(`const ${c}`), value >>> 0, c);
    });
});

// Jailhouse's arm64 comm region, ABI revision 2 (upstream's
// include/jailhouse/hypercall.h and its arm64 asm/jailhouse_hypercall.h): an
// inmate written for Jailhouse reads these offsets.
test("the comm region header has Jailhouse's arm64 layout", () => {
    const offsets: [string, number][] = [
        ["revision", 6],
        ["cell_state", 8],
        ["msg_to_cell", 12],
        ["reply_from_cell", 16],
        ["flags", 20],
        ["console", 24],
        ["pci_mmconfig_base", 56],
        ["gic_version", 64],
        ["gicd_base", 72],
        ["gicc_base", 80],
        ["gicr_base", 88],
        ["vpci_irq_base", 96],
    ];
    const source = path.join(work, "comm-layout.c");
    const lines = offsets.map(([f]) => `printf("%s %zu\\n", "${f}", offsetof(struct jailhouse_comm_region, ${f}));`);
    fs.writeFileSync(
        source,
        "#include <stddef.h>\n#include <stdio.h>\n#include <jailhouse/cell-config.h>\n#include <jailhouse/comm-region.h>\n" +
            `int main(void) {\n${lines.join("\n")}\nprintf("abi %d\\n", COMM_REGION_ABI_REVISION);\nreturn 0;\n}\n`,
    );
    const seen = new Map(
        gccRun("comm-layout", [source])
            .toString()
            .trim()
            .split("\n")
            .map((l) => l.split(" ") as [string, string]),
    );
    assert.deepEqual(
        offsets.map(([f]) => [f, Number(seen.get(f))]),
        offsets,
    );
    assert.equal(seen.get("abi"), "2");
});
