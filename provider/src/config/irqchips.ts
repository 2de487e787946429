// SPDX-License-Identifier: MIT
// Interrupt controllers between the friendly form and .cell bitmaps. A .cell
// irqchip is a base plus a 128-bit bitmap; what the base means depends on the
// chip: on ARM the GIC INTID of bit 0 (people think in SPIs, INTID - 32), on
// x86 the first GSI of an IOAPIC (people think in the IOAPIC's pins).
import { IRQCHIP_BITMAP_WORDS } from "./abi";
import type { IrqchipDesc } from "./binary";
import type { Irqchip } from "./schema";
import { formatHex, formatRanges } from "./units";

export class IrqchipError extends Error {
    constructor(
        readonly path: string,
        message: string,
    ) {
        super(message);
    }
}

const WORD_BITS = 32;
/** Interrupts one irqchip entry covers from its pinBase: the window of 128. */
export const IRQCHIP_WINDOW = IRQCHIP_BITMAP_WORDS * WORD_BITS;
/** GIC INTID of SPI 0; INTIDs below are SGIs and PPIs. */
export const FIRST_SPI = 32;
const MAX_SPI = 1023;

function bitmapOf(bits: readonly number[]): IrqchipDesc["pinBitmap"] {
    const bitmap: IrqchipDesc["pinBitmap"] = new Array<number>(IRQCHIP_BITMAP_WORDS).fill(0);
    for (const bit of bits) {
        const word = Math.floor(bit / WORD_BITS);
        bitmap[word] = (bitmap[word] | (1 << (bit % WORD_BITS))) >>> 0;
    }
    return bitmap;
}

function bitsOf(chip: IrqchipDesc): number[] {
    const bits: number[] = [];
    chip.pinBitmap.forEach((word, w) => {
        for (let bit = 0; bit < WORD_BITS; bit++) if ((word >>> bit) & 1) bits.push(w * WORD_BITS + bit);
    });
    return bits;
}

function compilePins(chip: Irqchip, path: string): IrqchipDesc {
    const tooHigh = chip.pins!.find((pin) => pin >= IRQCHIP_WINDOW);
    if (tooHigh !== undefined)
        throw new IrqchipError(
            `${path}.pins`,
            `pin ${tooHigh} does not fit the ${IRQCHIP_WINDOW}-pin bitmap; pins count from the chip's base (0..${IRQCHIP_WINDOW - 1})`,
        );
    return { address: chip.address, id: chip.id, pinBase: chip.gsiBase ?? chip.pinBase ?? 0, pinBitmap: bitmapOf(chip.pins!) };
}

/**
 * SPIs grouped into one entry per window of 128 interrupts, as Jailhouse's
 * configs lay them out. A pinBase on a word boundary keeps each bitmap word
 * on one 32-interrupt GIC register.
 */
function compileSpis(chip: Irqchip, path: string): IrqchipDesc[] {
    const groups = new Map<number, number[]>();
    if (chip.pinBase !== undefined) {
        if (chip.pinBase % WORD_BITS !== 0)
            throw new IrqchipError(
                `${path}.pinBase`,
                `${chip.pinBase} is not a multiple of ${WORD_BITS}; use ${chip.pinBase - (chip.pinBase % WORD_BITS)}, or give pins instead of spis`,
            );
        groups.set(chip.pinBase, []);
    }
    for (const spi of chip.spis!) {
        const intid = spi + FIRST_SPI;
        const base = chip.pinBase ?? FIRST_SPI + Math.floor(spi / IRQCHIP_WINDOW) * IRQCHIP_WINDOW;
        if (intid < base || intid >= base + IRQCHIP_WINDOW)
            throw new IrqchipError(
                `${path}.spis`,
                `SPI ${spi} (INTID ${intid}) is outside pinBase ${base}..${base + IRQCHIP_WINDOW - 1}; leave pinBase out or split the list`,
            );
        (groups.get(base) ?? groups.set(base, []).get(base)!).push(intid - base);
    }
    if (groups.size === 0) groups.set(FIRST_SPI, []);
    return [...groups]
        .sort(([a], [b]) => a - b)
        .map(([pinBase, bits]) => ({ address: chip.address, id: chip.id, pinBase, pinBitmap: bitmapOf(bits) }));
}

export function compileIrqchips(chips: readonly Irqchip[], path: string): IrqchipDesc[] {
    return chips.flatMap((chip, i) =>
        chip.pins !== undefined ? [compilePins(chip, `${path}[${i}]`)] : compileSpis(chip, `${path}[${i}]`),
    );
}

/** The friendly form of one .cell irqchip: pins on x86, SPIs on ARM where they can say it. */
export function decompileIrqchip(chip: IrqchipDesc, x86: boolean): Record<string, unknown> {
    const bits = bitsOf(chip);
    const ranges = (numbers: number[]) => (numbers.length ? formatRanges(numbers) : []);
    const id = chip.id ? { id: formatHex(chip.id) } : {};
    const address = formatHex(chip.address);
    if (x86) return { address, ...id, ...(chip.pinBase ? { gsiBase: chip.pinBase } : {}), pins: ranges(bits) };
    // The SPI list notation goes up to SPI 1023; larger bases keep bits.
    const spiShaped =
        chip.pinBase >= FIRST_SPI && chip.pinBase % WORD_BITS === 0 && chip.pinBase + IRQCHIP_WINDOW <= MAX_SPI + FIRST_SPI + 1;
    if (!spiShaped) return { address, ...id, pinBase: chip.pinBase, pins: ranges(bits) };
    return { address, ...id, pinBase: chip.pinBase, spis: ranges(bits.map((bit) => chip.pinBase + bit - FIRST_SPI)) };
}

/** Every interrupt a chip owns, as "address:number" keys (INTID on ARM, GSI on x86) for conflict checks. */
export function ownedInterrupts(chip: Irqchip): { key: string; number: number }[] {
    const numbers =
        chip.spis !== undefined
            ? chip.spis.map((spi) => spi + FIRST_SPI)
            : chip.pins!.map((pin) => pin + (chip.gsiBase ?? chip.pinBase ?? 0));
    return numbers.map((number) => ({ key: `${chip.address}:${number}`, number }));
}

/** "1,5-7" for SPIs, "pins 0-23 from 24" for pins: what a reviewer reads in a diff. */
export function describeInterrupts(chip: Irqchip): string {
    if (chip.spis !== undefined) return formatRanges(chip.spis);
    const base = chip.gsiBase ?? chip.pinBase ?? 0;
    return `pins ${formatRanges(chip.pins!) || "none"}${base ? ` from ${base}` : ""}`;
}
