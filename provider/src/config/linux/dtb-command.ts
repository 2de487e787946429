// SPDX-License-Identifier: MIT
// `jailhouse-config dtb`: a cell's device tree file and where the loader
// puts each part.
import * as fs from "node:fs";
import { loadConfigFile } from "../load";
import { formatHex } from "../units";
import { ConfigValidationError } from "../validate";
import { cellDeviceTree } from "./cell-tree";
import { encodeFdt } from "./fdt";

export interface DtbRequest {
    system: string;
    cell: string;
    output: string;
    cmdline?: string;
    initrdSize?: bigint;
    mpidrs?: ReadonlyMap<number, bigint>;
    uartSpi?: number;
}

/** Writes the DTB and returns the line the CLI prints. */
export function writeCellDtb(request: DtbRequest): string {
    const system = loadConfigFile(request.system);
    const cell = loadConfigFile(request.cell);
    if (system.kind !== "system")
        throw new ConfigValidationError([{ path: request.system, message: "is a cell config; the first file must be the system config" }]);
    if (cell.kind !== "cell")
        throw new ConfigValidationError([{ path: request.cell, message: "is a system config; the second file must be the cell config" }]);
    const { tree, layout } = cellDeviceTree(system.config, cell.config, {
        cmdline: request.cmdline,
        initrdSize: request.initrdSize,
        mpidrs: request.mpidrs,
        uartSpi: request.uartSpi,
        systemSource: request.system,
        cellSource: request.cell,
    });
    const blob = encodeFdt(tree);
    try {
        fs.writeFileSync(request.output, blob);
    } catch (error) {
        throw new ConfigValidationError([{ path: request.output, message: `cannot write: ${(error as Error).message}` }]);
    }
    const initrd = layout.initrd ? `, initrd ${formatHex(layout.initrd.start)}-${formatHex(layout.initrd.end)}` : "";
    return `${request.output}: device tree for cell "${cell.config.name}", ${blob.length} bytes; kernel at ${formatHex(layout.kernel)} (below ${formatHex(layout.kernelLimit)})${initrd}, dtb at ${formatHex(layout.dtb)}\n`;
}

/** "2=0x2,3=0x103": MPIDR per CPU number. */
export function parseMpidrs(text: string): Map<number, bigint> {
    const map = new Map<number, bigint>();
    for (const part of text.split(",")) {
        const m = /^\s*(\d+)\s*=\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(part);
        if (!m) throw new Error(`--mpidr ${JSON.stringify(part)}: write CPU=MPIDR pairs, e.g. --mpidr 2=0x2,3=0x3`);
        map.set(Number(m[1]), BigInt(m[2]));
    }
    return map;
}
