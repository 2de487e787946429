// SPDX-License-Identifier: MIT
// Which host keys a login accepts: a pinned fingerprint, the entries of
// known_hosts text or a file (plain, hashed, @revoked), or the first key this
// process saw (trust on first use, only when asked for).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import type { HostConnection, JumpHost } from "./connection";
import { SshError } from "./ssh-error";

export function fingerprintOf(key: Buffer): string {
    return `SHA256:${crypto.createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

function globMatches(pattern: string, name: string): boolean {
    const regex = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${regex}$`, "i").test(name);
}

function patternMatches(pattern: string, names: string[]): boolean {
    if (pattern.startsWith("|1|")) {
        // Hashed entry (HashKnownHosts): HMAC-SHA1 of the name, keyed by the salt.
        const [, , salt, hash] = pattern.split("|");
        if (!salt || !hash) return false;
        return names.some((name) => crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash);
    }
    return names.some((name) => globMatches(pattern, name));
}

/** What known_hosts text says about this host: the keys it accepts and the ones it revokes. */
export function knownHostKeys(knownHosts: string, host: string, port: number): { accepted: Buffer[]; revoked: Buffer[] } {
    const names = port === 22 ? [host, `[${host}]:22`] : [`[${host}]:${port}`];
    const accepted: Buffer[] = [];
    const revoked: Buffer[] = [];
    for (const raw of knownHosts.split("\n")) {
        const words = raw.trim().split(/\s+/);
        if (words.length < 3 || words[0].startsWith("#")) continue;
        let marker: string | undefined;
        if (words[0].startsWith("@")) marker = words.shift();
        // Certificate authorities are not supported; such a line pins nothing.
        if (marker === "@cert-authority" || words.length < 3) continue;
        const patterns = words[0].split(",");
        if (patterns.some((p) => p.startsWith("!") && patternMatches(p.slice(1), names))) continue;
        if (!patterns.some((p) => !p.startsWith("!") && patternMatches(p, names))) continue;
        (marker === "@revoked" ? revoked : accepted).push(Buffer.from(words[2], "base64"));
    }
    return { accepted, revoked };
}

export interface Pin {
    /** Returns why the key is refused, or undefined to accept it. */
    check(key: Buffer): string | undefined;
}

/**
 * The pin `target.hostKey` asks for. `remembered` is the fingerprint this
 * process saw at the target's first login, which trustOnFirstUse insists on.
 */
export function pinFor(target: HostConnection | JumpHost, remembered: string | undefined): Pin {
    const pin = target.hostKey;
    if (pin.fingerprint) {
        const expected = pin.fingerprint;
        return { check: (key) => (fingerprintOf(key) === expected ? undefined : `expected ${expected} (hostKey.fingerprint)`) };
    }
    if (pin.knownHosts !== undefined || pin.knownHostsPath !== undefined) {
        let text = pin.knownHosts ?? "";
        if (pin.knownHostsPath !== undefined) {
            try {
                text += `\n${fs.readFileSync(pin.knownHostsPath, "utf8")}`;
            } catch (error) {
                throw new SshError(
                    `hostKey.knownHostsPath = ${JSON.stringify(pin.knownHostsPath)}: cannot read it (${(error as NodeJS.ErrnoException).code}); give an existing known_hosts file`,
                    false,
                );
            }
        }
        const { accepted, revoked } = knownHostKeys(text, target.host, target.port);
        const where = pin.knownHostsPath !== undefined ? `hostKey.knownHostsPath (${pin.knownHostsPath})` : "hostKey.knownHosts";
        return {
            check: (key) => {
                if (revoked.some((k) => k.equals(key))) return `${where} marks this key @revoked`;
                if (accepted.some((k) => k.equals(key))) return undefined;
                return accepted.length === 0
                    ? `${where} has no entry for ${target.port === 22 ? target.host : `[${target.host}]:${target.port}`}`
                    : `expected one of the ${accepted.length} key(s) ${where} lists for this host`;
            },
        };
    }
    // Trust on first use: the first key seen by this process becomes the pin.
    return {
        check: (key) =>
            remembered === undefined || fingerprintOf(key) === remembered
                ? undefined
                : `expected ${remembered}, the key this host presented first (trustOnFirstUse)`,
    };
}
