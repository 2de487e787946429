// SPDX-License-Identifier: MIT
// One pooled connection per host per process, and a per-host lock: the
// operations on one host run one at a time, hosts run in parallel.
import { AsyncLocalStorage } from "node:async_hooks";
import * as crypto from "node:crypto";
import { HostConnection, parseHostConnection } from "./connection";
import { HostSession, type MachineCounter, PooledConnection } from "./session";

const pool = new Map<string, PooledConnection>();

function poolKey(c: HostConnection): string {
    // Everything that shapes the login is in the key: a connection verified
    // against one pin or made with one credential must not serve a caller
    // that gives another. The command timeout does not shape the login.
    const { commandTimeoutMs: _ignored, ...login } = c;
    const digest = crypto.createHash("sha256").update(JSON.stringify(login)).digest("hex").slice(0, 16);
    return `${c.user}@${c.host}:${c.port}#${digest}`;
}

/** The lock is per machine, whatever user, key or route reaches it. */
function lockKey(c: HostConnection): string {
    return `${c.host.toLowerCase()}:${c.port}`;
}

const machines = new Map<string, MachineCounter>();

const locks = new Map<string, Promise<void>>();
/** The hosts whose lock the current async call chain holds. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs `fn` with the host's session while holding the host's lock. Callers on
 * one host queue in call order; callers on different hosts do not wait for
 * each other. A withHost for the same host inside `fn` runs at once, as part
 * of the work that holds the lock, instead of waiting for itself forever.
 */
export async function withHost<T>(
    input: unknown,
    fn: (session: HostSession) => Promise<T>,
    log: (step: string) => void = () => undefined,
): Promise<T> {
    const connection = parseHostConnection(input);
    const key = poolKey(connection);
    let entry = pool.get(key);
    if (!entry) {
        entry = { roundTrips: 0 };
        pool.set(key, entry);
    }
    const host = lockKey(connection);
    let machine = machines.get(host);
    if (!machine) {
        machine = { key: host, commands: 0 };
        machines.set(host, machine);
    }
    const session = new HostSession(connection, entry, log, machine);
    const held = heldLocks.getStore() ?? new Set<string>();
    if (held.has(host)) return fn(session);

    const previous = locks.get(host) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    locks.set(host, tail);
    await previous;
    try {
        return await heldLocks.run(new Set([...held, host]), () => fn(session));
    } finally {
        release();
        if (locks.get(host) === tail) locks.delete(host);
    }
}

/** Closes every pooled connection (tests, and the end of a program). */
export function closeAll(): void {
    for (const entry of pool.values()) {
        entry.closed = true;
        entry.client?.end();
        entry.jump?.end();
    }
    pool.clear();
}
