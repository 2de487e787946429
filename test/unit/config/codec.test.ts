// SPDX-License-Identifier: MIT
// The .cell codec: byte-exact round trips on random valid configs, and clear
// errors (never a crash) on random, mutated, truncated or foreign bytes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
    ConfigFormatError,
    decodeCell,
    decodeConfig,
    decodeSystem,
    encodeCell,
    encodeConfig,
    encodeSystem,
} from "../../../provider/src/config";
import { cellDesc, systemDesc } from "./arbitraries";

describe("codec round trips", () => {
    test("1,000 random cell configs: decode(encode(x)) = x and encode(decode(b)) = b", () => {
        fc.assert(
            fc.property(cellDesc(), (cell) => {
                const bytes = encodeCell(cell);
                const decoded = decodeCell(bytes);
                assert.deepEqual(decoded, cell);
                assert.ok(encodeCell(decoded).equals(bytes));
            }),
            { numRuns: 1000 },
        );
    });

    test("1,000 random system configs: decode(encode(x)) = x and encode(decode(b)) = b", () => {
        fc.assert(
            fc.property(systemDesc, (system) => {
                const bytes = encodeSystem(system);
                const decoded = decodeSystem(bytes);
                assert.deepEqual(decoded, system);
                assert.ok(encodeSystem(decoded).equals(bytes));
            }),
            { numRuns: 1000 },
        );
    });
});

test("a system with 60 memory regions (a big GICv2 board) encodes past the first buffer size", () => {
    const [system] = fc.sample(systemDesc, { numRuns: 1, seed: 60 });
    const memory = Array.from({ length: 60 }, (_, i) => ({
        physStart: BigInt(i) << 20n,
        virtStart: BigInt(i) << 20n,
        size: 0x1000n,
        flags: 3n,
    }));
    const big = { ...system, rootCell: { ...system.rootCell, memory } };
    const bytes = encodeSystem(big);
    assert.ok(bytes.length > 60 * 32);
    assert.deepEqual(decodeSystem(bytes), big);
});

function decodesOrExplains(bytes: Uint8Array) {
    try {
        const config = decodeConfig(bytes);
        // Whatever decodes must encode back to exactly the same bytes.
        assert.ok(encodeConfig(config).equals(Buffer.from(bytes)), "re-encoding a decoded file changed its bytes");
    } catch (error) {
        if (!(error instanceof ConfigFormatError)) throw error;
        assert.match(error.message, /\S/);
    }
}

describe("decoder robustness", () => {
    const valid = fc.oneof(
        cellDesc().map((cell) => encodeCell(cell)),
        systemDesc.map((system) => encodeSystem(system)),
    );
    const mutated = fc
        .tuple(
            valid,
            fc.array(fc.tuple(fc.nat(), u8()), { minLength: 1, maxLength: 6 }),
            fc.option(fc.nat()),
            fc.uint8Array({ maxLength: 16 }),
        )
        .map(([bytes, flips, cut, tail]) => {
            const out = Buffer.from(bytes);
            for (const [at, value] of flips) out[at % out.length] = value;
            const truncated = cut === null ? out : out.subarray(0, cut % (out.length + 1));
            return tail.length && cut === null ? Buffer.concat([truncated, tail]) : truncated;
        });
    const random = fc.uint8Array({ maxLength: 800 });
    const prefixed = fc
        .tuple(fc.constantFrom("JHSYS", "JHCLL", "JHSYST", "JHCELL"), fc.uint8Array({ maxLength: 800 }))
        .map(([sig, rest]) => Buffer.concat([Buffer.from(sig, "latin1"), Buffer.from([2, 14, 0]), rest]));

    test("10,000 random or mutated byte strings decode or give a ConfigFormatError", () => {
        fc.assert(fc.property(fc.oneof(mutated, random, prefixed), decodesOrExplains), { numRuns: 10000 });
    });
});

function u8() {
    return fc.integer({ min: 0, max: 255 });
}

describe("decoder errors say what, where and which revision", () => {
    const cell = encodeCell(fc.sample(cellDesc(), { numRuns: 1, seed: 7 })[0]);

    test("another revision names the revision found", () => {
        const old = Buffer.from(cell);
        old.writeUInt16LE(13, 6);
        assert.throws(() => decodeConfig(old), /configuration revision 13 found; only revision 14 is supported \(at byte offset 6\)/);
    });

    test("a revision-13 file with the 6-byte signature is recognised as such", () => {
        const old = Buffer.from(cell);
        old.write("JHCELL", 0, "latin1");
        old.writeUInt16LE(13, 6);
        assert.throws(() => decodeConfig(old), /Jailhouse cell configuration of revision 13 \(6-byte signature "JHCELL"\)/);
    });

    test("truncated input says what was cut short and where", () => {
        assert.throws(
            () => decodeConfig(cell.subarray(0, 100)),
            /truncated: the cell header needs 132 bytes but only 100 remain of 100 \(at byte offset 0\)/,
        );
        assert.throws(
            () => decodeConfig(cell.subarray(0, cell.length - 1)),
            (error: Error) => {
                assert.ok(error instanceof ConfigFormatError);
                assert.match(
                    error.message,
                    /^truncated: cell ".*" declares .* but only \d+ bytes follow its header \(at byte offset 132\)$/,
                );
                return true;
            },
        );
    });

    test("garbage gets the signature it found", () => {
        assert.throws(
            () => decodeConfig(Buffer.from("hello, world!")),
            /not a Jailhouse configuration: signature "hello", expected "JHSYS" or "JHCLL"/,
        );
        assert.throws(() => decodeConfig(Buffer.alloc(3)), /truncated: 3 bytes is shorter than any configuration header/);
    });

    test("huge section counts are refused before anything is allocated", () => {
        const big = Buffer.from(cell);
        big.writeUInt32LE(0xffffffff, 52);
        assert.throws(() => decodeConfig(big), /truncated: cell ".*" declares .*4294967295 memory regions/);
    });

    test("trailing bytes and an unknown architecture are errors", () => {
        assert.throws(
            () => decodeConfig(Buffer.concat([cell, Buffer.from([1])])),
            /1 unexpected bytes after the end of the cell configuration/,
        );
        const arch = Buffer.from(cell);
        arch[5] = 9;
        assert.throws(() => decodeConfig(arch), /unknown architecture 9 \(0 x86, 1 arm, 2 arm64\) \(at byte offset 5\)/);
    });
});
