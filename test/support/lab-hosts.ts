// SPDX-License-Identifier: MIT
// End-to-end tests run against the lab that test/run-tests.sh boots once for
// the whole run; they read its inventory.
import { Inventory, LabHost, readInventory } from "../../examples/lab/tooling/lab";

export function labInventory(): Inventory {
    return readInventory();
}

export function labHost(name: string): LabHost {
    const host = labInventory().hosts.find((h) => h.name === name);
    if (!host) throw new Error(`lab host ${name} is not in the inventory; run: npm run lab -- up 2`);
    return host;
}
