// SPDX-License-Identifier: MIT
// The notations people write in partition configs: sizes ("64 MiB", "0x1000",
// 4096), addresses (hex strings, numbers or bigints; YAML is read with
// integers as bigints so 64-bit values survive), and lists of CPUs, SPIs or
// irqchip pins ("1", "2-3", [0, "2-3"]). Parsers throw UnitError with the
// fix; the zod schemas turn that into a path-qualified message.
import { IRQCHIP_BITMAP_WORDS } from "./abi";

export class UnitError extends Error {}

const sizeUnits: Record<string, bigint> = {
    "": 1n,
    b: 1n,
    kib: 1n << 10n,
    mib: 1n << 20n,
    gib: 1n << 30n,
    tib: 1n << 40n,
};

const maxU64 = (1n << 64n) - 1n;

export function parseInteger(value: unknown, what: string): bigint {
    if (typeof value === "bigint") return value;
    if (typeof value === "number") {
        if (!Number.isSafeInteger(value))
            throw new UnitError(`${what} ${value} is not an exact integer; write it as a hex string such as "0x7f000000"`);
        return BigInt(value);
    }
    if (typeof value === "string") {
        const text = value.trim().replace(/_/g, "");
        if (/^0x[0-9a-f]+$/i.test(text) || /^[0-9]+$/.test(text)) return BigInt(text);
    }
    throw new UnitError(`${what} ${JSON.stringify(String(value))} is not a number; write decimal (4096) or hex ("0x1000")`);
}

export function parseSize(value: unknown): bigint {
    if (typeof value === "string") {
        const match = /^\s*(0x[0-9a-f_]+|[0-9_]+)\s*([a-z]*)\s*$/i.exec(value);
        const unit = match ? sizeUnits[match[2].toLowerCase()] : undefined;
        if (!match || unit === undefined)
            throw new UnitError(
                `size ${JSON.stringify(value)} is not understood; write e.g. "64 MiB", "4 KiB", "0x1000" or 4096 (units: B, KiB, MiB, GiB, TiB)`,
            );
        return checkU64(parseInteger(match[1], "size") * unit, "size");
    }
    return checkU64(parseInteger(value, "size"), "size");
}

/** A 64-bit integer; `what` names it in messages (an address, a timeout, a register value). */
export function parseU64(value: unknown, what: string): bigint {
    return checkU64(parseInteger(value, what), what);
}

export function parseAddress(value: unknown): bigint {
    return parseU64(value, "address");
}

function checkU64(value: bigint, what: string): bigint {
    if (value < 0n || value > maxU64) throw new UnitError(`${what} 0x${value.toString(16)} does not fit in 64 bits`);
    return value;
}

export function formatHex(value: bigint | number): string {
    return `0x${value.toString(16)}`;
}

/** A PCI bus/device/function number as bus:device.function, the way lspci writes it. */
export function formatBdf(bdf: number): string {
    return `${(bdf >> 8).toString(16).padStart(2, "0")}:${((bdf >> 3) & 31).toString(16).padStart(2, "0")}.${bdf & 7}`;
}

export function formatSize(value: bigint): string {
    for (const [unit, factor] of [
        ["GiB", 1n << 30n],
        ["MiB", 1n << 20n],
        ["KiB", 1n << 10n],
    ] as const) {
        if (value >= factor && value % factor === 0n) return `${value / factor} ${unit}`;
    }
    return value < 1024n ? `${value} B` : formatHex(value);
}

/** What a range list counts: its name in messages, the largest number and the examples a message offers. */
export interface RangeListKind {
    /** "CPU", "SPI", "pin". */
    what: string;
    /** How messages name the numbering, e.g. "CPUs are numbered". */
    numbered: string;
    max: number;
    /** Valid single items, e.g. '"1", "2-3"'. */
    items: string;
    /** A valid list in one string, e.g. '"0,2-3"'. */
    list: string;
    /** A valid array, e.g. '[0, "2-3"]'. */
    array: string;
}

export const cpuListKind: RangeListKind = {
    what: "CPU",
    numbered: "CPUs are numbered",
    max: 1023,
    items: '"1", "2-3"',
    list: '"0,2-3"',
    array: '[0, "2-3"]',
};

/** GIC shared peripheral interrupts, numbered from INTID 32 (SPI 0) to INTID 1019. */
export const spiListKind: RangeListKind = {
    what: "SPI",
    numbered: "SPIs are numbered (GIC INTID minus 32)",
    max: 1019 - 32,
    items: '"1", "32-35"',
    list: '"1,7"',
    array: '[1, "32-35"]',
};

/** Irqchip pins, counted from the chip's base: one bit each in its pin bitmap. */
export const pinListKind: RangeListKind = {
    what: "pin",
    numbered: "pins count from the chip's base and are numbered",
    max: IRQCHIP_BITMAP_WORDS * 32 - 1,
    items: '"3", "0-23"',
    list: '"0-23,25"',
    array: '[3, "8-11"]',
};

/** "0-1,3" style list of numbers of one kind, also accepting numbers and arrays of either; sorted, each once. */
export function parseRangeList(value: unknown, kind: RangeListKind): number[] {
    const parts: unknown[] = Array.isArray(value) ? value : [value];
    const numbers = new Set<number>();
    for (const part of parts) {
        if (typeof part === "number" || typeof part === "bigint") {
            addInRange(numbers, Number(part), kind, String(part));
            continue;
        }
        if (typeof part !== "string")
            throw new UnitError(
                `${kind.what} list item ${JSON.stringify(String(part))} is neither a number nor a range; write e.g. ${kind.items} or ${kind.array}`,
            );
        for (const item of part.split(",")) {
            const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
            if (!match)
                throw new UnitError(
                    `${kind.what} list ${JSON.stringify(part)} is not understood; write e.g. ${kind.items} or ${kind.list}`,
                );
            const first = Number(match[1]);
            const last = match[2] === undefined ? first : Number(match[2]);
            if (last < first) throw new UnitError(`${kind.what} range "${item.trim()}" runs backwards; write "${last}-${first}"`);
            for (let n = first; n <= last; n++) addInRange(numbers, n, kind, item.trim());
        }
    }
    return [...numbers].sort((a, b) => a - b);
}

function addInRange(numbers: Set<number>, n: number, kind: RangeListKind, text: string) {
    if (!Number.isInteger(n) || n < 0 || n > kind.max)
        throw new UnitError(`${kind.what} ${text} is out of range; ${kind.numbered} 0 to ${kind.max}`);
    numbers.add(n);
}

/** "0-1,3" style CPU list, also accepting numbers and arrays of either. */
export function parseCpuList(value: unknown, maxCpu = cpuListKind.max): number[] {
    return parseRangeList(value, { ...cpuListKind, max: maxCpu });
}

/** "1,32-35" style SPI list (GIC INTID minus 32), also accepting numbers and arrays of either. */
export function parseSpiList(value: unknown): number[] {
    return parseRangeList(value, spiListKind);
}

/** "0-23" style list of irqchip pins, also accepting numbers and arrays of either. */
export function parsePinList(value: unknown): number[] {
    return parseRangeList(value, pinListKind);
}

/**
 * A CPU list as the kernel writes it (/sys/devices/system/cpu/online):
 * text only, and empty text is no CPU at all.
 */
export function parseCpuListText(text: string): number[] {
    return text.trim() === "" ? [] : parseRangeList(text.trim(), cpuListKind);
}

/** The shortest range form of a CPU list: [0,1,2,5] -> "0-2,5". */
export function formatCpuList(cpus: readonly number[]): string {
    return formatRanges(cpus);
}

export function formatRanges(values: readonly number[]): string {
    const sorted = [...new Set(values)].sort((a, b) => a - b);
    const ranges: string[] = [];
    for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
        ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
        i = j + 1;
    }
    return ranges.length ? ranges.join(",") : "none";
}
