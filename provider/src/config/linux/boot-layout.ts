// SPDX-License-Identifier: MIT
// Where a Linux kernel, its initrd and its device tree go in a cell's RAM.
// `jailhouse-config dtb` writes the initrd's place into the device tree and
// `jailhouse cell linux` loads the files there, so both follow this one rule:
//
//   RAM   = the cell's RAM region with the lowest guest-physical address
//           (not io, not comm-region); it must be loadable and start on a
//           2 MiB boundary (the arm64 boot protocol's kernel base).
//   kernel = RAM start + the Image header's text_offset; it may use
//           image_size bytes from there, up to kernelLimit.
//   dtb    = the last whole 2 MiB block of RAM: alignDown(RAM end, 2 MiB)
//           - 2 MiB (8-byte aligned, at most 2 MiB, in no block it shares).
//   initrd = ends where the dtb starts, starts at alignDown(dtb - size,
//           4 KiB); linux,initrd-end is start + size (exclusive).
//   kernelLimit = initrd start when there is an initrd, else dtb.
import { formatHex, formatSize } from "../units";
import { ConfigValidationError } from "../validate";
import { within } from "./field-path";
import type { RamRegion } from "./ram";

export const KERNEL_ALIGN = 0x200000n;
export const DTB_SPACE = 0x200000n;
export const INITRD_ALIGN = 0x1000n;

export interface LinuxBootLayout {
    ramStart: bigint;
    ramEnd: bigint;
    /** Where the Image goes, before its text_offset. */
    kernel: bigint;
    /** The kernel's image_size must end at or below this. */
    kernelLimit: bigint;
    dtb: bigint;
    initrd?: { start: bigint; end: bigint };
}

const alignDown = (value: bigint, align: bigint) => value - (value % align);

/** The rule above for one RAM range; throws a plain message when it does not fit. */
export function linuxBootLayout(ram: { start: bigint; size: bigint }, initrdSize = 0n): LinuxBootLayout {
    if (ram.start % KERNEL_ALIGN !== 0n)
        throw new Error(
            `starts at ${formatHex(ram.start)}, not on a 2 MiB boundary as the arm64 boot protocol needs for the kernel; move its virt to a multiple of 0x200000`,
        );
    if (initrdSize < 0n) throw new Error(`initrd size ${initrdSize} is negative`);
    const ramEnd = ram.start + ram.size;
    const dtb = alignDown(ramEnd, KERNEL_ALIGN) - DTB_SPACE;
    const initrd = initrdSize > 0n ? { start: alignDown(dtb - initrdSize, INITRD_ALIGN), end: 0n } : undefined;
    if (initrd) initrd.end = initrd.start + initrdSize;
    const kernelLimit = initrd ? initrd.start : dtb;
    if (kernelLimit <= ram.start)
        throw new Error(
            `${formatSize(ram.size)} holds no kernel next to ${initrd ? `a ${formatSize(initrdSize)} initrd and ` : ""}the 2 MiB device tree block; give the region more RAM (a Debian kernel needs about 64 MiB)${initrd ? " or use a smaller initrd" : ""}`,
        );
    return { ramStart: ram.start, ramEnd, kernel: ram.start, kernelLimit, dtb, initrd };
}

/** The layout for a cell's RAM, with errors naming the config field. */
export function cellBootLayout(ram: readonly RamRegion[], initrdSize: bigint, source: string): LinuxBootLayout {
    const first = ram[0];
    const path = `${within(source)}memory[${first.index}]${first.name ? ` (${first.name})` : ""}`;
    if (!first.loadable)
        throw new ConfigValidationError([
            {
                path: `${path}.flags`,
                message: "the kernel is loaded into this region (the cell's lowest RAM), so it needs the loadable flag; add loadable",
            },
        ]);
    try {
        return linuxBootLayout(first, initrdSize);
    } catch (error) {
        throw new ConfigValidationError([{ path, message: (error as Error).message }]);
    }
}
