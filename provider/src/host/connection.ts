// SPDX-License-Identifier: MIT
// How to reach a host: the zod schema is the single source of the type. Every
// message says what to write instead, because the person reading it is
// editing a Pulumi program, not this file.
import { z } from "zod";

/** Messages for a wrong type only; range checks carry their own messages. */
const typeError = (fix: string) => ({ error: (issue: { code: string }) => (issue.code === "invalid_type" ? fix : undefined) });

const hostKeyFix =
    'pin the host key: hostKey: { fingerprint: "SHA256:..." } (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host), ' +
    '{ knownHosts: "<known_hosts lines>" }, { knownHostsPath: "<file>" }, or { trustOnFirstUse: true } to accept the key the host presents first';

const HostKeySchema = z
    .strictObject(
        {
            /** "SHA256:..." as `ssh-keygen -lf` prints it. */
            fingerprint: z
                .string(typeError("give the fingerprint as a string"))
                .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "must look like SHA256:<43 base64 characters>, as ssh-keygen -lf prints it")
                .optional(),
            /** The text of a known_hosts file, or lines of it (plain or hashed entries). */
            knownHosts: z.string(typeError("give the known_hosts lines as one string")).optional(),
            /**
             * Path of a known_hosts file on the machine running Pulumi. Read at
             * each connect, so a key rotated in the file takes effect without
             * changing the program.
             */
            knownHostsPath: z
                .string(typeError("give the path of a known_hosts file"))
                .min(1, "give the path of a known_hosts file")
                .optional(),
            /**
             * Accept the key the host presents at the first connection of this
             * process, then insist on that key. Only when asked for explicitly:
             * it gives no protection against an attacker already in the path.
             */
            trustOnFirstUse: z.boolean(typeError("true or false")).optional(),
        },
        typeError(hostKeyFix),
    )
    .refine(
        (k) => k.fingerprint !== undefined || k.knownHosts !== undefined || k.knownHostsPath !== undefined || k.trustOnFirstUse === true,
        { message: hostKeyFix },
    );

const endpointShape = {
    host: z
        .string(typeError('give the host name or IP address, e.g. host: "10.0.0.5"'))
        .min(1, 'give the host name or IP address, e.g. host: "10.0.0.5"'),
    port: z
        .number(typeError("give the SSH port as a number from 1 to 65535 (usually 22)"))
        .int("give the SSH port as a whole number from 1 to 65535 (usually 22)")
        .min(1, "give the SSH port as a number from 1 to 65535 (usually 22)")
        .max(65535, "give the SSH port as a number from 1 to 65535 (usually 22)")
        .default(22),
    user: z.string(typeError('give the login name, e.g. user: "root"')).min(1, 'give the login name, e.g. user: "root"').default("root"),
    /** Private key text (pass it as a Pulumi secret). */
    privateKey: z.string(typeError("give the private key's text (OpenSSH or PEM), as a Pulumi secret")).optional(),
    /** Path of a private key file on the machine running Pulumi. */
    privateKeyPath: z.string(typeError("give the path of a private key file")).min(1, "give the path of a private key file").optional(),
    passphrase: z.string(typeError("give the key's passphrase as a string")).optional(),
    password: z.string(typeError("give the password as a string (a Pulumi secret)")).optional(),
    /** Use ssh-agent: true for $SSH_AUTH_SOCK, or a socket path. */
    agent: z.union([z.boolean(), z.string()], { error: "true to use $SSH_AUTH_SOCK, or the path of an agent socket" }).optional(),
    hostKey: HostKeySchema,
};

const authRequired = (c: { privateKey?: string; privateKeyPath?: string; password?: string; agent?: boolean | string }) =>
    c.privateKey !== undefined || c.privateKeyPath !== undefined || c.password !== undefined || !!c.agent;
const authMessage = "give one way to log in: privateKey (the key's text, as a secret), privateKeyPath, password or agent";

export const JumpHostSchema = z
    .strictObject(endpointShape, typeError("give the jump host as an object like the connection itself"))
    .refine(authRequired, {
        message: authMessage,
    });

export const HostConnectionSchema = z
    .strictObject(
        {
            ...endpointShape,
            /** Reach the host through this SSH host first (it needs AllowTcpForwarding). */
            jump: JumpHostSchema.optional(),
            connectTimeoutMs: z
                .number(typeError("give milliseconds as a number, e.g. 30000"))
                .int("give whole milliseconds, e.g. 30000")
                .positive("give milliseconds above 0, e.g. 30000")
                .default(30_000),
            commandTimeoutMs: z
                .number(typeError("give milliseconds as a number, e.g. 600000"))
                .int("give whole milliseconds, e.g. 600000")
                .positive("give milliseconds above 0, e.g. 600000")
                .default(600_000),
            /** Extra connection attempts after a refused, reset or timed-out connect. */
            retries: z
                .number(typeError("give a number of extra attempts from 0 to 10"))
                .int("give a whole number of extra attempts from 0 to 10")
                .min(0, "give a number of extra attempts from 0 to 10")
                .max(10, "give a number of extra attempts from 0 to 10")
                .default(3),
            /** Wait before the first retry; it doubles for each further one. */
            retryBackoffMs: z
                .number(typeError("give milliseconds as a number, e.g. 500"))
                .int("give whole milliseconds, e.g. 500")
                .min(0, "give milliseconds from 0, e.g. 500")
                .default(500),
        },
        typeError("give the connection as an object: { host, user, hostKey, privateKey | privateKeyPath | password | agent }"),
    )
    .refine(authRequired, { message: authMessage });

export type HostConnection = z.output<typeof HostConnectionSchema>;
export type HostConnectionInput = z.input<typeof HostConnectionSchema>;
export type JumpHost = z.output<typeof JumpHostSchema>;

export class HostConnectionError extends Error {}

/**
 * Fields whose values an error may show. Any other value (a secret field, a
 * whole object, a string where an object belongs) is described by its type
 * only: a key pasted into the wrong place must not end up in a log.
 */
const shownFields = new Set([
    "host",
    "port",
    "user",
    "privateKeyPath",
    "agent",
    "fingerprint",
    "knownHosts",
    "knownHostsPath",
    "trustOnFirstUse",
    "connectTimeoutMs",
    "commandTimeoutMs",
    "retries",
    "retryBackoffMs",
]);

function shownValue(field: string, value: unknown): string {
    if (value === undefined) return "";
    const kind = value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
    // An object is the thing the message is about; describing it adds nothing.
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return "";
    if (!shownFields.has(field) || value === null || typeof value === "object") return ` = (${kind})`;
    const text = JSON.stringify(value) ?? String(value);
    return ` = ${text.length > 80 ? `${text.slice(0, 77)}...` : text}`;
}

/** Parses with errors that name the field, the value and the fix, and never show a secret. */
export function parseHostConnection(input: unknown): HostConnection {
    const parsed = HostConnectionSchema.safeParse(input);
    if (parsed.success) return parsed.data;
    const lines: string[] = [];
    for (const issue of parsed.error.issues) {
        const names = ["connection", ...issue.path.map(String)];
        if (issue.code === "unrecognized_keys") {
            // The value of a misspelt field is not shown: "privatekey" holds a key.
            for (const key of issue.keys) lines.push(`${[...names, key].join(".")}: unknown field; remove it or correct its spelling`);
            continue;
        }
        let value: unknown = input;
        for (const key of issue.path)
            value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key as string] : undefined;
        const last = issue.path.length > 0 ? String(issue.path[issue.path.length - 1]) : "";
        const state = value === undefined && issue.path.length > 0 ? " is missing" : shownValue(last, value);
        lines.push(`${names.join(".")}${state}: ${issue.message}`);
    }
    throw new HostConnectionError(lines.join("\n"));
}

export function hostLabel(c: { host: string; port?: number }): string {
    return c.port && c.port !== 22 ? `${c.host}:${c.port}` : c.host;
}
