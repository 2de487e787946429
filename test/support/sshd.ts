// SPDX-License-Identifier: MIT
// A real OpenSSH sshd on 127.0.0.1 for the host-transport tests: its own
// folder, host key, authorised client key and config, on a free port that is
// never one of the lab's (10022-10060). It runs as root with -D -e, so it
// never touches the system's sshd, its config or its keys.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const sshdBinary = "/usr/sbin/sshd";
const labPorts = { first: 10022, last: 10060 };

export interface SshdOptions {
    /** A name for messages and the temporary folder. */
    name?: string;
}

export interface Sshd {
    readonly name: string;
    readonly port: number;
    readonly dir: string;
    /** The client key sshd accepts for root. */
    readonly clientKeyPath: string;
    /** A valid key sshd does not accept. */
    readonly strangerKeyPath: string;
    /** The current host key's "ssh-ed25519 AAAA..." and its SHA256 fingerprint (ssh-keygen -lf). */
    hostPublicKey(): string;
    hostFingerprint(): string;
    /** A known_hosts line for this sshd, as ssh would write it. */
    knownHostsLine(): string;
    /** Connection input for withHost: root with the accepted key and the host key pinned. */
    connection(extra?: Record<string, unknown>): Record<string, unknown>;
    /** sshd's log so far (-e sends it to stderr). */
    log(): string;
    /** The pid of the listening sshd. */
    pid(): number;
    /** Kills sshd and every connection it serves, as a host going down would. */
    stop(): Promise<void>;
    /** Starts again on the same port; with newHostKey, as a reinstalled host would. */
    restart(options?: { newHostKey?: boolean }): Promise<void>;
    /** stop() and remove the folder. */
    cleanup(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test process that ends without its after() hooks must not leave sshds behind.
process.on("exit", () => {
    for (const child of running) if (child.pid) process.kill(child.pid, "SIGKILL");
});

/** Listens on a kernel-chosen port of 127.0.0.1 that is not one of the lab's. */
export async function listenOutsideLab(server: net.Server): Promise<number> {
    for (;;) {
        await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
        const port = (server.address() as net.AddressInfo).port;
        if (port < labPorts.first || port > labPorts.last) return port;
        await new Promise((resolve) => server.close(resolve));
    }
}

/** A port the kernel considers free now, outside the lab's range. */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    const port = await listenOutsideLab(server);
    await new Promise((resolve) => server.close(resolve));
    return port;
}

function keygen(file: string, comment: string): void {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], { stdio: "pipe" });
}

/**
 * The sshd_config lines every test sshd shares: its host key and pid file,
 * keys only (from `dir`/authorized_keys), root allowed, no PAM, no banners.
 */
export function testSshdConfig(dir: string, hostKeyPath: string, pidFile: string): string[] {
    return [
        `HostKey ${hostKeyPath}`,
        `PidFile ${pidFile}`,
        `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
        "PermitRootLogin yes",
        "StrictModes no",
        "UsePAM no",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PrintMotd no",
        "PrintLastLog no",
    ];
}

/** Stops an sshd and every session it runs; resolves once the sshd has exited. */
export async function stopSshdProcess(proc: ChildProcess | undefined): Promise<void> {
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    // Frozen first, so it accepts nothing new while its connections are collected and killed.
    process.kill(proc.pid, "SIGSTOP");
    for (const pid of descendants(proc.pid).reverse()) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // Already gone.
        }
    }
    process.kill(proc.pid, "SIGKILL");
    await exited;
}

/** Process ids of every descendant of `pid`, read from /proc. */
export function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        let stat: string;
        try {
            stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        } catch {
            continue;
        }
        // The command name may hold spaces and parentheses; the fields after the last ")" do not.
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    }
    const found: number[] = [];
    const queue = [pid];
    while (queue.length > 0) {
        for (const child of children.get(queue.shift() as number) ?? []) {
            found.push(child);
            queue.push(child);
        }
    }
    return found;
}

/** Socket inodes held open by a process. */
export function socketInodes(pid: number | "self"): Set<string> {
    const inodes = new Set<string>();
    let fds: string[];
    try {
        fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
        return inodes;
    }
    for (const fd of fds) {
        try {
            const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
            if (match) inodes.add(match[1]);
        } catch {
            // The fd closed while we looked.
        }
    }
    return inodes;
}

/** The inode of the IPv4 TCP socket whose local port is `localPort` and remote port `remotePort`. */
export function tcpSocketInode(localPort: number, remotePort: number): string | undefined {
    for (const line of fs.readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 10) continue;
        const local = parseInt(fields[1].split(":")[1], 16);
        const remote = parseInt(fields[2].split(":")[1], 16);
        if (local === localPort && remote === remotePort) return fields[9];
    }
    return undefined;
}

/** Whether an SSH server answers on the loopback port: its first line is an SSH-2.0 banner within a second. */
export function answersSshBanner(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        let text = "";
        const done = (ok: boolean) => {
            socket.destroy();
            resolve(ok);
        };
        socket.setTimeout(1000, () => done(false));
        socket.on("data", (d) => {
            text += d.toString();
            if (text.includes("\n")) done(text.startsWith("SSH-2.0-"));
        });
        socket.on("error", () => done(false));
        socket.on("close", () => done(false));
    });
}

async function waitForBanner(port: number, child: ChildProcess, log: () => string, deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(
                `sshd on 127.0.0.1:${port} exited (${child.exitCode ?? child.signalCode}) before answering:\n${log().slice(-2000)}`,
            );
        }
        if (await answersSshBanner(port)) return;
        if (Date.now() > deadline)
            throw new Error(`sshd on 127.0.0.1:${port} gave no SSH banner within ${deadlineMs} ms:\n${log().slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
    const name = options.name ?? "sshd";
    // sshd insists on its privilege separation folder; the openssh-server
    // package makes it only when its service starts, which it never does here.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pj-${name}-`));
    const hostKeyPath = path.join(dir, "ssh_host_ed25519_key");
    const clientKeyPath = path.join(dir, "client_ed25519");
    const strangerKeyPath = path.join(dir, "stranger_ed25519");
    keygen(hostKeyPath, `${name}-host`);
    keygen(clientKeyPath, `${name}-client`);
    keygen(strangerKeyPath, `${name}-stranger`);
    fs.copyFileSync(`${clientKeyPath}.pub`, path.join(dir, "authorized_keys"));

    let logText = "";
    let child: ChildProcess | undefined;
    let port = 0;

    const writeConfig = () => {
        const config = [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            ...testSshdConfig(dir, hostKeyPath, path.join(dir, "sshd.pid")),
            "AllowTcpForwarding yes",
            "LogLevel VERBOSE",
        ];
        fs.writeFileSync(path.join(dir, "sshd_config"), `${config.join("\n")}\n`);
    };

    const launch = async () => {
        writeConfig();
        const proc = spawn(sshdBinary, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
        running.add(proc);
        proc.on("exit", () => running.delete(proc));
        proc.stderr?.on("data", (d: Buffer) => (logText += d.toString()));
        child = proc;
        await waitForBanner(port, proc, () => logText, 10_000);
    };

    // Another program may take the free port between our probe and sshd's bind; try a few.
    for (let attempt = 1; ; attempt++) {
        port = await freePort();
        try {
            await launch();
            break;
        } catch (error) {
            if (attempt >= 5 || !/Address already in use|Cannot bind/i.test(logText)) throw error;
            logText = "";
        }
    }

    const stop = () => stopSshdProcess(child);

    const sshd: Sshd = {
        name,
        get port() {
            return port;
        },
        dir,
        clientKeyPath,
        strangerKeyPath,
        hostPublicKey: () => fs.readFileSync(`${hostKeyPath}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" "),
        hostFingerprint: () =>
            execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKeyPath}.pub`], { encoding: "utf8" }).split(/\s+/)[1],
        knownHostsLine: () => `[127.0.0.1]:${port} ${sshd.hostPublicKey()}`,
        connection: (extra = {}) => ({
            host: "127.0.0.1",
            port,
            user: "root",
            privateKeyPath: clientKeyPath,
            hostKey: { fingerprint: sshd.hostFingerprint() },
            connectTimeoutMs: 10_000,
            retries: 0,
            ...extra,
        }),
        log: () => logText,
        pid: () => child?.pid ?? 0,
        stop,
        restart: async (restartOptions = {}) => {
            await stop();
            if (restartOptions.newHostKey) keygen(hostKeyPath, `${name}-host`);
            await launch();
        },
        cleanup: async () => {
            await stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
    return sshd;
}

/** A loopback TCP server that records when each connection arrives and, on close, drops the sockets `serve` hands it. */
async function arrivalServer(
    serve: (socket: net.Socket, track: (s: net.Socket) => void) => void,
): Promise<{ port: number; arrivals: number[]; close(): Promise<void> }> {
    const arrivals: number[] = [];
    const sockets = new Set<net.Socket>();
    const track = (s: net.Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
    };
    const server = net.createServer((socket) => {
        arrivals.push(Date.now());
        serve(socket, track);
    });
    const port = await listenOutsideLab(server);
    return {
        port,
        arrivals,
        close: async () => {
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/** A TCP relay to `targetPort` that records when each connection arrives. */
export function countingProxy(targetPort: number): Promise<{ port: number; arrivals: number[]; close(): Promise<void> }> {
    return arrivalServer((incoming, track) => {
        const outgoing = net.connect(targetPort, "127.0.0.1");
        track(incoming);
        track(outgoing);
        incoming.pipe(outgoing).pipe(incoming);
        incoming.on("close", () => outgoing.destroy());
        outgoing.on("close", () => incoming.destroy());
    });
}

/** A TCP server that accepts and never says a word, as a hung host's sshd would. */
export function silentServer(): Promise<{ port: number; arrivals: number[]; close(): Promise<void> }> {
    return arrivalServer((socket, track) => track(socket));
}
