// SPDX-License-Identifier: MIT
// The regular files of a tar stream (ustar, with GNU long names), which is
// how the device tree crosses SSH in one piece: a program per property would
// take minutes on a slow host.
export function tarFiles(archive: Buffer): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    let longName: string | undefined;
    for (let at = 0; at + 512 <= archive.length;) {
        const header = archive.subarray(at, at + 512);
        if (header.every((byte) => byte === 0)) break;
        const text = (start: number, length: number) => header.toString("latin1", start, start + length).replace(/\0.*$/s, "");
        const size = parseInt(text(124, 12).trim() || "0", 8);
        const type = text(156, 1) || "0";
        const prefix = text(257, 6).startsWith("ustar") ? text(345, 155) : "";
        const data = archive.subarray(at + 512, at + 512 + size);
        at += 512 + Math.ceil(size / 512) * 512;
        if (type === "L") {
            longName = data.toString("latin1").replace(/\0.*$/s, "");
            continue;
        }
        const name = longName ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
        longName = undefined;
        if (type === "0") files.set(name, Buffer.from(data));
    }
    return files;
}
