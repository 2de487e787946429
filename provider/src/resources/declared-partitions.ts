// SPDX-License-Identifier: MIT
// What check() has seen of each host in this provider process: the system
// config of its Hypervisor and the configs of its Cells. One process serves
// every resource of a deployment, and a Hypervisor is checked before the
// cells that depend on it, so a Cell's check can apply the rules across the
// host (host-rules.ts). Keyed by resource name, so a second check replaces.
import type { CellConfig, SystemConfig } from "../config";
import type { DeclaredCell } from "./host-rules";

const systems = new Map<string, SystemConfig>();
const cells = new Map<string, Map<string, CellConfig>>();

export function declareSystem(host: string, system: SystemConfig): void {
    systems.set(host, system);
}

export function declareCell(host: string, cell: DeclaredCell): void {
    const onHost = cells.get(host) ?? new Map<string, CellConfig>();
    onHost.set(cell.resourceName, cell.config);
    cells.set(host, onHost);
}

export function declaredOn(host: string): { system?: SystemConfig; cells: DeclaredCell[] } {
    return {
        system: systems.get(host),
        cells: [...(cells.get(host) ?? new Map<string, CellConfig>())].map(([resourceName, config]) => ({ resourceName, config })),
    };
}
