// SPDX-License-Identifier: MIT
// Every validation rule: a config that breaks it, and the message it gets
// (path, the offending value and the fix). The lab configs are the baseline.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
    type CellConfig,
    type CellConfigInput,
    ConfigValidationError,
    loadConfigFile,
    parseCellConfig,
    parseSystemConfig,
    type SystemConfig,
    validateHost,
} from "../../../provider/src/config";

const repo = path.resolve(__dirname, "..", "..", "..", "..");
const lab = (name: string) => loadConfigFile(path.join(repo, "examples", "lab", `${name}.yaml`)).config;
const system = lab("system") as SystemConfig;
const rtTimer = lab("rt-timer") as CellConfig;
const uartHello = lab("uart-hello") as CellConfig;

function cell(patch: Partial<CellConfigInput>): CellConfig {
    return parseCellConfig({
        name: "probe",
        cpus: 3,
        memory: [
            { name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write", "execute", "loadable"] },
            { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
        ],
        ...patch,
    });
}

function messages(cells: CellConfig[], sys: SystemConfig = system, cpuCount = 4): string[] {
    return validateHost(sys, cells, { cpuCount }).map((i) => `${i.path}: ${i.message}`);
}

function assertOne(found: string[], pattern: RegExp) {
    assert.equal(found.length, 1, `expected exactly one finding, got:\n${found.join("\n")}`);
    assert.match(found[0], pattern);
}

describe("validation rules", () => {
    test("the lab configs are valid together", () => {
        assert.deepEqual(messages([rtTimer, uartHello]), []);
    });

    test("overlapping regions inside a cell", () => {
        const bad = cell({
            memory: [
                { name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "ram2", phys: 0x70400000, virt: 0x80000, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(messages([bad]), /^cells\[probe\]\.memory\[1\]: memory\[1\] \(ram2\) at 0x80000-0x17ffff overlaps memory\[0\] \(ram\) at 0x0-0xfffff in the cell's address space; move or shrink one of them$/);
    });

    test("cell memory inside the hypervisor region", () => {
        const bad = cell({
            memory: [
                { name: "ram", phys: 0x7eff0000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(messages([bad]), /^cells\[probe\]\.memory\[0\]: memory\[0\] \(ram\) at 0x7eff0000-0x7f0effff overlaps the hypervisor memory 0x7f000000-0x7fffffff; move it out/);
    });

    test("a cell's CPUs not owned by the root", () => {
        assertOne(messages([cell({ cpus: "3-5" })]), /^cells\[probe\]\.cpus: CPU 4-5 is not owned by the root cell \(root CPUs 0-3\); pick CPUs from the root's set$/);
    });

    test("two cells sharing CPUs", () => {
        assertOne(messages([rtTimer, cell({ cpus: "1" })]), /^cells\[probe\]\.cpus: CPU 1 is also given to cell "rt-timer"; a CPU belongs to one cell at a time$/);
    });

    test("two cells sharing IRQs", () => {
        const a = cell({ name: "a", cpus: 1, irqchips: [{ address: 0x08000000, spis: "5-7" }] });
        const b = cell({
            name: "b",
            cpus: 2,
            irqchips: [{ address: 0x08000000, spis: [7, 9] }],
            memory: [
                { name: "ram", phys: 0x70300000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(messages([a, b]), /^cells\[b\]\.irqchips: SPI 7 is also given to cell "a"; an interrupt belongs to one cell$/);
    });

    test("two cells sharing memory that is not rootshared", () => {
        const other = cell({
            name: "other",
            cpus: 2,
            memory: [
                { name: "ram", phys: 0x70280000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(messages([cell({}), other]), /^cells\[other\]\.memory\[0\]: memory\[0\] \(ram\) at 0x70280000-0x7037ffff overlaps cell "probe" memory\[0\] \(ram\) at 0x70200000-0x702fffff; cells may share memory only when both regions are rootshared$/);
    });

    test("regions not page-aligned and not sub-page I/O", () => {
        const bad = cell({
            memory: [
                { name: "ram", phys: 0x70200000, virt: 0, size: 0x1800, flags: ["read", "write"] },
                { name: "regs", phys: 0x09000040, size: 8, flags: ["read", "write", "io"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(messages([bad]), /^cells\[probe\]\.memory\[0\]: memory\[0\] \(ram\) has size 0x1800 not aligned to 4 KiB pages; round to a multiple of 0x1000, or add the io flag/);
    });

    test("a name longer than 31 bytes", () => {
        assert.throws(
            () => cell({ name: "a-cell-name-that-is-far-too-long-x" }),
            (error: ConfigValidationError) => {
                assert.equal(error.issues.length, 1);
                assert.equal(error.issues[0].path, "name");
                assert.match(error.issues[0].message, /cell name "a-cell-name-that-is-far-too-long-x" is 34 bytes; the limit is 31: shorten it/);
                return true;
            },
        );
    });

    test("a console not covered by a region", () => {
        const bad = cell({ console: { type: "pl011", address: 0x09000000, size: "4 KiB", flags: ["mmio"] } });
        assertOne(messages([bad]), /^cells\[probe\]\.console: console pl011 at 0x9000000 is not covered by any memory region of the cell; add a region \{ phys: 0x9000000, size: 4 KiB, flags: \[read, write, io, rootshared\] \}$/);
    });

    test("a missing comm region", () => {
        const bad = cell({ memory: [{ name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write"] }] });
        assertOne(messages([bad]), /^cells\[probe\]\.memory: cell "probe" has no comm region, .*; add \{ virt: 0x80000000, size: 4 KiB, flags: \[read, write, comm-region\] \}$/);
    });

    test("a root CPU set that does not match the host's CPU count", () => {
        assertOne(messages([], system, 2), /^rootCell\.cpus: root CPUs 0-3 do not match this host's 2 CPUs; set cpus to "0-1"$/);
        const three = parseSystemConfig({ ...structuredCloneInput(), rootCell: { ...structuredCloneInput().rootCell, cpus: "0-2" } });
        assertOne(messages([], three, 4), /^rootCell\.cpus: root CPUs 0-2 do not match this host's 4 CPUs; set cpus to "0-3"$/);
    });

    test("cells taking every root CPU", () => {
        const all = cell({ cpus: "0-3" });
        assertOne(messages([all]), /^cells: the cells take every root CPU \(0-3\); leave at least one CPU to Linux$/);
    });
});

// The lab system config as input again (the loaded one is normalised).
function structuredCloneInput() {
    return {
        hypervisor: { memory: { phys: 0x7f000000, size: "16 MiB" } },
        platform: { gic: { version: 3, maintenanceIrq: 25, distributor: 0x08000000, redistributor: 0x080a0000 } },
        rootCell: {
            name: "lab-root",
            cpus: "0-3",
            memory: [{ phys: 0x40000000, size: 0x3f000000, flags: ["read", "write", "execute", "dma"] }],
        },
    };
}

describe("schema errors name the path, the value and the fix", () => {
    const issues = (input: unknown) => {
        try {
            parseCellConfig(input);
        } catch (error) {
            if (error instanceof ConfigValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
            throw error;
        }
        return [];
    };

    test("a region that ends past 2^64 (its end would wrap to a low address)", () => {
        const wrapping = { name: "x", cpus: 1, memory: [{ phys: "0xfffffffffffff000", virt: 0x3ffff000, size: 0x80001000, flags: ["read", "write"] }] };
        assert.deepEqual(issues(wrapping), [
            "memory[0].phys: phys 0xfffffffffffff000 + size 0x80001000 ends at 0x10000000080000000, past the 64-bit address space (2^64); " +
                "lower the start or the size so the region ends at or below 2^64",
        ]);
        const virtOnly = { name: "x", cpus: 1, memory: [{ phys: 0x70000000, virt: "0xffffffffffff0000", size: "1 MiB", flags: ["read"] }] };
        assert.match(issues(virtOnly).join("\n"), /^memory\[0\]\.virt: virt 0xffffffffffff0000 \+ size 0x100000 ends at 0x100000000000f0000, past the 64-bit address space/);
        // Ending exactly at 2^64 is the last region there is.
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ phys: "0xfffffffffffff000", size: "4 KiB", flags: ["read"] }] }), []);
    });

    test("unknown keys are errors", () => {
        assert.deepEqual(issues({ name: "x", cpus: 1, cpu: 2 }), ['(top level): unknown key "cpu"; remove it or fix the spelling (see provider/config-reference.md)']);
        assert.match(issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: 4096, flag: [] }] })[0], /^memory\[0\]: unknown key "flag"/);
    });

    test("sizes, CPU lists and flags explain what they accept", () => {
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: "64 MB" }] }), [
            'memory[0].size: size "64 MB" is not understood; write e.g. "64 MiB", "4 KiB", "0x1000" or 4096 (units: B, KiB, MiB, GiB, TiB)',
        ]);
        assert.deepEqual(issues({ name: "x", cpus: "3-1" }), ['cpus: CPU range "3-1" runs backwards; write "1-3"']);
        assert.match(issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: 4096, flags: ["readable"] }] })[0], /^memory\[0\]\.flags\[0\]: unknown memory flag "readable"; use one of read, write, execute, /);
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ size: 4096, flags: ["read"] }] }), [
            "memory[0].phys: missing: give the region's physical start address (only a comm-region may omit it)",
        ]);
    });

    test("sizes and CPU ranges are understood", () => {
        const parsed = parseCellConfig({ name: "x", cpus: [0, "2-3"], memory: [{ phys: "0x70000000", size: "64 MiB" }] });
        assert.deepEqual(parsed.cpus, [0, 2, 3]);
        assert.equal(parsed.memory[0].size, 64n << 20n);
        assert.equal(parsed.memory[0].virt, 0x70000000n);
    });
});
