// SPDX-License-Identifier: MIT
// The field types the config schemas are built from: numbers, addresses,
// sizes and lists of CPUs, SPIs and pins in the forms people write them, each converted to its
// normalised value with a message naming the value and the fix.
import { z } from "zod";
import { parseAddress, parseCpuList, parseInteger, parsePinList, parseSize, parseSpiList, parseU64, UnitError } from "./units";

const numeric = z.union([z.number(), z.bigint(), z.string()]);

const numberOrRangeList = z.union([z.number(), z.bigint(), z.string(), z.array(numeric)]);

/** `input` converted by `convert`; a UnitError becomes the issue's message, which names the value and the fix. */
function converted<T, I extends z.ZodType = typeof numeric>(
    convert: (value: unknown) => T,
    description: string,
    input: I = numeric as unknown as I,
) {
    return input
        .transform((value, ctx): T => {
            try {
                return convert(value);
            } catch (error) {
                if (!(error instanceof UnitError)) throw error;
                ctx.addIssue({ code: "custom", message: error.message, input: value });
                return z.NEVER;
            }
        })
        .describe(description);
}

export const Address = converted(parseAddress, 'An address: a number or a hex string such as "0x7f000000".');
export const Size = converted(parseSize, 'A size: "64 MiB", "4 KiB", a hex string such as "0x1000", or a number of bytes.');

export function intField(bits: 8 | 16 | 32, what = "value") {
    const max = 2 ** bits - 1;
    return converted((value) => {
        const n = parseInteger(value, what);
        if (n < 0n || n > BigInt(max)) throw new UnitError(`${what} ${n} is out of range 0..${max} (${bits}-bit field)`);
        return Number(n);
    }, `An integer 0..${max}.`);
}
export const U8 = intField(8);
export const U16 = intField(16);
export const U32 = intField(32);
export const U64 = converted((v) => parseU64(v, "value"), "A 64-bit integer, decimal or hex string.");

export const CpuList = converted(
    (value) => parseCpuList(value),
    'CPUs as a list or ranges: "1", "2-3", "0,2-3" or [0, "2-3"].',
    numberOrRangeList,
);

export const SpiList = converted(
    parseSpiList,
    'SPI numbers (GIC INTID minus 32) as a list or ranges: "1", "32-35" or [1, 7].',
    numberOrRangeList,
);

export const PinList = converted(
    parsePinList,
    'Pins as a list or ranges, each 0..127 counted from the chip\'s base: "0-23" or [3, 4].',
    numberOrRangeList,
);

/** Named flags, plus "0x..." for bits without a name so nothing is lost. */
export function flagListSchema<T extends Record<string, number>>(known: T, what: string) {
    const names = Object.keys(known) as [string, ...string[]];
    return z
        .array(z.string())
        .default([])
        .superRefine((flags, ctx) => {
            flags.forEach((flag, i) => {
                if (!(flag in known) && !/^0x[0-9a-f]+$/i.test(flag))
                    ctx.addIssue({
                        code: "custom",
                        path: [i],
                        message: `unknown ${what} flag "${flag}"; use one of ${names.join(", ")} (or "0x..." for a raw bit)`,
                    });
            });
        })
        .describe(`${what} flags: ${names.join(", ")}.`);
}

/** A named value, or the raw number for a value newer than these names (kept so nothing is lost). */
export function namedOrRaw(table: Record<string, number>, bits: 8 | 16 | 32) {
    return z.union([z.enum(Object.keys(table) as [string, ...string[]]), intField(bits)]);
}
