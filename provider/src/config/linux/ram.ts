// SPDX-License-Identifier: MIT
// Which of a cell's regions are RAM to a guest kernel: everything that is
// neither a device (io) nor the comm region, at its guest-physical address.
import type { CellConfig } from "../schema";
import { ConfigValidationError } from "../validate";
import { within } from "./field-path";

export interface RamRegion {
    /** Index in the cell's memory list, for messages. */
    index: number;
    name?: string;
    /** Guest-physical start: the region's virt. */
    start: bigint;
    size: bigint;
    loadable: boolean;
}

export function cellRam(cell: CellConfig): RamRegion[] {
    return cell.memory
        .map((region, index) => ({ region, index }))
        .filter(({ region }) => !region.flags.includes("io") && !region.flags.includes("comm-region") && region.size > 0n)
        .map(({ region, index }) => ({
            index,
            name: region.name,
            start: region.virt,
            size: region.size,
            loadable: region.flags.includes("loadable"),
        }))
        .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/** The cell's RAM, or a clear error when it has none. */
export function requireRam(cell: CellConfig, source: string): RamRegion[] {
    const ram = cellRam(cell);
    if (!ram.length)
        throw new ConfigValidationError([
            {
                path: `${within(source)}memory`,
                message: `cell "${cell.name}" has no RAM region (one without the io and comm-region flags), so a kernel has nowhere to run; add e.g. { phys: 0x74000000, size: 128 MiB, flags: [read, write, execute, dma, loadable] }`,
            },
        ]);
    return ram;
}
