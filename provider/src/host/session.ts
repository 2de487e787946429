// SPDX-License-Identifier: MIT
// SSH access to hosts on ssh2: one pooled connection per host per process, a
// per-host lock (operations on one host run one at a time, hosts run in
// parallel), pinned host keys, our own timeouts, and retries with backoff for
// connection failures only. A command is never re-run: once it may have
// started on the host, any failure is reported, not repeated.
import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { constants as osConstants } from "node:os";
import * as path from "node:path";
import { Client, ClientChannel, ConnectConfig } from "ssh2";
import { HostConnection, HostConnectionError, hostLabel, JumpHost, parseHostConnection } from "./connection";
import { LiveHostState, liveStateScript, parseLiveState } from "./live-state";

export interface ExecResult {
    stdout: string;
    stderr: string;
    /** Exit status; 128 + the signal's number when a signal ended the command. */
    code: number;
    /** The signal that ended the command ("KILL", ...), if one did. */
    signal?: string;
}

export interface ExecOptions {
    stdin?: Buffer | string;
    /** Overrides the connection's commandTimeoutMs for this command. */
    timeoutMs?: number;
}

interface PoolEntry {
    client?: Client;
    /** Shared by callers that need the connection while it is being made. */
    connecting?: Promise<Client>;
    jump?: Client;
    roundTrips: number;
    /** Set by closeAll: a login still in progress then ends instead of joining the pool. */
    closed?: boolean;
    /** Host key seen at the last login; with trustOnFirstUse, the pin for later ones. */
    seenFingerprint?: string;
    /** The host's own name, from its live state; log lines say "h1: enable", not the SSH address. */
    hostName?: string;
    jumpFingerprint?: string;
}

const pool = new Map<string, PoolEntry>();

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

export function fingerprintOf(key: Buffer): string {
    return `SHA256:${crypto.createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

export class SshError extends Error {
    constructor(
        message: string,
        /** True only when nothing can have run on the host and trying again may help. */
        readonly retryable: boolean,
    ) {
        super(message);
    }
}

function globMatches(pattern: string, name: string): boolean {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
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

interface Pin {
    /** Returns why the key is refused, or undefined to accept it. */
    check(key: Buffer): string | undefined;
}

function pinFor(target: HostConnection | JumpHost, remembered: string | undefined): Pin {
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
                throw new SshError(`hostKey.knownHostsPath = ${JSON.stringify(pin.knownHostsPath)}: cannot read it (${(error as NodeJS.ErrnoException).code}); give an existing known_hosts file`, false);
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
    return { check: (key) => (remembered === undefined || fingerprintOf(key) === remembered ? undefined : `expected ${remembered}, the key this host presented first (trustOnFirstUse)`) };
}

function loginConfig(target: HostConnection | JumpHost, field: string): Partial<ConnectConfig> {
    const config: Partial<ConnectConfig> = {};
    if (target.privateKey !== undefined) {
        config.privateKey = target.privateKey;
    } else if (target.privateKeyPath !== undefined) {
        try {
            config.privateKey = fs.readFileSync(target.privateKeyPath);
        } catch (error) {
            throw new SshError(`${field}.privateKeyPath = ${JSON.stringify(target.privateKeyPath)}: cannot read it (${(error as NodeJS.ErrnoException).code}); give the path of a private key file`, false);
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
        if (!socket) throw new SshError(`${field}.agent = true but SSH_AUTH_SOCK is not set; start ssh-agent or give the agent socket's path`, false);
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

const retryableSocketErrors = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "EPIPE", "ECONNABORTED"]);

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
                fail(new SshError(`${label}: no SSH login within ${timeoutMs} ms (connectTimeoutMs); check that the host is up, that ${hostLabel(target)} is its SSH address and port, and that no firewall drops the packets`, true)),
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
            client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => target.password ?? "")));
        }
        client
            .on("ready", () => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                resolve({ client, fingerprint: seen ?? "" });
            })
            .on("error", (error: Error & { level?: string; code?: string }) => {
                if (refusal !== undefined) {
                    fail(
                        new SshError(
                            `${label}: host key refused: the host presented ${seen}, ${refusal}. If the host was reinstalled on purpose, pin its new key ` +
                                "(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host); otherwise someone may be in the path: do not connect",
                            false,
                        ),
                    );
                } else if (error.level === "client-authentication") {
                    fail(new SshError(`${label}: authentication failed: the host refused ${describeCredentials(target)} for user ${target.user}; check ${field}.user and the credentials (the public key must be in ~${target.user}/.ssh/authorized_keys on the host)`, false));
                } else if (error.level === "client-timeout") {
                    fail(new SshError(`${label}: no SSH login within ${timeoutMs} ms (connectTimeoutMs): ${error.message}`, true));
                } else if (error.level === "client-dns") {
                    fail(new SshError(`${label}: cannot resolve the host name ${target.host} (${error.code ?? error.message}); check ${field}.host`, false));
                } else if (error.level === "client-socket" && retryableSocketErrors.has(error.code ?? "")) {
                    const hint = error.code === "ECONNREFUSED" ? `nothing listens on port ${target.port}; is sshd running, and is the port right?` : "the network dropped the connection";
                    fail(new SshError(`${label}: ${error.message}: ${hint}`, true));
                } else if (/Connection lost before handshake/.test(error.message)) {
                    // sshd restarting, or MaxStartups shedding load: both pass.
                    fail(new SshError(`${label}: the host closed the connection before the SSH handshake (sshd restarting or busy)`, true));
                } else {
                    fail(new SshError(`${label}: ${error.message}`, false));
                }
            })
            .on("close", () => fail(new SshError(`${label}: the host closed the connection during login`, true)));
        try {
            client.connect(config);
        } catch (error) {
            // ssh2 throws here for a key it cannot parse or decrypt.
            fail(new SshError(`${label}: cannot use the private key (${(error as Error).message}); check ${field}.privateKey/privateKeyPath and passphrase`, false));
        }
    });
}

function forward(jump: Client, jumpLabel: string, host: string, port: number, timeoutMs: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new SshError(`${jumpLabel}: no tunnel to ${host}:${port} within ${timeoutMs} ms (connectTimeoutMs)`, true)), timeoutMs);
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

async function connectVia(c: HostConnection, entry: PoolEntry): Promise<Client> {
    let sock: ClientChannel | undefined;
    let jump: Client | undefined;
    if (c.jump) {
        const hop = await connectOnce(c.jump, "connection.jump", c.connectTimeoutMs, c.jump.hostKey.trustOnFirstUse ? entry.jumpFingerprint : undefined);
        jump = hop.client;
        entry.jumpFingerprint = hop.fingerprint;
        try {
            sock = await forward(jump, `${c.jump.user}@${hostLabel(c.jump)}`, c.host, c.port, c.connectTimeoutMs);
        } catch (error) {
            jump.end();
            throw error;
        }
    }
    try {
        const { client, fingerprint } = await connectOnce(c, "connection", c.connectTimeoutMs, c.hostKey.trustOnFirstUse ? entry.seenFingerprint : undefined, sock);
        entry.seenFingerprint = fingerprint;
        entry.jump = jump;
        client.on("close", () => {
            if (entry.client === client) entry.client = undefined;
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

async function connect(c: HostConnection, entry: PoolEntry): Promise<Client> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
        try {
            return await connectVia(c, entry);
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

/** Collects the files under `dirs` that a host needs to build from (no build outputs). */
export function treeManifest(root: string, dirs: string[]): { files: string[]; hash: string } {
    const wanted = /(\.[chS]|\.lds|\.sh|\.mk|Makefile|Kbuild)$/;
    const files: string[] = [];
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = path.join(relative, entry.name);
            if (entry.isDirectory()) walk(child);
            else if (wanted.test(entry.name) && !entry.name.endsWith(".mod.c")) files.push(child);
        }
    };
    dirs.forEach(walk);
    files.sort();
    const hash = crypto.createHash("sha256");
    for (const file of files) hash.update(`${file}\0`).update(fs.readFileSync(path.join(root, file))).update("\0");
    return { files, hash: hash.digest("hex") };
}

function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Refuses paths a typo could turn into `rm -rf /` or a write outside the intended place. */
function checkRemotePath(remotePath: string, what: string): void {
    if (!remotePath.startsWith("/") || path.posix.normalize(remotePath) !== remotePath || remotePath === "/" || remotePath.endsWith("/")) {
        throw new Error(`${what} ${JSON.stringify(remotePath)} must be an absolute, normalised path below / (like /var/lib/x)`);
    }
}

interface OpenChannel {
    channel: ClientChannel;
    /** The connection it runs on, which may no longer be the pooled one when it ends. */
    client: Client;
    /** Set when the host reports how the command ended; never set if the connection died first. */
    exit?: { code: number | null; signal?: string };
}

// The remote shell is started by sshd with setsid(), so its pid is also its
// process group: printing it first lets a timeout kill everything the command
// started, not just the shell (sshd's "signal" request reaches the shell only).
// Not anchored: a login shell's rc file may print to stderr before it.
const pidMarkerPattern = /\u001epj-pgid=(\d+)\n/;

export class HostSession {
    constructor(
        readonly connection: HostConnection,
        private readonly entry: PoolEntry,
        private readonly log: (step: string) => void,
    ) {}

    /** The host's name once its live state was read through this connection, else its SSH address. */
    get label(): string {
        return this.entry.hostName || hostLabel(this.connection);
    }

    /** Commands started on this host over this connection setting by this process so far (each one SSH round trip). */
    get roundTrips(): number {
        return this.entry.roundTrips;
    }

    /** The host key's fingerprint seen at the last login (what trustOnFirstUse accepted). */
    get seenFingerprint(): string | undefined {
        return this.entry.seenFingerprint;
    }

    private client(): Promise<Client> {
        const entry = this.entry;
        if (entry.client) return Promise.resolve(entry.client);
        // Commands started in parallel share one login instead of racing to make several.
        entry.connecting ??= connect(this.connection, entry)
            .then((client) => {
                if (entry.closed) {
                    client.end();
                    throw new SshError(`${this.label}: connections were closed (closeAll) while this one was being made`, false);
                }
                return (entry.client = client);
            })
            .finally(() => (entry.connecting = undefined));
        return entry.connecting;
    }

    private dropConnection(client: Client): void {
        if (this.entry.client === client) this.entry.client = undefined;
        client.destroy();
    }

    private async openChannel(command: string, shown: string): Promise<OpenChannel> {
        // A pooled connection that died while idle (sshd restarted, host
        // rebooted) is replaced once, but only when the failure came before
        // the exec request was sent: then the command has not started anywhere
        // and trying again is not a re-run.
        const limit = this.connection.connectTimeoutMs;
        for (let attempt = 0; ; attempt++) {
            const client = await this.client();
            let timedOut = false;
            try {
                return await new Promise<OpenChannel>((resolve, reject) => {
                    const timer = setTimeout(() => {
                        timedOut = true;
                        reject(new Error(`no answer within ${limit} ms (connectTimeoutMs)`));
                    }, limit);
                    try {
                        client.exec(command, (error, channel) => {
                            clearTimeout(timer);
                            if (error) return reject(error);
                            // Listened for here, synchronously: a quick command's exit
                            // status can arrive in the same packet batch as the channel's
                            // confirmation, and ssh2 does not replay the event.
                            const open: OpenChannel = { channel, client };
                            channel.on("exit", (code: number | null, signal?: string) => (open.exit = { code, signal: signal?.replace(/^SIG/, "") }));
                            resolve(open);
                        });
                    } catch (error) {
                        // ssh2 throws "Not connected" when the pooled socket is already gone.
                        clearTimeout(timer);
                        reject(error);
                    }
                });
            } catch (error) {
                this.dropConnection(client);
                const message = (error as Error).message;
                // ssh2 says "Unable to exec" when the exec request itself failed or
                // was lost: the host may have started the command. A silent
                // connection leaves the same doubt.
                if (timedOut || /Unable to exec/.test(message)) {
                    throw new SshError(`${this.label}: starting a command failed (${message}); it may have started, so it is not retried: ${shown}`, false);
                }
                if (attempt > 0) throw new SshError(`${this.label}: could not start a command: ${message}`, false);
            }
        }
    }

    /** Kills the command's process group with a separate, short command. */
    private async killGroup(client: Client, pgid: number): Promise<void> {
        const limit = Math.min(this.connection.connectTimeoutMs, 5_000);
        const done = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), limit);
            try {
                client.exec(`kill -KILL -- -${pgid} 2>/dev/null; true`, (error, channel) => {
                    if (error) {
                        clearTimeout(timer);
                        return resolve(false);
                    }
                    this.entry.roundTrips++;
                    channel.on("close", () => {
                        clearTimeout(timer);
                        resolve(true);
                    });
                    channel.resume();
                    channel.stderr.resume();
                    channel.end();
                });
            } catch {
                clearTimeout(timer);
                resolve(false);
            }
        });
        // A connection that cannot run even this is dead; the next call makes a new one.
        if (!done) this.dropConnection(client);
    }

    /** Runs one command; resolves with its output and exit status, whatever the status. */
    async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
        const timeoutMs = options.timeoutMs ?? this.connection.commandTimeoutMs;
        const shown = command.trim().split("\n")[0].slice(0, 120);
        const open = await this.openChannel(`printf '\\036pj-pgid=%s\\n' $$ >&2\n${command}`, shown);
        const channel = open.channel;
        this.entry.roundTrips++;
        return new Promise((resolve, reject) => {
            const stdout: Buffer[] = [];
            const stderr: Buffer[] = [];
            let timedOut = false;
            const pgid = () => Number(pidMarkerPattern.exec(Buffer.concat(stderr).toString("latin1"))?.[1] ?? 0);
            const timer = setTimeout(() => {
                timedOut = true;
                // Not channel.signal(): ssh2 sends it only while our side of the
                // channel is open, and sshd would deliver it to the shell alone.
                const group = pgid();
                const killed = group > 1 ? this.killGroup(open.client, group) : Promise.resolve();
                void killed.then(() => {
                    channel.close();
                    reject(new SshError(`${this.label}: command timed out after ${timeoutMs} ms and was killed (timeoutMs / commandTimeoutMs): ${shown}`, false));
                });
            }, timeoutMs);
            // Write errors after the far end closed would otherwise be thrown; "close" reports the outcome.
            channel.on("error", () => undefined);
            channel.on("data", (d: Buffer) => stdout.push(d));
            channel.stderr.on("data", (d: Buffer) => stderr.push(d));
            channel.on("close", () => {
                clearTimeout(timer);
                if (timedOut) return;
                const exit = open.exit;
                if (!exit) {
                    reject(new SshError(`${this.label}: the connection was lost while running: ${shown}; it may or may not have finished, and is not run again`, false));
                    return;
                }
                const errText = Buffer.concat(stderr).toString().replace(pidMarkerPattern, "");
                const signalNumber = exit.signal ? osConstants.signals[`SIG${exit.signal}` as keyof typeof osConstants.signals] : undefined;
                resolve({
                    stdout: Buffer.concat(stdout).toString(),
                    stderr: errText,
                    code: exit.code ?? 128 + (signalNumber ?? 127),
                    ...(exit.signal ? { signal: exit.signal } : {}),
                });
            });
            if (options.stdin !== undefined) channel.end(options.stdin);
            else channel.end();
        });
    }

    /** Runs a step; a non-zero exit becomes an error naming the host, the step and stderr's tail. */
    async run(step: string, command: string, options: ExecOptions = {}): Promise<string> {
        this.log(`${this.label}: ${step}`);
        const result = await this.exec(command, options);
        if (result.code !== 0) {
            const tail = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-12).join("\n");
            throw new Error(`${this.label}: ${step} failed (exit ${result.code}):\n${tail}`);
        }
        return result.stdout;
    }

    /**
     * Sends a file unless the host already has the same content and mode:
     * one round trip when it is unchanged, two when it is sent. `source` is
     * the content, or a string naming a local file. Returns whether it was sent.
     */
    async upload(source: Buffer | string, remotePath: string, mode = 0o644): Promise<boolean> {
        checkRemotePath(remotePath, "upload target");
        let data: Buffer;
        try {
            data = typeof source === "string" ? fs.readFileSync(source) : source;
        } catch (error) {
            throw new Error(`${this.label}: cannot upload ${JSON.stringify(source)} to ${remotePath}: cannot read the local file (${(error as NodeJS.ErrnoException).code})`);
        }
        const hash = crypto.createHash("sha256").update(data).digest("hex");
        const quoted = shellQuote(remotePath);
        const present = await this.exec(`[ -f ${quoted} ] && sha256sum < ${quoted} | cut -c1-64 && stat -c %a ${quoted}; true`);
        const [presentHash, presentMode] = present.stdout.trim().split("\n");
        if (presentHash === hash && presentMode === mode.toString(8)) return false;
        // Written aside and renamed, so a reader never sees half a file.
        const script = `set -e; mkdir -p "$(dirname ${quoted})"; umask 077; cat > ${quoted}.pj-tmp; chmod ${mode.toString(8)} ${quoted}.pj-tmp; mv -f ${quoted}.pj-tmp ${quoted}`;
        const result = await this.exec(script, { stdin: data });
        if (result.code !== 0) throw new Error(`${this.label}: upload of ${remotePath} failed (exit ${result.code}): ${result.stderr.trim()}`);
        return true;
    }

    /**
     * Replaces `remoteDir` with `files` (paths relative to `root`) as one tar
     * stream, unless the host already has a tree with this manifest hash (see
     * treeManifest). Files not in the list do not survive. Returns whether it was sent.
     */
    async uploadTree(root: string, files: string[], remoteDir: string, manifestHash: string): Promise<boolean> {
        checkRemotePath(remoteDir, "uploadTree target");
        const dir = shellQuote(remoteDir);
        const stampValue = shellQuote(manifestHash);
        const present = await this.exec(`cat ${shellQuote(`${remoteDir}/.manifest-sha256`)} 2>/dev/null; true`);
        if (present.stdout.trim() === manifestHash) return false;
        // The list goes on stdin so a large tree does not hit the argument limit.
        const tar = execFileSync("tar", ["-c", "-C", root, "--owner=0", "--group=0", "--null", "--no-recursion", "-T", "-"], {
            input: files.map((f) => `${f}\0`).join(""),
            maxBuffer: 512 * 1024 * 1024,
        });
        // Unpacked aside and swapped in, so a failed transfer leaves the old tree whole.
        const tmp = shellQuote(`${remoteDir}.pj-tmp`);
        const script = [
            "set -e",
            `rm -rf ${tmp}`,
            `mkdir -p ${tmp}`,
            `tar -x -m -C ${tmp}`,
            `printf '%s\\n' ${stampValue} > ${tmp}/.manifest-sha256`,
            `rm -rf ${dir}`,
            `mkdir -p "$(dirname ${dir})"`,
            `mv ${tmp} ${dir}`,
        ].join("\n");
        const result = await this.exec(script, { stdin: tar });
        if (result.code !== 0) throw new Error(`${this.label}: upload of ${remoteDir} failed (exit ${result.code}): ${result.stderr.trim()}`);
        return true;
    }

    /** The whole live state in one round trip. */
    async readLiveState(): Promise<LiveHostState> {
        const result = await this.exec(liveStateScript);
        try {
            const state = parseLiveState(result.stdout);
            this.entry.hostName = state.hostname.trim() || undefined;
            return state;
        } catch (error) {
            throw new Error(`${this.label}: reading the live state failed (exit ${result.code}): ${(error as Error).message}${result.stderr.trim() ? `\n${result.stderr.trim().slice(-500)}` : ""}`);
        }
    }
}

const locks = new Map<string, Promise<void>>();
/** The hosts whose lock the current async call chain holds. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * Runs `fn` with the host's session while holding the host's lock. Callers on
 * one host queue in call order; callers on different hosts do not wait for
 * each other. A withHost for the same host inside `fn` runs at once, as part
 * of the work that holds the lock, instead of waiting for itself forever.
 */
export async function withHost<T>(input: unknown, fn: (session: HostSession) => Promise<T>, log: (step: string) => void = () => undefined): Promise<T> {
    const connection = parseHostConnection(input);
    const key = poolKey(connection);
    let entry = pool.get(key);
    if (!entry) {
        entry = { roundTrips: 0 };
        pool.set(key, entry);
    }
    const session = new HostSession(connection, entry, log);
    const host = lockKey(connection);
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

export { HostConnectionError };
