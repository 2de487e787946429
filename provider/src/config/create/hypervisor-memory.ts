// SPDX-License-Identifier: MIT
// Where the hypervisor's memory goes: a region the caller reserved
// (--hypervisor-memory), or RAM the device tree has but Linux does not use,
// above Linux's RAM.
import { formatHex, formatSize } from "../units";
import { LiveStateError } from "./live-state";
import type { IomemEntry } from "./proc-files";
import { describeSpan, overlap, PAGE, type Span, subtract } from "./ranges";

export const defaultHypervisorSize = 16n << 20n;
/** The hypervisor is placed on this boundary so the RAM below it stays in large blocks for cells. */
const placementAlignment = 2n << 20n;

export interface HypervisorMemory {
    span: Span;
    /** How it was chosen, for the config's comment. */
    origin: string;
}

const flagFix = "give --hypervisor-memory ADDR,SIZE (e.g. 0x7f000000,16M) for a RAM range Linux does not use";

export function chooseHypervisorMemory(
    ram: readonly Span[],
    iomem: readonly IomemEntry[],
    given: Span | undefined,
    size = defaultHypervisorSize,
): HypervisorMemory {
    const linuxRam = iomem.filter((entry) => entry.name === "System RAM");
    if (given) {
        if (given.start % PAGE !== 0n || given.end % PAGE !== 0n)
            throw new LiveStateError(`--hypervisor-memory ${describeSpan(given)}: start and size must be multiples of 4 KiB`);
        const used = linuxRam.find((entry) => overlap(entry, given));
        if (used)
            throw new LiveStateError(
                `--hypervisor-memory ${describeSpan(given)} overlaps Linux's System RAM ${describeSpan(used)}; keep that range out of Linux first (boot it with mem=, or a reserved-memory node with no-map) or choose a range outside it`,
            );
        if (subtract(given, ram).length)
            throw new LiveStateError(
                `--hypervisor-memory ${describeSpan(given)} is not RAM the device tree's memory nodes list (${ram.map(describeSpan).join(", ")}); choose a range inside them`,
            );
        return { span: given, origin: "given with --hypervisor-memory" };
    }
    const running = iomem.find((entry) => entry.name === "Jailhouse hypervisor");
    if (running) return { span: running, origin: "where the running hypervisor reserved it" };

    if (linuxRam.length === 0) throw new LiveStateError(`iomem.txt lists no System RAM, so Linux's RAM is unknown; ${flagFix}`);
    const linuxEnd = linuxRam.reduce((end, entry) => (entry.end > end ? entry.end : end), 0n);
    const free = ram
        .flatMap((span) => subtract(span, iomem))
        .map((span) => ({ start: span.start < linuxEnd ? linuxEnd : span.start, end: span.end }))
        .filter((span) => span.end > span.start);
    const fitting = free.filter((span) => alignDown(span.end - size) >= span.start);
    if (fitting.length === 0) {
        const why = free.length
            ? `the RAM free above Linux's (${free.map(describeSpan).join(", ")}) has no ${formatSize(size)} at a 2 MiB boundary`
            : `Linux uses all RAM the device tree lists (${ram.map(describeSpan).join(", ")}; Linux's ends at ${formatHex(linuxEnd - 1n)})`;
        throw new LiveStateError(
            `no room for the hypervisor's ${formatSize(size)}: ${why}. Keep RAM out of Linux (boot it with mem=, e.g. mem=768M on a 1 GiB host, or a reserved-memory node with no-map) and run create again, or ${flagFix}`,
        );
    }
    // The highest free RAM, at its top: cells take the rest below in one piece.
    const chosen = fitting[fitting.length - 1];
    const start = alignDown(chosen.end - size);
    return { span: { start, end: start + size }, origin: `found free above Linux's RAM (Linux's ends at ${formatHex(linuxEnd - 1n)})` };
}

const alignDown = (address: bigint) => address & ~(placementAlignment - 1n);

/** ADDR,SIZE as the command line gives it: "0x7f000000,16M" or "0x7f000000,0x1000000". */
export function parseSpanArgument(text: string, flag: string): Span {
    const match = /^(0x[0-9a-f]+|\d+),(0x[0-9a-f]+|\d+)([KMG])?$/i.exec(text.trim());
    if (!match) throw new LiveStateError(`${flag} ${text}: write ADDR,SIZE, e.g. ${flag} 0x7f000000,16M`);
    const shift = { K: 10n, M: 20n, G: 30n }[(match[3] ?? "").toUpperCase() as "K" | "M" | "G"] ?? 0n;
    const start = BigInt(match[1]);
    const size = BigInt(match[2]) << shift;
    if (size === 0n) throw new LiveStateError(`${flag} ${text}: the size is zero`);
    return { start, end: start + size };
}
