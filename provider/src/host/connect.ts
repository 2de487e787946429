// SPDX-License-Identifier: MIT
// Logging in to a host: the credentials a connection gives, the host-key pin,
// an optional jump host whose tunnel carries the login, and retries with
// backoff for failures that happen before anything can run on the host.
import * as fs from "node:fs";
import { Client, ClientChannel, ConnectConfig } from "ssh2";
import { HostConnection, hostLabel, JumpHost } from "./connection";
import { fingerprintOf, pinFor } from "./known-hosts";
import { SshError } from "./ssh-error";

/** What the logins of one connection setting leave for the next one. */
export interface LoginState {
    /** The logged-in connection; cleared when it closes. */
    client?: Client;
    /** The jump host's connection that carries `client`'s tunnel. */
    jump?: Client;
    /** Host key seen at the last login; with trustOnFirstUse, the pin for later ones. */
    seenFingerprint?: string;
    jumpFingerprint?: string;
}

function loginConfig(target: HostConnection | JumpHost, field: string): Partial<ConnectConfig> {
    const config: Partial<ConnectConfig> = {};
    if (target.privateKey !== undefined) {
        config.privateKey = target.privateKey;
    } else if (target.privateKeyPath !== undefined) {
        try {
            config.privateKey = fs.readFileSync(target.privateKeyPath);
        } catch (error) {
            throw new SshError(
                `${field}.privateKeyPath = ${JSON.stringify(target.privateKeyPath)}: cannot read it (${(error as NodeJS.ErrnoException).code}); give the path of a private key file`,
                false,
            );
        }
    }
    if (target.passphrase !== undefined) config.passphrase = target.passphrase;
    if (target.password !== undefined) {
        config.password = target.password;
        // Many servers ask for a password through keyboard-interactive (PAM).
        config.tryKeyboard = true;
    }
    if (target.agent) {
        const socket = target.agent === true ? process.env.SSH_AUTH_SOCK : target.agent;
        if (!socket)
            throw new SshError(
                `${field}.agent = true but SSH_AUTH_SOCK is not set; start ssh-agent or give the agent socket's path`,
                false,
            );
        config.agent = socket;
    }
    return config;
}

function describeCredentials(target: HostConnection | JumpHost): string {
    const kinds = [];
    if (target.privateKey !== undefined) kinds.push("the privateKey");
    else if (target.privateKeyPath !== undefined) kinds.push(`the key in ${target.privateKeyPath}`);
    if (target.agent) kinds.push("the agent's keys");
    if (target.password !== undefined) kinds.push("the password");
    return kinds.join(", ");
}

const retryableSocketErrors = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EHOSTDOWN",
    "EPIPE",
    "ECONNABORTED",
]);

interface LoginAttempt {
    target: HostConnection | JumpHost;
    /** Where the target sits in the program ("connection", "connection.jump"), for the fix a message names. */
    field: string;
    label: string;
    timeoutMs: number;
    /** The fingerprint the host presented, if it got that far. */
    seen: string | undefined;
    /** Why the pin refused that key, if it did. */
    refusal: string | undefined;
}

/** ssh2's login error as a message that names the cause and the fix, and whether another attempt may help. */
function loginFailure(error: Error & { level?: string; code?: string }, attempt: LoginAttempt): SshError {
    const { target, field, label, timeoutMs } = attempt;
    if (attempt.refusal !== undefined) {
        return new SshError(
            `${label}: host key refused: the host presented ${attempt.seen}, ${attempt.refusal}. If the host was reinstalled on purpose, pin its new key ` +
                "(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host); otherwise someone may be in the path: do not connect",
            false,
        );
    }
    if (error.level === "client-authentication") {
        return new SshError(
            `${label}: authentication failed: the host refused ${describeCredentials(target)} for user ${target.user}; check ${field}.user and the credentials (the public key must be in ~${target.user}/.ssh/authorized_keys on the host)`,
            false,
        );
    }
    if (error.level === "client-timeout")
        return new SshError(`${label}: no SSH login within ${timeoutMs} ms (connectTimeoutMs): ${error.message}`, true);
    if (error.level === "client-dns")
        return new SshError(
            `${label}: cannot resolve the host name ${target.host} (${error.code ?? error.message}); check ${field}.host`,
            false,
        );
    if (error.level === "client-socket" && retryableSocketErrors.has(error.code ?? "")) {
        const hint =
            error.code === "ECONNREFUSED"
                ? `nothing listens on port ${target.port}; is sshd running, and is the port right?`
                : "the network dropped the connection";
        return new SshError(`${label}: ${error.message}: ${hint}`, true);
    }
    // sshd restarting, or MaxStartups shedding load: both pass.
    if (/Connection lost before handshake/.test(error.message))
        return new SshError(`${label}: the host closed the connection before the SSH handshake (sshd restarting or busy)`, true);
    return new SshError(`${label}: ${error.message}`, false);
}

/** One login attempt. Resolves with a ready client, or rejects with an SshError that says whether to retry. */
function connectOnce(
    target: HostConnection | JumpHost,
    field: string,
    timeoutMs: number,
    remembered: string | undefined,
    sock?: ConnectConfig["sock"],
): Promise<{ client: Client; fingerprint: string }> {
    const label = `${target.user}@${hostLabel(target)}`;
    // Bad local input (unreadable key file, no agent) fails before any network use.
    const pin = pinFor(target, remembered);
    const login = loginConfig(target, field);
    return new Promise((resolve, reject) => {
        const client = new Client();
        let seen: string | undefined;
        let refusal: string | undefined;
        let settled = false;
        const fail = (error: SshError) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            client.destroy();
            reject(error);
        };
        const timer = setTimeout(
            () =>
                fail(
                    new SshError(
                        `${label}: no SSH login within ${timeoutMs} ms (connectTimeoutMs); check that the host is up, that ${hostLabel(target)} is its SSH address and port, and that no firewall drops the packets`,
                        true,
                    ),
                ),
            timeoutMs,
        );
        const config: ConnectConfig = {
            host: target.host,
            port: target.port,
            username: target.user,
            // Our timer above covers the whole login with a clearer message; ssh2's is only a backstop.
            readyTimeout: timeoutMs + 5_000,
            keepaliveInterval: 15_000,
            keepaliveCountMax: 3,
            hostVerifier: (key: Buffer) => {
                seen = fingerprintOf(key);
                refusal = pin.check(key);
                return refusal === undefined;
            },
            ...login,
        };
        if (sock) config.sock = sock;
        if (config.tryKeyboard) {
            client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) =>
                finish(prompts.map(() => target.password ?? "")),
            );
        }
        client
            .on("ready", () => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                resolve({ client, fingerprint: seen ?? "" });
            })
            .on("error", (error: Error & { level?: string; code?: string }) =>
                fail(loginFailure(error, { target, field, label, timeoutMs, seen, refusal })),
            )
            .on("close", () => fail(new SshError(`${label}: the host closed the connection during login`, true)));
        try {
            client.connect(config);
        } catch (error) {
            // ssh2 throws here for a key it cannot parse or decrypt.
            fail(
                new SshError(
                    `${label}: cannot use the private key (${(error as Error).message}); check ${field}.privateKey/privateKeyPath and passphrase`,
                    false,
                ),
            );
        }
    });
}

function forward(jump: Client, jumpLabel: string, host: string, port: number, timeoutMs: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(
            () => reject(new SshError(`${jumpLabel}: no tunnel to ${host}:${port} within ${timeoutMs} ms (connectTimeoutMs)`, true)),
            timeoutMs,
        );
        jump.forwardOut("127.0.0.1", 0, host, port, (error, stream) => {
            clearTimeout(timer);
            if (!error) return resolve(stream);
            // "Connect failed" is the far host being down, which can pass; a prohibited tunnel cannot.
            const reason = (error as Error & { reason?: unknown }).reason;
            const prohibited = reason === "ADMINISTRATIVELY_PROHIBITED" || reason === 1 || /prohibited/i.test(error.message);
            reject(
                new SshError(
                    prohibited
                        ? `${jumpLabel}: the jump host refuses to forward to ${host}:${port} (${error.message}); enable AllowTcpForwarding in its sshd_config`
                        : `${jumpLabel}: the jump host cannot reach ${host}:${port} (${error.message}); check that the host is up and reachable from the jump host`,
                    !prohibited,
                ),
            );
        });
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function connectVia(c: HostConnection, state: LoginState): Promise<Client> {
    let sock: ClientChannel | undefined;
    let jump: Client | undefined;
    if (c.jump) {
        const hop = await connectOnce(
            c.jump,
            "connection.jump",
            c.connectTimeoutMs,
            c.jump.hostKey.trustOnFirstUse ? state.jumpFingerprint : undefined,
        );
        jump = hop.client;
        state.jumpFingerprint = hop.fingerprint;
        try {
            sock = await forward(jump, `${c.jump.user}@${hostLabel(c.jump)}`, c.host, c.port, c.connectTimeoutMs);
        } catch (error) {
            jump.end();
            throw error;
        }
    }
    try {
        const { client, fingerprint } = await connectOnce(
            c,
            "connection",
            c.connectTimeoutMs,
            c.hostKey.trustOnFirstUse ? state.seenFingerprint : undefined,
            sock,
        );
        state.seenFingerprint = fingerprint;
        state.jump = jump;
        client.on("close", () => {
            if (state.client === client) state.client = undefined;
            // The tunnel's connection exists only for this one.
            jump?.end();
        });
        // Errors after login (reset, keepalive timeout) end in "close"; without a
        // listener they would crash the process.
        client.on("error", () => undefined);
        return client;
    } catch (error) {
        jump?.end();
        throw error;
    }
}

/**
 * Logs in to `c`, through its jump host if it has one, trying again after
 * retryable failures as `c.retries` and `c.retryBackoffMs` say. Records the
 * fingerprints seen in `state`; storing the client there is the caller's part.
 */
export async function connect(c: HostConnection, state: LoginState): Promise<Client> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
        try {
            return await connectVia(c, state);
        } catch (error) {
            if (!(error instanceof SshError) || !error.retryable) throw error;
            if (attempt >= c.retries) {
                const tries = attempt + 1;
                throw new SshError(
                    `${error.message} (gave up after ${tries} attempt${tries === 1 ? "" : "s"} in ${((Date.now() - started) / 1000).toFixed(1)} s; retries: ${c.retries}, retryBackoffMs: ${c.retryBackoffMs})`,
                    false,
                );
            }
            await sleep(c.retryBackoffMs * 2 ** attempt);
        }
    }
}
