// SPDX-License-Identifier: MIT
// The rules across the cells of one host, applied by the Cell's check() as
// `pulumi preview` runs it, with paths the user finds in the program.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { providers } from "../../../provider/src/resources/providers";
import { cellRuleFailures, cellRuleWarnings } from "../../../provider/src/resources/host-rules";
import { resolveCellConfig, resolveSystemConfig, storeCellConfig } from "../../../provider/src/resources/plan";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const lab = (file: string) => path.join(repoRoot, "examples", "lab", file);
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const system = resolveSystemConfig(lab("system.yaml"));
const uartHello = resolveCellConfig(lab("uart-hello.yaml"));
const uartEcho = resolveCellConfig(lab("uart-echo.yaml"));
const rtTimer = resolveCellConfig(lab("rt-timer.yaml"));

const connection = (port: number) => ({ host: "127.0.0.1", port, user: "root", privateKey: "k", hostKey: { trustOnFirstUse: true } });
const reasons = (failures: { reason: string }[] | undefined) => (failures ?? []).map((f) => f.reason);

describe("rules across the cells of a host", () => {
    test("a CPU given to two cells is reported on the resource that meets the other", () => {
        const failures = cellRuleFailures(
            { resourceName: "h1-uart-echo", config: uartEcho },
            [{ resourceName: "h1-uart-hello", config: uartHello }],
            system,
        );
        assert.deepEqual(reasons(failures), [
            'h1-uart-echo: cpus: CPU 2 is also given to cell "uart-hello"; a CPU belongs to one cell at a time',
        ]);
        assert.deepEqual(
            cellRuleFailures(
                { resourceName: "h1-rt-timer", config: rtTimer },
                [{ resourceName: "h1-uart-hello", config: uartHello }],
                system,
            ),
            [],
        );
    });

    test("cell memory in the hypervisor's range and CPUs outside the root need the system config", () => {
        const stored = storeCellConfig(rtTimer).config as { memory: Record<string, unknown>[] };
        const inHypervisor = resolveCellConfig({
            ...stored,
            cpus: "1,7",
            memory: [{ ...stored.memory[0], phys: "0x7f000000" }, ...stored.memory.slice(1)],
        });
        const found = reasons(cellRuleFailures({ resourceName: "bad", config: inHypervisor }, [], system));
        assert.ok(
            found.some((r) => /^bad: memory\[0\]: memory\[0\] \(ram\) at 0x7f000000-.* overlaps the hypervisor memory/.test(r)),
            found.join("\n"),
        );
        assert.ok(
            found.some((r) => /^bad: cpus: CPU 7 is not owned by the root cell/.test(r)),
            found.join("\n"),
        );
    });

    test("a cell on its own reports paths of its config, not of its name", () => {
        const stored = storeCellConfig(rtTimer).config as { memory: Record<string, unknown>[]; name: string };
        // Without the passive flag a cell needs a comm region to answer the hypervisor.
        const noComm = resolveCellConfig({ ...stored, flags: [], memory: stored.memory.filter((region) => region.name !== "comm") });
        assert.deepEqual(
            reasons(cellRuleFailures({ resourceName: "demo", config: noComm }, [], undefined)).map((r) =>
                r.split(": ").slice(0, 2).join(": "),
            ),
            ["demo: memory"],
        );
    });
});

describe("check() as preview runs it", () => {
    test("finds the CPU two cells of one host share, naming the resource", async () => {
        const hv = await providers.hypervisor.check(
            {},
            { connection: connection(20001), systemConfig: lab("system.yaml"), stack: "installed" },
        );
        assert.deepEqual(hv.failures, []);
        const hello = await providers.cell.check(
            {},
            { connection: connection(20001), config: lab("uart-hello.yaml"), resourceName: "h1-uart-hello" },
        );
        assert.deepEqual(hello.failures, []);
        const echo = await providers.cell.check(
            {},
            { connection: connection(20001), config: lab("uart-echo.yaml"), resourceName: "h1-uart-echo" },
        );
        assert.deepEqual(reasons(echo.failures), [
            'h1-uart-echo: cpus: CPU 2 is also given to cell "uart-hello"; a CPU belongs to one cell at a time',
        ]);
        // Checked again (the update after the preview), a cell does not meet itself.
        const again = await providers.cell.check(
            {},
            { connection: connection(20001), config: lab("uart-hello.yaml"), resourceName: "h1-uart-hello" },
        );
        assert.deepEqual(reasons(again.failures), [
            'h1-uart-hello: cpus: CPU 2 is also given to cell "uart-echo"; a CPU belongs to one cell at a time',
        ]);
    });

    test("cells of other hosts do not meet", async () => {
        await providers.cell.check({}, { connection: connection(20002), config: lab("uart-hello.yaml"), resourceName: "a" });
        const other = await providers.cell.check({}, { connection: connection(20003), config: lab("uart-echo.yaml"), resourceName: "b" });
        assert.deepEqual(other.failures, []);
    });

    test("unknown values during preview are tolerated", async () => {
        const unknownHost = await providers.cell.check({}, { connection: unknown, config: lab("uart-echo.yaml"), resourceName: "c" });
        assert.deepEqual(unknownHost.failures, []);
        const unknownConfig = await providers.cell.check({}, { connection: connection(20004), config: unknown, resourceName: "d" });
        assert.deepEqual(unknownConfig.failures, []);
    });
});

test("a cell that can neither answer nor be forced is a warning the deployment shows and goes on with", () => {
    const forever = { ...resolveCellConfig(path.join(repoRoot, "examples", "consent", "consent-probe.yaml")), msgReplyTimeout: 0n };
    const declared = { resourceName: "probe", config: forever };
    assert.deepEqual(cellRuleFailures(declared, [], system), []);
    const warnings = cellRuleWarnings(declared);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^probe: warning: config\.shutdown\.timeoutMs: cell "consent-probe" can neither answer nor be forced: /);
    assert.deepEqual(cellRuleWarnings({ resourceName: "timer", config: rtTimer }), []);
});
