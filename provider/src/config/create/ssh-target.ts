// SPDX-License-Identifier: MIT
// What --ssh names: a lab host by its inventory name, or user@host:port with
// --key and --fingerprint; either becomes a provider host connection.
import type { HostConnectionInput } from "../../host";

/** A command line that names no reachable host; the message says what to give instead. */
export class TargetError extends Error {}

type InventoryHost = { name: string; address: string; port: number; user: string; keyPath: string; hostKeyFingerprint: string };
type Inventory = {
    readInventoryFile: <T extends { hosts: InventoryHost[] }>() => T;
    hostConnection: (host: InventoryHost) => HostConnectionInput;
};

function labHost(name: string): HostConnectionInput {
    let inventory: Inventory;
    try {
        // Only in the repository: the lab is not part of the installed package.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: absent from the installed package
        inventory = require("../../../../examples/lab/inventory") as Inventory;
    } catch {
        throw new TargetError(
            `--ssh ${name}: lab host names need the repository's examples/lab; give --ssh user@host:port --key PATH --fingerprint SHA256:... instead`,
        );
    }
    let hosts;
    try {
        hosts = inventory.readInventoryFile().hosts;
    } catch (error) {
        throw new TargetError(`--ssh ${name}: ${(error as Error).message}`);
    }
    const host = hosts.find((h) => h.name === name);
    if (!host)
        throw new TargetError(
            `--ssh ${name}: no such lab host (the inventory has ${hosts.map((h) => h.name).join(", ") || "none"}); or give user@host:port`,
        );
    return inventory.hostConnection(host);
}

export function sshTarget(target: string, key: string | undefined, fingerprint: string | undefined): HostConnectionInput {
    const address = /^(?:([^@\s]+)@)?([^@:\s]+)(?::(\d+))?$/.exec(target);
    if (!address) throw new TargetError(`--ssh ${target}: give a lab host name (h1) or user@host:port`);
    const [, user, host, port] = address;
    if (!user && !port && !key && !fingerprint) return labHost(target);
    if (!key || !fingerprint)
        throw new TargetError(
            `--ssh ${target}: a host that is not a lab host needs --key PATH (the private key) and --fingerprint SHA256:... (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host)`,
        );
    return { host, port: port ? Number(port) : 22, user: user ?? "root", privateKeyPath: key, hostKey: { fingerprint } };
}
