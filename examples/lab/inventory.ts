// SPDX-License-Identifier: MIT
// The lab's inventory as the default program reads it: which emulated hosts
// `npm run lab -- up` booted, where they listen and how to log in. The lab
// itself (tooling/) writes this file; the program only reads it, so it
// needs nothing beyond the package's public API.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where set-up and the lab keep what they build, outside any checkout. */
export function cacheDir(): string {
    return process.env.PULUMI_JAILHOUSE_CACHE || path.join(os.homedir(), ".cache", "pulumi-jailhouse");
}

export const labDir = () => path.join(cacheDir(), "lab");
export const inventoryPath = () => process.env.PJ_LAB_INVENTORY || path.join(labDir(), "inventory.json");

/** The fields of a lab host that a program needs to reach it. */
export interface InventoryHost {
    name: string;
    address: string;
    port: number;
    user: string;
    keyPath: string;
    hostKeyFingerprint: string;
}

/** How the provider reaches a lab host: the lab's key file and the host key's fingerprint. */
export function hostConnection(host: InventoryHost) {
    return {
        host: host.address,
        port: host.port,
        user: host.user,
        privateKeyPath: host.keyPath,
        hostKey: { fingerprint: host.hostKeyFingerprint },
    };
}

export class LabError extends Error {}

export function readInventoryFile<T extends { hosts: InventoryHost[] }>(): T {
    const file = inventoryPath();
    if (!fs.existsSync(file)) {
        throw new LabError(`no lab inventory at ${file}; boot the lab first: npm run lab -- up 2`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}
