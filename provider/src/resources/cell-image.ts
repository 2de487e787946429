// SPDX-License-Identifier: MIT
// What a Cell loads before it starts: the image kinds, as one schema that the
// Cell's type, the default program's fleet file and its docs share.
import { z } from "zod";

const address = z.union([z.number(), z.string()]);

export const LinuxImageSchema = z.strictObject({
    kernel: z.string().describe("The kernel Image (or a gzip of it) on the machine running Pulumi."),
    initrd: z.string().optional(),
    cmdline: z.string().optional().describe("Appended to console=ttyS0,115200 in a generated DTB; the whole bootargs with a given one."),
    dtb: z.string().optional().describe("A DTB of one's own; generated from the cell's and the system's configs when left out."),
});

export const CellImageSchema = z.union([
    z
        .strictObject({ demo: z.string(), args: z.string().optional() })
        .describe(
            'A demo inmate bundled with the package, built on the host: "timer", "uart-hello", "uart-echo" or "probe"; args go to its command line.',
        ),
    z
        .strictObject({ file: z.string(), address: address.optional() })
        .describe("A local file, loaded at `address` (default 0, the cell's first loadable region)."),
    z.strictObject({ string: z.string(), address }).describe("A string (for example an inmate's command line), loaded at `address`."),
    z
        .strictObject({ linux: LinuxImageSchema })
        .describe(
            "A Linux kernel booted by the host's `jailhouse cell linux`; the only image of its cell. Paths are on the machine " +
                "running Pulumi and uploaded when their content changes. Without dtb the device tree is generated from the cell's " +
                'and the hypervisor\'s configs with bootargs "console=ttyS0,115200 <cmdline>"; with dtb, cmdline replaces its ' +
                "bootargs. A changed cmdline reboots only this cell.",
        ),
]);

/** One image to load into the cell before it starts. */
export type CellImage = z.input<typeof CellImageSchema>;
export type LinuxImage = z.output<typeof LinuxImageSchema>;
