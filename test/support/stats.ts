// SPDX-License-Identifier: MIT
// The figures the benchmarks and suites report over repeated runs.

/** The middle value; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
    if (values.length === 0) throw new Error("median of no values: measure at least once");
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** "median (min-max)" with `digits` decimals and the unit after the median, e.g. "1.25 s (1.10-1.40)". */
export function medianRange(values: readonly number[], digits = 2, unit = ""): string {
    const fixed = (n: number) => n.toFixed(digits);
    return `${fixed(median(values))}${unit ? ` ${unit}` : ""} (${fixed(Math.min(...values))}-${fixed(Math.max(...values))})`;
}
