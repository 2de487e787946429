// SPDX-License-Identifier: MIT
// Existing Jailhouse configs as they are: a system .cell and cell .cell
// files from an upstream installation, managed without rewriting them.
import * as path from "node:path";
import { Cell, type CellImage, type HostConnectionInput, Hypervisor } from "../../provider/src";

export interface ExistingCell {
    /** Path of the cell's .cell file. */
    config: string;
    images?: CellImage[];
}

export function existingCellsProgram(
    name: string,
    connection: HostConnectionInput,
    systemCell: string,
    cells: ExistingCell[],
    stack: "bundled" | "installed" = "installed",
) {
    const hypervisor = new Hypervisor(name, { connection, systemConfig: systemCell, stack });
    return cells.map(
        (cell) =>
            new Cell(`${name}-${path.basename(cell.config, ".cell")}`, { hypervisor, config: cell.config, images: cell.images ?? [] }),
    );
}
