// SPDX-License-Identifier: MIT
// Every validation rule: a config that breaks it, and the message it gets
// (path, the offending value and the fix). The lab configs are the baseline.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import {
    type CellConfig,
    type CellConfigInput,
    compileCell,
    ConfigValidationError,
    decompileCell,
    encodeCellConfig,
    loadConfigFile,
    parseCellConfig,
    onTimeoutOf,
    parseSystemConfig,
    type SystemConfig,
    validateCell,
    validateHost,
} from "../../../provider/src/config";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const lab = (name: string) => loadConfigFile(path.join(repoRoot, "examples", "lab", `${name}.yaml`)).config;
const system = lab("system") as SystemConfig;
const rtTimer = lab("rt-timer") as CellConfig;
const uartHello = lab("uart-hello") as CellConfig;

function cell(patch: Partial<CellConfigInput>): CellConfig {
    return parseCellConfig({
        name: "probe",
        cpus: 3,
        // As the lab configs: the hypervisor waits for the probe's answer for a bounded time.
        msgReplyTimeout: 3000,
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
        assertOne(
            messages([bad]),
            /^cells\[probe\]\.memory\[1\]: memory\[1\] \(ram2\) at 0x80000-0x17ffff overlaps memory\[0\] \(ram\) at 0x0-0xfffff in the cell's address space, so one mapping silently replaces the other; move or shrink one of them$/,
        );
    });

    test("cell memory inside the hypervisor region", () => {
        const bad = cell({
            memory: [
                { name: "ram", phys: 0x7eff0000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(
            messages([bad]),
            /^cells\[probe\]\.memory\[0\]: memory\[0\] \(ram\) at 0x7eff0000-0x7f0effff overlaps the hypervisor memory 0x7f000000-0x7fffffff; move it out/,
        );
    });

    test("cell memory over the GIC the hypervisor emulates; the root's may cover it", () => {
        const over = (phys: number) =>
            cell({
                memory: [
                    { name: "mmio", phys, virt: phys, size: "64 KiB", flags: ["read", "write", "io"] },
                    { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
                ],
            });
        assertOne(
            messages([over(0x08000000)]),
            /^cells\[probe\]\.memory\[0\]: memory\[0\] \(mmio\) at 0x8000000-0x800ffff overlaps the GIC distributor 0x8000000-0x800ffff, which the hypervisor emulates for the cell; leave the GIC out/,
        );
        assertOne(messages([over(0x080b0000)]), /overlaps the GIC redistributors 0x80a0000-0x811ffff/);
        const rootOverGic = parseSystemConfig({
            ...system,
            rootCell: {
                ...system.rootCell,
                memory: [...system.rootCell.memory, { phys: 0x08000000, virt: 0x08000000, size: "16 MiB", flags: ["read", "write", "io"] }],
            },
        });
        assert.deepEqual(
            validateHost(rootOverGic, []).filter((issue) => /GIC/.test(issue.message)),
            [],
        );
    });

    test("a cell's CPUs not owned by the root", () => {
        assertOne(
            messages([cell({ cpus: "3-5" })]),
            /^cells\[probe\]\.cpus: CPU 4-5 is not owned by the root cell \(root CPUs 0-3\); pick CPUs from the root's set$/,
        );
    });

    test("two cells sharing CPUs", () => {
        assertOne(
            messages([rtTimer, cell({ cpus: "1" })]),
            /^cells\[probe\]\.cpus: CPU 1 is also given to cell "rt-timer"; a CPU belongs to one cell at a time$/,
        );
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
        assertOne(
            messages([cell({}), other]),
            /^cells\[other\]\.memory\[0\]: memory\[0\] \(ram\) at 0x70280000-0x7037ffff overlaps cell "probe" memory\[0\] \(ram\) at 0x70200000-0x702fffff; cells may share memory only when both regions are rootshared$/,
        );
    });

    test("a page-mapped region whose phys is not page-aligned", () => {
        const bad = cell({
            memory: [
                { name: "ram", phys: 0x70200800, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assertOne(
            messages([bad]),
            /^cells\[probe\]\.memory\[0\]\.phys: memory\[0\] \(ram\) is mapped by pages but phys 0x70200800 is not page-aligned, .*; align phys to 0x1000$/,
        );
    });
});

describe("rules that follow upstream's acceptance: warnings, not errors", () => {
    const findings = (cells: CellConfig[]) =>
        validateHost(system, cells, { cpuCount: 4 }).map((i) => `${i.severity ?? "error"}: ${i.path}: ${i.message}`);

    test("unaligned regions are sub-page MMIO without the io flag; only doubtful ones warn", () => {
        const subpage = cell({
            memory: [
                { name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write", "execute", "loadable"] },
                { name: "regs", phys: 0x09000040, size: 0x40, flags: ["read", "write"], ioWidth: 32 },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assert.deepEqual(findings([subpage]), []);
        const doubtful = cell({
            memory: [
                { name: "ram", phys: 0x70200000, virt: 0, size: 0x1800, flags: ["read", "write", "execute"] },
                { name: "regs", phys: 0x09000040, size: 0x14, flags: ["read", "write", "io"] },
                { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
            ],
        });
        assert.deepEqual(findings([doubtful]), [
            "warning: cells[probe].memory[0]: memory[0] (ram) has size 0x1800 not aligned to 4 KiB pages, so the hypervisor emulates it as sub-page MMIO: every access traps and code cannot run from it; round to a multiple of 0x1000 if it is memory",
            "warning: cells[probe].memory[1]: memory[1] (regs) is a sub-page region (virt 0x9000040, size 0x14) without an access width, so the hypervisor refuses every access to it; add ioWidth: 8, 16, 32 or 64",
        ]);
    });

    test("an empty region is fine where an ivshmem device counts across it, a warning elsewhere", () => {
        const net = (extra: CellConfigInput["memory"] = []) =>
            cell({
                memory: [
                    { name: "state", phys: 0x7eb00000, size: "4 KiB", flags: ["read", "rootshared"] },
                    { name: "rw", phys: 0, size: 0 },
                    { name: "out0", phys: 0x7eb01000, size: 0x7f000, flags: ["read", "write", "rootshared"] },
                    { name: "out1", phys: 0x7eb80000, size: 0x7f000, flags: ["read", "rootshared"] },
                    ...(extra ?? []),
                    { name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write"] },
                    { name: "comm", virt: 0x80000000, size: "4 KiB", flags: ["read", "write", "comm-region"] },
                ],
                pciDevices: [{ type: "ivshmem", bdf: "00:01.0", shmemRegionsStart: 0, shmemPeers: 2, shmemProtocol: 1 }],
            });
        assert.deepEqual(findings([net()]), []);
        assert.deepEqual(findings([net([{ name: "spare", phys: 0x7fc00000, size: 0 }])]), [
            "warning: cells[probe].memory[4].size: memory[4] (spare) is empty and maps nothing; remove it unless a PCI device counts its regions across it",
        ]);
        const short = cell({ pciDevices: [{ type: "ivshmem", bdf: "00:01.0", shmemRegionsStart: 1, shmemPeers: 2 }] });
        assertOne(
            messages([short]),
            /^cells\[probe\]\.pciDevices\[0\]\.shmemRegionsStart: ivshmem device 0 uses memory\[1\.\.4\] .* but the cell has 2 regions; add the missing regions/,
        );
    });

    test("a console outside the cell's regions is a warning (it may be the hypervisor's)", () => {
        const outside = cell({ console: { type: "pl011", address: 0x09000000, size: "4 KiB", flags: ["mmio"] } });
        assert.deepEqual(
            findings([outside]).map((f) => f.slice(0, 70)),
            ["warning: cells[probe].console: console pl011 at 0x9000000 is not cover"],
        );
    });

    test("a passive cell without a comm region is a warning; an active one an error", () => {
        const memory = [{ name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write"] }];
        assert.match(
            findings([cell({ memory, flags: ["passive-comm-region"] })]).join("\n"),
            /^warning: cells\[probe\]\.memory: cell "probe" has no comm region, so its inmate gets no messages/,
        );
        assert.match(
            findings([cell({ memory })]).join("\n"),
            /^error: cells\[probe\]\.memory: cell "probe" has no comm region, .*a shutdown request is never answered/,
        );
    });
});

describe("a cell's say in its own shutdown (shutdown.timeoutMs, onTimeout)", () => {
    const findings = (cells: CellConfig[]) =>
        validateHost(system, cells, { cpuCount: 4 }).map((i) => `${i.severity ?? "error"}: ${i.path}: ${i.message}`);
    test("shutdown.timeoutMs is the .cell's msg_reply_timeout; onTimeout is the provider's and defaults to fail", () => {
        const given = cell({ msgReplyTimeout: 0, shutdown: { timeoutMs: 2500, onTimeout: "force" } });
        assert.equal(given.msgReplyTimeout, 2500n);
        assert.equal(onTimeoutOf(given), "force");
        assert.equal(onTimeoutOf(cell({})), "fail");
        // Round trip: the .cell keeps the timeout; YAML to .cell to config to .cell is byte-identical.
        const bytes = encodeCellConfig(given);
        const back = parseCellConfig(decompileCell(compileCell(given), null));
        assert.equal(back.msgReplyTimeout, 2500n);
        assert.deepEqual(encodeCellConfig(back), bytes);
        assert.deepEqual(encodeCellConfig(cell({ msgReplyTimeout: 2500 })), bytes);
    });

    test("the timeout given twice, differently, names both fields and the fix", () => {
        assert.throws(
            () => cell({ msgReplyTimeout: 1000, shutdown: { timeoutMs: 2000 } }),
            (error: ConfigValidationError) =>
                error.issues.length === 1 &&
                error.issues[0].path === "shutdown.timeoutMs" &&
                /^2000 ms differs from msgReplyTimeout 1000 ms, .*remove msgReplyTimeout/.test(error.issues[0].message),
        );
        assert.equal(cell({ msgReplyTimeout: 2000, shutdown: { timeoutMs: 2000 } }).msgReplyTimeout, 2000n);
    });

    test("an unknown onTimeout names the value and the choices", () => {
        assert.throws(
            () => cell({ shutdown: { onTimeout: "kill" as "force" } }),
            (error: ConfigValidationError) =>
                error.issues[0].path === "shutdown.onTimeout" &&
                /^"kill" is not allowed; use one of "fail", "force"$/.test(error.issues[0].message),
        );
    });

    test("an active comm region with timeout 0 can neither answer nor be forced: a warning", () => {
        const forever = findings([cell({ msgReplyTimeout: 0, shutdown: { onTimeout: "force" } })]);
        assert.equal(forever.length, 1, forever.join("\n"));
        assert.match(
            forever[0],
            /^warning: cells\[probe\]\.shutdown\.timeoutMs: cell "probe" can neither answer nor be forced: .*waits for ever .*\(shutdown\.onTimeout: force never applies\); set shutdown\.timeoutMs \(e\.g\. 3000\), or add the flag passive-comm-region/,
        );
        // A timeout, or a passive comm region (never asked), is a way out; so is the root (never asked).
        assert.deepEqual(findings([cell({ msgReplyTimeout: 0, shutdown: { timeoutMs: 500 } })]), []);
        assert.deepEqual(findings([cell({ msgReplyTimeout: 0, flags: ["passive-comm-region"] })]), []);
        assert.deepEqual(
            validateCell({ ...cell({}), msgReplyTimeout: 0n }, "root", true).filter((i) => /forced/.test(i.message)),
            [],
        );
    });

    test("every lab and consent config says what it expects", () => {
        for (const dir of ["lab", "consent", "review"])
            for (const file of fs
                .readdirSync(path.join(repoRoot, "examples", dir))
                .filter((f) => f.endsWith(".yaml") && !f.startsWith("fleet"))) {
                const loaded = loadConfigFile(path.join(repoRoot, "examples", dir, file));
                if (loaded.kind !== "cell") continue;
                assert.deepEqual(
                    validateCell(loaded.config, loaded.config.name).filter((i) => /forced/.test(i.message)),
                    [],
                    `${dir}/${file}`,
                );
            }
    });
});

describe("more validation rules", () => {
    test("a DMA-capable PCI device in a cell needs an IOMMU in the system config", () => {
        const withDevice = cell({ pciDevices: [{ type: "device", bdf: "00:04.0" }] });
        assertOne(
            messages([withDevice]),
            /^cells\[probe\]\.pciDevices\[0\]: PCI device 00:04\.0 can master DMA and the system config lists no IOMMU \(platform\.iommus\) to confine it, .*keep the device with the root cell, or list the IOMMU that translates it$/,
        );
        const input = structuredCloneInput();
        const withIommu = parseSystemConfig({
            ...input,
            platform: { ...input.platform, iommus: [{ type: "smmuv3", base: 0x09050000, size: 0x20000 }] },
        });
        assert.deepEqual(messages([withDevice], withIommu), []);
        assert.deepEqual(
            messages([cell({ pciDevices: [{ type: "ivshmem", bdf: "00:01.0", shmemRegionsStart: 0, shmemPeers: 0 }] })]).filter((m) =>
                /DMA/.test(m),
            ),
            [],
        );
    });

    test("a name longer than 31 bytes", () => {
        assert.throws(
            () => cell({ name: "a-cell-name-that-is-far-too-long-x" }),
            (error: ConfigValidationError) => {
                assert.equal(error.issues.length, 1);
                assert.equal(error.issues[0].path, "name");
                assert.match(
                    error.issues[0].message,
                    /cell name "a-cell-name-that-is-far-too-long-x" is 34 bytes; the limit is 31: shorten it/,
                );
                return true;
            },
        );
    });

    test("a console not covered by a region", () => {
        const bad = cell({ console: { type: "pl011", address: 0x09000000, size: "4 KiB", flags: ["mmio"] } });
        assertOne(
            messages([bad]),
            /^cells\[probe\]\.console: console pl011 at 0x9000000 is not covered by any memory region of the cell, so the inmate can reach it only through the hypervisor's console; if it drives the UART itself, add a region \{ phys: 0x9000000, size: 4 KiB, flags: \[read, write, io, rootshared\] \}$/,
        );
    });

    test("a missing comm region", () => {
        const bad = cell({ memory: [{ name: "ram", phys: 0x70200000, virt: 0, size: "1 MiB", flags: ["read", "write"] }] });
        assertOne(
            messages([bad]),
            /^cells\[probe\]\.memory: cell "probe" has no comm region, .*; add \{ virt: 0x80000000, size: 4 KiB, flags: \[read, write, comm-region\] \}$/,
        );
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
        const wrapping = {
            name: "x",
            cpus: 1,
            memory: [{ phys: "0xfffffffffffff000", virt: 0x3ffff000, size: 0x80001000, flags: ["read", "write"] }],
        };
        assert.deepEqual(issues(wrapping), [
            "memory[0].phys: phys 0xfffffffffffff000 + size 0x80001000 ends at 0x10000000080000000, past the 64-bit address space (2^64); " +
                "lower the start or the size so the region ends at or below 2^64",
        ]);
        const virtOnly = { name: "x", cpus: 1, memory: [{ phys: 0x70000000, virt: "0xffffffffffff0000", size: "1 MiB", flags: ["read"] }] };
        assert.match(
            issues(virtOnly).join("\n"),
            /^memory\[0\]\.virt: virt 0xffffffffffff0000 \+ size 0x100000 ends at 0x100000000000f0000, past the 64-bit address space/,
        );
        // Ending exactly at 2^64 is the last region there is.
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ phys: "0xfffffffffffff000", size: "4 KiB", flags: ["read"] }] }), []);
    });

    test("unknown keys are errors", () => {
        assert.deepEqual(issues({ name: "x", cpus: 1, cpu: 2 }), [
            '(top level): unknown key "cpu"; remove it or fix the spelling (see provider/config-reference.md)',
        ]);
        assert.match(issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: 4096, flag: [] }] })[0], /^memory\[0\]: unknown key "flag"/);
    });

    test("sizes, CPU lists and flags explain what they accept", () => {
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: "64 MB" }] }), [
            'memory[0].size: size "64 MB" is not understood; write e.g. "64 MiB", "4 KiB", "0x1000" or 4096 (units: B, KiB, MiB, GiB, TiB)',
        ]);
        assert.deepEqual(issues({ name: "x", cpus: "3-1" }), ['cpus: CPU range "3-1" runs backwards; write "1-3"']);
        assert.match(
            issues({ name: "x", cpus: 1, memory: [{ phys: 0, size: 4096, flags: ["readable"] }] })[0],
            /^memory\[0\]\.flags\[0\]: unknown memory flag "readable"; use one of read, write, execute, /,
        );
        assert.deepEqual(issues({ name: "x", cpus: 1, memory: [{ size: 4096, flags: ["read"] }] }), [
            "memory[0].phys: missing: give the region's physical start address (only a comm-region may omit it)",
        ]);
    });

    test("a 64-bit field that holds no address is not called one", () => {
        assert.deepEqual(issues({ name: "x", cpus: 1, msgReplyTimeout: "soon" }), [
            'msgReplyTimeout: value "soon" is not a number; write decimal (4096) or hex ("0x1000")',
        ]);
        assert.deepEqual(issues({ name: "x", cpus: 1, console: { clockReg: "0x1_0000_0000_0000_0000" } }), [
            "console.clockReg: value 0x10000000000000000 does not fit in 64 bits",
        ]);
        assert.match(issues({ name: "x", cpus: 1, cpuResetAddress: "start" })[0], /^cpuResetAddress: address "start" is not a number/);
    });

    test("sizes and CPU ranges are understood", () => {
        const parsed = parseCellConfig({ name: "x", cpus: [0, "2-3"], memory: [{ phys: "0x70000000", size: "64 MiB" }] });
        assert.deepEqual(parsed.cpus, [0, 2, 3]);
        assert.equal(parsed.memory[0].size, 64n << 20n);
        assert.equal(parsed.memory[0].virt, 0x70000000n);
    });
});
