// SPDX-License-Identifier: MIT
// End-to-end tests run against the lab that test/run-tests.sh boots once for
// the whole run; they read its inventory.
import { Inventory, LabHost, readInventory } from "../lab/lab";

export function labInventory(): Inventory {
    return readInventory();
}

/** How the provider's host layer reaches a lab host: the lab's key file and the host key's fingerprint. */
export function labHostConnection(host: LabHost) {
    return {
        host: host.address,
        port: host.port,
        user: host.user,
        privateKeyPath: host.keyPath,
        hostKey: { fingerprint: host.hostKeyFingerprint },
    };
}

export function labHost(name: string): LabHost {
    const host = labInventory().hosts.find((h) => h.name === name);
    if (!host) throw new Error(`lab host ${name} is not in the inventory; run: npm run lab -- up 2`);
    return host;
}
