// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigValidationError, parseCellConfig } from "../../../provider/src/config";
import { parseCpuList, parseCpuListText, parsePinList, parseSpiList, UnitError } from "../../../provider/src/config/units";

describe("CPU, SPI and pin lists", () => {
    test("a CPU list reads ranges, numbers and arrays of either, sorted and each once", () => {
        assert.deepEqual(parseCpuList("0-2,4"), [0, 1, 2, 4]);
        assert.deepEqual(parseCpuList([3, "0-1", 1n]), [0, 1, 3]);
        assert.deepEqual(parseCpuList(" 2 - 3 , 2"), [2, 3]);
    });

    test("a bad CPU list says what is wrong and how to write it", () => {
        assert.throws(() => parseCpuList("3-1"), { message: 'CPU range "3-1" runs backwards; write "1-3"' });
        assert.throws(() => parseCpuList("0,,1"), { message: 'CPU list "0,,1" is not understood; write e.g. "1", "2-3" or "0,2-3"' });
        assert.throws(() => parseCpuList([{}]), {
            message: 'CPU list item "[object Object]" is neither a number nor a range; write e.g. "1", "2-3" or [0, "2-3"]',
        });
        assert.throws(() => parseCpuList(1024), { message: "CPU 1024 is out of range; CPUs are numbered 0 to 1023" });
        assert.throws(() => parseCpuList("2-9", 7), { message: "CPU 2-9 is out of range; CPUs are numbered 0 to 7" });
    });

    test("an SPI list is its own kind: SPI messages and the GIC's SPI range", () => {
        assert.deepEqual(parseSpiList("1,32-33"), [1, 32, 33]);
        assert.deepEqual(parseSpiList(987), [987]);
        assert.throws(() => parseSpiList(988), { message: "SPI 988 is out of range; SPIs are numbered (GIC INTID minus 32) 0 to 987" });
        assert.throws(() => parseSpiList("5-4"), { message: 'SPI range "5-4" runs backwards; write "4-5"' });
        assert.throws(() => parseSpiList("x"), { message: 'SPI list "x" is not understood; write e.g. "1", "32-35" or "1,7"' });
        assert.throws(
            () => parseSpiList([true]),
            /SPI list item "true" is neither a number nor a range; write e.g. "1", "32-35" or \[1, "32-35"\]/,
        );
    });

    test("the kernel's text form: empty is no CPU, anything else must be a CPU list", () => {
        assert.deepEqual(parseCpuListText("0-3\n"), [0, 1, 2, 3]);
        assert.deepEqual(parseCpuListText(""), []);
        assert.deepEqual(parseCpuListText("\n"), []);
        for (const bad of ["a", "1-", "3-1", "0,,x", "-1"]) assert.throws(() => parseCpuListText(bad), UnitError, bad);
    });

    test("a config's irqchip SPIs are checked as SPIs: the field, the value and the fix", () => {
        const withSpis = (spis: unknown) =>
            parseCellConfig({ name: "c", cpus: 1, irqchips: [{ address: 0x08000000, spis: spis as string }] });
        assert.deepEqual(withSpis("1,32-33").irqchips[0].spis, [1, 32, 33]);
        assert.throws(
            () => withSpis(1000),
            (error: ConfigValidationError) =>
                error.issues.length === 1 &&
                error.issues[0].path === "irqchips[0].spis" &&
                error.issues[0].message === "SPI 1000 is out of range; SPIs are numbered (GIC INTID minus 32) 0 to 987",
        );
        assert.throws(() => withSpis("9-3"), /SPI range "9-3" runs backwards; write "3-9"/);
    });

    test("a config's irqchip pins are checked as pins, counted from the chip's base: never called CPUs", () => {
        const withPins = (pins: unknown) =>
            parseCellConfig({ name: "c", cpus: 1, irqchips: [{ address: 0xfec00000, pins: pins as string }] });
        assert.deepEqual(withPins("0-2,127").irqchips[0].pins, [0, 1, 2, 127]);
        const issueOf = (pins: unknown) => {
            try {
                withPins(pins);
            } catch (error) {
                assert.ok(error instanceof ConfigValidationError);
                assert.equal(error.issues.length, 1);
                assert.equal(error.issues[0].path, "irqchips[0].pins");
                return error.issues[0].message;
            }
            assert.fail(`pins ${JSON.stringify(pins)} were accepted`);
        };
        assert.equal(issueOf(128), "pin 128 is out of range; pins count from the chip's base and are numbered 0 to 127");
        assert.equal(issueOf("9-3"), 'pin range "9-3" runs backwards; write "3-9"');
        assert.equal(issueOf("a"), 'pin list "a" is not understood; write e.g. "3", "0-23" or "0-23,25"');
        for (const bad of [128, "9-3", "a"]) assert.doesNotMatch(String(issueOf(bad)), /CPU/);
        assert.deepEqual(parsePinList([5, "0-1"]), [0, 1, 5]);
        assert.throws(() => parsePinList([true]), {
            message: 'pin list item "true" is neither a number nor a range; write e.g. "3", "0-23" or [3, "8-11"]',
        });
    });
});
