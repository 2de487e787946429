// SPDX-License-Identifier: MIT
// Flag words and enumerated values of the .cell format between numbers and
// the names of abi.ts. Both directions keep every bit: a bit without a name
// travels as a "0x..." entry, a value without a name as its number.
import { formatHex } from "./units";

/** The flag word of named flags and "0x..." raw bits. */
export function encodeFlags(flags: readonly string[], known: Record<string, number>): bigint {
    let word = 0n;
    for (const flag of flags) word |= flag in known ? BigInt(known[flag] >>> 0) : BigInt(flag);
    return word;
}

/** The names of the bits set in `word`, then one "0x..." entry for the bits without a name. */
export function decodeFlags(word: bigint, known: Record<string, number>): string[] {
    const names: string[] = [];
    let rest = word;
    for (const [name, bit] of Object.entries(known)) {
        const b = BigInt(bit >>> 0);
        if ((rest & b) === b) {
            names.push(name);
            rest &= ~b;
        }
    }
    if (rest) names.push(formatHex(rest));
    return names;
}

/** The number of a named value, or the number itself for one newer than the names. */
export function numberOf(table: Record<string, number>, name: string | number): number {
    return typeof name === "number" ? name : table[name];
}

/** The name of a value, or undefined when the table has none. */
export function nameOf(table: Record<string, number>, value: number): string | undefined {
    return Object.entries(table).find(([, v]) => v === value)?.[0];
}
