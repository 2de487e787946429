// SPDX-License-Identifier: MIT
// The default example: the fleet described in fleet.yaml. On every host a
// Hypervisor with the lab system config, and the listed cells under it.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { z } from "zod";
import { Cell, CellImageSchema, type CellImage, Hypervisor, plan } from "../../provider/src";
import { packageRoot } from "../../provider/src/package-root";
import { hostConnection, labDir, readInventoryFile, type InventoryHost } from "./inventory";

export const FleetSchema = z.strictObject({
    systemConfig: z.string().describe("Path of the hosts' system config (YAML or .cell)."),
    hosts: z.array(
        z.union([
            z.strictObject({ inventory: z.string().describe("A lab host by inventory name (h1, h2, ...).") }),
            z.strictObject({
                name: z.string(),
                host: z.string(),
                port: z.number().default(22),
                user: z.string().default("root"),
                privateKeyPath: z.string(),
                hostKey: z.strictObject({ fingerprint: z.string() }),
            }),
        ]),
    ),
    cells: z.array(
        z.strictObject({
            config: z.string().describe("Path of the cell config (YAML or .cell)."),
            images: z.array(CellImageSchema).default([]),
            state: z.enum(["running", "stopped"]).default("running"),
            hosts: z
                .array(z.string())
                .optional()
                .describe("The hosts (by name) that run this cell; every host of the fleet when left out."),
        }),
    ),
});
export type Fleet = z.output<typeof FleetSchema>;

export function readFleet(file: string): Fleet {
    const parsed = FleetSchema.safeParse(YAML.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success)
        throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ")}`);
    const names = parsed.data.hosts.map(hostNameOf);
    parsed.data.cells.forEach((cell, i) =>
        cell.hosts?.forEach((name, j) => {
            if (!names.includes(name))
                throw new Error(`${file}: cells.${i}.hosts.${j}: ${name} is not a host of this fleet; use one of ${names.join(", ")}`);
        }),
    );
    return parsed.data;
}

const hostNameOf = (entry: Fleet["hosts"][number]) => ("inventory" in entry ? entry.inventory : entry.name);

/** Whether the fleet's `cell` runs on the host named `hostName`. */
export const runsOn = (cell: Fleet["cells"][number], hostName: string) => !cell.hosts || cell.hosts.includes(hostName);

/**
 * A path in the fleet file: relative to the file, or under the lab's cache
 * with "lab:" (lab:linux-cell/vmlinuz is the kernel the lab boots, which
 * `npm run lab -- up` links there with the Linux cell's initramfs).
 */
export function fleetPath(dir: string, file: string): string {
    return file.startsWith("lab:") ? path.join(labDir(), file.slice("lab:".length)) : path.resolve(dir, file);
}

function resolveImage(dir: string, image: CellImage): CellImage {
    if ("file" in image) return { ...image, file: fleetPath(dir, image.file) };
    if (!("linux" in image)) return image;
    const { kernel, initrd, dtb } = image.linux;
    return {
        linux: {
            ...image.linux,
            kernel: fleetPath(dir, kernel),
            ...(initrd === undefined ? {} : { initrd: fleetPath(dir, initrd) }),
            ...(dtb === undefined ? {} : { dtb: fleetPath(dir, dtb) }),
        },
    };
}

/** A cell's resource is named after its host and the cell's own name (as Jailhouse
 * knows it), not its file: a cell described by another file is the same cell. */
export function cellResourceName(hostName: string, configPath: string): { resource: string; cell: string } {
    const cell = plan.resolveCellConfig(configPath).name;
    return { resource: `${hostName}-${cell}`, cell };
}

export interface HostOutputs {
    kernelRelease: pulumi.Output<string>;
    memPoolUsed: pulumi.Output<number>;
    cells: Record<string, pulumi.Output<string>>;
}

/** A fleet host's name and SSH connection: a lab host's from the inventory, another's as the file gives it. */
function hostOf(fleet: Fleet, entry: Fleet["hosts"][number], inventory: { hosts: InventoryHost[] } | undefined, file: string) {
    if (!("inventory" in entry)) {
        const { name, ...connection } = entry;
        return { name, connection };
    }
    const lab = inventory?.hosts.find((h) => h.name === entry.inventory);
    if (!lab) throw new Error(`${file}: host ${entry.inventory} is not in the lab inventory; run npm run lab -- up ${fleet.hosts.length}`);
    return { name: lab.name, connection: hostConnection(lab) };
}

export function fleetProgram(file: string): Record<string, HostOutputs> {
    const fleet = readFleet(file);
    const dir = path.dirname(file);
    const inventory = fleet.hosts.some((h) => "inventory" in h) ? readInventoryFile<{ hosts: InventoryHost[] }>() : undefined;
    const outputs: Record<string, HostOutputs> = {};
    for (const entry of fleet.hosts) {
        const { name, connection } = hostOf(fleet, entry, inventory, file);
        const hypervisor = new Hypervisor(`${name}-hypervisor`, { connection, systemConfig: path.resolve(dir, fleet.systemConfig) });
        const cells: Record<string, pulumi.Output<string>> = {};
        for (const cell of fleet.cells.filter((c) => runsOn(c, name))) {
            const config = path.resolve(dir, cell.config);
            const names = cellResourceName(name, config);
            const images = cell.images.map((image) => resolveImage(dir, image));
            const resource = new Cell(names.resource, { hypervisor, config, images, state: cell.state });
            cells[names.cell] = resource.liveState;
        }
        outputs[name] = { kernelRelease: hypervisor.kernelRelease, memPoolUsed: hypervisor.memPoolUsed, cells };
    }
    return outputs;
}

export function labFleetProgram(): Record<string, HostOutputs> {
    return fleetProgram(path.join(packageRoot, "examples", "lab", "fleet.yaml"));
}
