// SPDX-License-Identifier: MIT
// A session on one host: run a command with our own timeout (killing
// everything it started when the timeout hits), and send a file or a whole
// tree only when the host does not have it yet. A command is never re-run:
// once it may have started on the host, any failure is reported, not repeated.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { constants as osConstants } from "node:os";
import * as path from "node:path";
import { Client, ClientChannel } from "ssh2";
import { connect, LoginState } from "./connect";
import { HostConnection, hostLabel } from "./connection";
import { shellQuote } from "./shell-quote";
import { SshError } from "./ssh-error";

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

/** What every session of one connection setting shares within this process. */
export interface PooledConnection extends LoginState {
    /** Shared by callers that need the connection while it is being made. */
    connecting?: Promise<Client>;
    roundTrips: number;
    /** Set by closeAll: a login still in progress then ends instead of joining the pool. */
    closed?: boolean;
    /** The host's own name, once a caller learnt it; log lines say "h1: enable", not the SSH address. */
    hostName?: string;
}

/** Counts the commands started on one machine by this process, over every login that reaches it. */
export interface MachineCounter {
    readonly key: string;
    commands: number;
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
// eslint-disable-next-line no-control-regex -- the marker starts with an ASCII record separator so no ordinary output matches it
const pidMarkerPattern = /\u001epj-pgid=(\d+)\n/;

export class HostSession {
    constructor(
        readonly connection: HostConnection,
        private readonly entry: PooledConnection,
        private readonly log: (step: string) => void,
        private readonly machine: MachineCounter = { key: hostLabel(connection), commands: 0 },
    ) {}

    /** The machine this session reaches, whatever the login: the key its lock and snapshots go by. */
    get machineKey(): string {
        return this.machine.key;
    }

    /** Commands this process has started on the machine over any login; a change here means the host may have changed. */
    get commandsOnMachine(): number {
        return this.machine.commands;
    }

    /** The host's own name once a caller gave it (nameHost), else its SSH address. */
    get label(): string {
        return this.entry.hostName || hostLabel(this.connection);
    }

    /** From now on, log lines of every session of this connection name the host `name`; an empty name keeps the SSH address. */
    nameHost(name: string): void {
        this.entry.hostName = name.trim() || undefined;
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
                            channel.on(
                                "exit",
                                (code: number | null, signal?: string) => (open.exit = { code, signal: signal?.replace(/^SIG/, "") }),
                            );
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
                    throw new SshError(
                        `${this.label}: starting a command failed (${message}); it may have started, so it is not retried: ${shown}`,
                        false,
                    );
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
                    this.machine.commands++;
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
        // Counted before it starts: a command that fails to start may still have run.
        this.machine.commands++;
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
                    reject(
                        new SshError(
                            `${this.label}: command timed out after ${timeoutMs} ms and was killed (timeoutMs / commandTimeoutMs): ${shown}`,
                            false,
                        ),
                    );
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
                    reject(
                        new SshError(
                            `${this.label}: the connection was lost while running: ${shown}; it may or may not have finished, and is not run again`,
                            false,
                        ),
                    );
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
            throw new Error(
                `${this.label}: cannot upload ${JSON.stringify(source)} to ${remotePath}: cannot read the local file (${(error as NodeJS.ErrnoException).code})`,
                { cause: error },
            );
        }
        const hash = crypto.createHash("sha256").update(data).digest("hex");
        const quoted = shellQuote(remotePath);
        const present = await this.exec(`[ -f ${quoted} ] && sha256sum < ${quoted} | cut -c1-64 && stat -c %a ${quoted}; true`);
        const [presentHash, presentMode] = present.stdout.trim().split("\n");
        if (presentHash === hash && presentMode === mode.toString(8)) return false;
        // Written aside and renamed, so a reader never sees half a file.
        const script = `set -e; mkdir -p "$(dirname ${quoted})"; umask 077; cat > ${quoted}.pj-tmp; chmod ${mode.toString(8)} ${quoted}.pj-tmp; mv -f ${quoted}.pj-tmp ${quoted}`;
        const result = await this.exec(script, { stdin: data });
        if (result.code !== 0)
            throw new Error(`${this.label}: upload of ${remotePath} failed (exit ${result.code}): ${result.stderr.trim()}`);
        return true;
    }

    /**
     * Replaces `remoteDir` with `files` (paths relative to `root`) as one tar
     * stream, unless the host already has a tree stamped with `manifestHash`,
     * the caller's hash of the list and contents. Files not in the list do not
     * survive. Returns whether it was sent.
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
        if (result.code !== 0)
            throw new Error(`${this.label}: upload of ${remoteDir} failed (exit ${result.code}): ${result.stderr.trim()}`);
        return true;
    }
}
