// SPDX-License-Identifier: MIT
// Where the provider keeps things on a host, and the shell it runs there.
// Pure: builds command text only.
import { shellQuote } from "../host";

export const remoteBase = "/var/lib/pulumi-jailhouse";
export const remoteSources = `${remoteBase}/src`;
export const remoteBuildStamp = `${remoteBase}/build-stamp`;
export const remoteSystemConfig = "/etc/jailhouse/system.cell";
export const remoteCellConfig = (cell: string) => `/etc/jailhouse/cells/${cell}.cell`;
export const remoteCellImages = (cell: string) => `${remoteBase}/images/${cell}`;
export const remoteCli = "/usr/local/sbin/jailhouse";
/** The user-space `jailhouse` CLI's sources and its binary, relative to a source tree. */
export const cliSourceDir = "kmod/cli";
export const cliInTree = `${cliSourceDir}/jailhouse`;
export const remoteFirmware = "/lib/firmware/jailhouse.bin";
/** The driver's sysfs folder, present while the module is loaded. */
export const jailhouseSysfs = "/sys/devices/jailhouse";

/**
 * Builds the bundled stack on the host against its running kernel and
 * installs it where upstream Jailhouse would be, so `modprobe jailhouse` and
 * `jailhouse` then work the same for the bundled and an installed stack.
 */
export function buildAndInstallScript(stamp: string): string {
    return [
        "set -e",
        `cd ${remoteSources}`,
        "make -C hypervisor",
        // kmod's Makefile builds the module and the CLI (kmod/cli).
        "make -C kmod",
        "make -C hypervisor/inmates",
        `install -D -m 644 hypervisor/jailhouse.bin ${remoteFirmware}`,
        'install -D -m 644 kmod/jailhouse.ko "/lib/modules/$(uname -r)/extra/jailhouse.ko"',
        `install -D -m 755 ${cliInTree} ${remoteCli}`,
        "depmod -a",
        `echo ${shellQuote(stamp)} > ${remoteBuildStamp}`,
    ].join("\n");
}

export function enableScript(): string {
    return [
        "set -e",
        "[ -d /sys/module/jailhouse ] || modprobe jailhouse",
        `[ "$(cat ${jailhouseSysfs}/enabled)" = 1 ] || jailhouse enable ${remoteSystemConfig}`,
    ].join("\n");
}

/** Idempotent: a host already without the hypervisor is left as it is. */
export function disableScript(): string {
    return [
        "set -e",
        "if [ -d /sys/module/jailhouse ]; then",
        `  if [ "$(cat ${jailhouseSysfs}/enabled 2>/dev/null)" = 1 ]; then jailhouse disable; fi`,
        "  rmmod jailhouse",
        "fi",
    ].join("\n");
}

export interface ImageLoad {
    /** A path on the host, or a string loaded with -s. */
    source: { path: string } | { string: string };
    address?: string;
}

export function cellLoadCommand(cell: string, images: ImageLoad[]): string {
    const words = ["jailhouse", "cell", "load", "--name", cell];
    for (const image of images) {
        if ("path" in image.source) words.push(image.source.path);
        else words.push("-s", image.source.string);
        if (image.address !== undefined) words.push("-a", image.address);
    }
    return words.map(shellQuote).join(" ");
}
