// SPDX-License-Identifier: MIT
// A Cell image of kind `linux`: a kernel, optionally an initrd, a command
// line and a DTB, booted with the host's `jailhouse cell linux CELLCONFIG
// KERNEL [-i INITRD] [-c CMDLINE] -d DTB`. That command creates the cell
// (destroying one of the same name first), loads the files where
// linuxBootLayout says and starts it. Pure: what to upload, what to run.
import { type CellConfig, type SystemConfig } from "../config";
import { cellDeviceTree } from "../config/linux/cell-tree";
import { encodeFdt } from "../config/linux/fdt";
import { shellQuote } from "../host";
import { type LinuxImage } from "./cell-image";
import { remoteCellConfig, remoteCellImages } from "./remote-layout";

export type { LinuxImage };

export interface LinuxBootPlan {
    uploads: { source: string | Buffer; target: string }[];
    command: string;
    /** The DTB came from the configs, not from a file. */
    generatedDtb: boolean;
}

/** Files and the command that boot `image` in `cell`; `initrdSize` is the initrd file's length. */
export function planLinuxBoot(cell: CellConfig, image: LinuxImage, options: { system?: SystemConfig; initrdSize?: number }): LinuxBootPlan {
    const dir = remoteCellImages(cell.name);
    const kernel = `${dir}/linux-kernel`;
    const initrd = `${dir}/linux-initrd`;
    const dtb = `${dir}/linux.dtb`;
    const uploads: LinuxBootPlan["uploads"] = [{ source: image.kernel, target: kernel }];
    if (image.initrd) uploads.push({ source: image.initrd, target: initrd });
    const words = ["jailhouse", "cell", "linux", remoteCellConfig(cell.name), kernel];
    if (image.initrd) words.push("-i", initrd);
    if (image.dtb) {
        uploads.push({ source: image.dtb, target: dtb });
        // The loader's -c replaces the DTB's bootargs; a generated DTB has them already.
        if (image.cmdline !== undefined) words.push("-c", image.cmdline);
    } else {
        if (!options.system)
            throw new Error(
                `cell ${cell.name}: the linux image has no dtb and no system config to generate one from; pass the Hypervisor to the Cell (hypervisor: hv) or give linux.dtb (jailhouse-config dtb SYSTEM CELL -o cell.dtb)`,
            );
        const { tree } = cellDeviceTree(options.system, cell, {
            cmdline: image.cmdline,
            initrdSize: image.initrd ? BigInt(options.initrdSize ?? 0) : undefined,
            // check() and the provider's errors prefix the property themselves.
            systemSource: "",
            cellSource: "",
        });
        uploads.push({ source: encodeFdt(tree), target: dtb });
    }
    words.push("-d", dtb);
    return { uploads, command: words.map(shellQuote).join(" "), generatedDtb: !image.dtb };
}

/** What is wrong with a cell's images when one is linux, in check()'s words. */
export function linuxImageFailures(images: readonly Record<string, unknown>[], state: string, exists: (file: string) => boolean): string[] {
    const at = images.findIndex((image) => image.linux !== undefined);
    if (at < 0) return [];
    const failures: string[] = [];
    if (images.length > 1)
        failures.push(
            `images[${at}].linux: a Linux cell takes its kernel, initrd and DTB from the linux image alone; remove the other ${images.length - 1} image(s)`,
        );
    if (state === "stopped")
        failures.push(
            `state: "stopped" cannot be kept with a linux image, which \`jailhouse cell linux\` starts as it loads it; use "running"`,
        );
    const linux = images[at].linux as Record<string, unknown> | null;
    if (typeof linux !== "object" || linux === null) return [...failures, `images[${at}].linux: give { kernel, initrd?, cmdline?, dtb? }`];
    const known = ["kernel", "initrd", "cmdline", "dtb"];
    for (const key of Object.keys(linux))
        if (!known.includes(key)) failures.push(`images[${at}].linux.${key}: not known; use ${known.join(", ")}`);
    if (typeof linux.kernel !== "string" || !linux.kernel)
        failures.push(`images[${at}].linux.kernel: missing; give the path of the kernel Image on this machine`);
    for (const key of ["kernel", "initrd", "dtb"] as const) {
        const file = linux[key];
        if (file === undefined || (key === "kernel" && typeof file !== "string")) continue;
        if (typeof file !== "string") failures.push(`images[${at}].linux.${key}: give a file path`);
        else if (!exists(file))
            failures.push(`images[${at}].linux.${key}: ${file} does not exist on this machine; give the path of the file to load`);
    }
    if (linux.cmdline !== undefined && typeof linux.cmdline !== "string")
        failures.push(`images[${at}].linux.cmdline: give the kernel command line as a string`);
    return failures;
}
