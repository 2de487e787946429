// SPDX-License-Identifier: MIT
// SIMULATED hosts for the fleet benchmarks, beyond what the lab can boot: a
// real OpenSSH sshd on 127.0.0.1 listening on N ports (one sshd per 16, its
// limit), each port standing for one host. Everything up to the command is real (TCP, key exchange, host-key
// pinning, public-key login, one exec channel per command); what runs is a
// forced command that answers the live-state script with a live state
// RECORDED from a real lab host and does nothing for every other command. It
// counts the commands per port, so a benchmark can report SSH round trips per
// host without touching the code it measures.
//
// The recording itself (recordLiveState) is taken from a real lab host with
// the read-only live-state script, and kept in the cache with a header that
// says when and from which host.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { liveStateScript, parseLiveState, type LiveHostState } from "../../provider/src/resources/live-state";
import { type LabHost, readInventory } from "../../examples/lab/tooling/lab";
import { cacheDir } from "../../examples/lab/tooling/workbench";
import { answersSshBanner, listenOutsideLab, stopSshdProcess, testSshdConfig } from "./sshd";

/**
 * The line of the live-state script the forced command recognises it by.
 * It is the script's first output line, which parseLiveState requires, so
 * the script cannot lose it without the parser noticing first.
 */
export const liveStateMarker = "echo livestate=1";
if (!liveStateScript.includes(liveStateMarker)) {
    // Fail at load, not with a silently wrong benchmark: the simulated host
    // would answer every read with nothing.
    throw new Error(
        `sim-hosts: the live-state script no longer contains '${liveStateMarker}'; update liveStateMarker in test/support/sim-hosts.ts`,
    );
}

/** A simulated host as a fleet program's connection wants it (examples/lab/fleet.yaml's explicit host form). */
export interface SimHost {
    name: string;
    host: string;
    port: number;
    user: string;
    privateKeyPath: string;
    hostKey: { fingerprint: string };
}

export interface SimFleet {
    readonly hosts: SimHost[];
    /** Folder of this fleet: sshd config, keys, counters, log. */
    readonly dir: string;
    /** known_hosts lines for every simulated host (for OpenSSH clients such as Ansible's). */
    readonly knownHostsPath: string;
    /** Commands each host has run since start or the last resetCounts(). */
    roundTrips(name: string): number;
    /** Of those, the live-state reads. */
    reads(name: string): number;
    resetCounts(): void;
    /** Replaces the live state every host answers from the next read on, as a change made out of band would. */
    setLiveState(body: string): void;
    /** sshd's own log (errors only). */
    log(): string;
    stop(): Promise<void>;
}

export const recordingDir = () => path.join(cacheDir(), "bench");
export const recordingPath = (host: string) => path.join(recordingDir(), `recorded-state-${host}.txt`);

export interface Recording {
    file: string;
    /** The header lines (without "# "), then the state as the host printed it. */
    header: string[];
    body: string;
    state: LiveHostState;
}

/** Reads a recording, checking that its body is a complete live state. */
export function readRecording(file: string): Recording {
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    const header = lines.filter((l) => l.startsWith("#")).map((l) => l.replace(/^# ?/, ""));
    const body = lines.filter((l) => !l.startsWith("#")).join("\n");
    // A truncated or foreign file would make every simulated host look empty.
    const state = parseLiveState(body);
    return { file, header, body, state };
}

/** One line on what a recorded state holds, for the results. */
export function describeState(state: LiveHostState): string {
    const hv = !state.moduleLoaded
        ? "driver not loaded, hypervisor not enabled"
        : state.jailhouse?.enabled
          ? "hypervisor enabled"
          : "driver loaded, hypervisor not enabled";
    const cells = state.cells.filter((c) => c.id !== 0).map((c) => `${c.name} ${c.state}`);
    return `${state.hostname}, kernel ${state.kernelRelease}, CPUs ${state.onlineCpus.join(",")}: ${hv}; cells: ${cells.length ? cells.join(", ") : "none"}`;
}

/**
 * Captures the live state of a real lab host with the provider's own
 * live-state script over OpenSSH (the host key pinned by the lab's
 * known_hosts) and stores it under the cache. Read only: the script only
 * reads /proc, /sys, dmesg and a few files.
 */
export function recordLiveState(hostName: string, inventoryHosts: LabHost[] = readInventory().hosts): Recording {
    const lab = inventoryHosts.find((h) => h.name === hostName);
    if (!lab)
        throw new Error(
            `record: host ${hostName} is not in the lab inventory (${inventoryHosts.map((h) => h.name).join(", ") || "none"}); boot it with npm run lab -- up 2`,
        );
    let output: string;
    try {
        output = execFileSync(
            "ssh",
            [
                "-i",
                lab.keyPath,
                "-p",
                String(lab.port),
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                `UserKnownHostsFile=${lab.knownHostsPath}`,
                "-o",
                "ConnectTimeout=20",
                `${lab.user}@${lab.address}`,
                "sh -s",
            ],
            { input: liveStateScript, encoding: "utf8", timeout: 120_000, stdio: ["pipe", "pipe", "pipe"] },
        );
    } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(
            `record: reading the live state of ${hostName} (${lab.address}:${lab.port}) failed: ${(e.stderr || e.message).trim().split("\n").slice(-3).join(" ")}`,
            { cause: error },
        );
    }
    const state = parseLiveState(output);
    const file = recordingPath(hostName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const header = [
        `live state recorded ${new Date().toISOString()} from lab host ${hostName} (${lab.user}@${lab.address}:${lab.port}) with the provider's live-state script (read only)`,
        `for SIMULATED hosts (test/support/sim-hosts.ts): ${describeState(state)}`,
    ];
    fs.writeFileSync(file, `${header.map((h) => `# ${h}`).join("\n")}\n${output.endsWith("\n") ? output : `${output}\n`}`);
    return readRecording(file);
}

function keygen(file: string, comment: string): void {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file], { stdio: "pipe" });
}

/** OpenSSH's MAX_LISTEN_SOCKS: one sshd listens on at most this many addresses. */
const maxPortsPerSshd = 16;

/** N ports free at once, outside the lab's range and not in `taken`: held open together so no two are the same. */
async function freePorts(count: number, taken: number[]): Promise<number[]> {
    const servers: net.Server[] = [];
    const ports: number[] = [];
    while (ports.length < count) {
        const server = net.createServer();
        servers.push(server);
        const port = await listenOutsideLab(server);
        if (!taken.includes(port)) ports.push(port);
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    return ports;
}

const running = new Set<ChildProcess>();
// A benchmark that dies must not leave its sshd listening.
process.on("exit", () => {
    for (const child of running) if (child.pid) process.kill(child.pid, "SIGKILL");
});

/**
 * Starts N SIMULATED hosts serving the recording in `recordingFile`
 * (written by recordLiveState). Names are sim-01, sim-02, ...
 */
export async function start(count: number, recordingFile: string): Promise<SimFleet> {
    if (!Number.isInteger(count) || count < 1) throw new Error(`sim-hosts: give a whole number of hosts from 1, got ${count}`);
    const recording = readRecording(recordingFile);
    // sshd insists on its privilege separation folder, which the package makes only when its service starts.
    fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-sim-hosts-"));
    const hostKeyPath = path.join(dir, "ssh_host_ed25519_key");
    const clientKeyPath = path.join(dir, "client_ed25519");
    keygen(hostKeyPath, "pj-simulated-host");
    keygen(clientKeyPath, "pj-sim-client");
    fs.copyFileSync(`${clientKeyPath}.pub`, path.join(dir, "authorized_keys"));
    const countsDir = path.join(dir, "counts");
    fs.mkdirSync(countsDir);
    const statePath = path.join(dir, "live-state.txt");
    fs.writeFileSync(statePath, recording.body);

    // The forced command. SSH_CONNECTION ends with the server port, which is
    // the simulated host. One byte appended per command (O_APPEND writes of
    // one byte do not interleave), so the count is the file's size. Other
    // commands still read their stdin to the end, as the real host's would,
    // so an upload costs its transfer here too.
    const forced = path.join(dir, "simulated-host.sh");
    fs.writeFileSync(
        forced,
        [
            "#!/bin/sh",
            "# SIMULATED host (test/support/sim-hosts.ts): recorded live state, every other command a no-op.",
            "port=${SSH_CONNECTION##* }",
            `printf . >> ${countsDir}/"$port"`,
            'case "$SSH_ORIGINAL_COMMAND" in',
            `  *'${liveStateMarker}'*) printf . >> ${countsDir}/reads-"$port"; exec cat ${statePath} ;;`,
            "esac",
            "exec cat > /dev/null",
            "",
        ].join("\n"),
        { mode: 0o755 },
    );

    const hostPublicKey = fs.readFileSync(`${hostKeyPath}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${hostKeyPath}.pub`], { encoding: "utf8" }).split(
        /\s+/,
    )[1];

    let logText = "";
    const children: ChildProcess[] = [];
    const ports: number[] = [];
    // OpenSSH listens on at most 16 sockets per sshd (MAX_LISTEN_SOCKS), so a
    // larger fleet is served by one sshd per 16 hosts, all with the same key,
    // forced command and settings.
    for (let first = 0; first < count; first += maxPortsPerSshd) {
        const group = Math.min(maxPortsPerSshd, count - first);
        const index = children.length;
        // Another program may take a probed port before sshd binds it; try again with new ones.
        for (let attempt = 1; ; attempt++) {
            const mine = await freePorts(group, ports);
            const configPath = path.join(dir, `sshd_config.${index}`);
            const config = [
                ...mine.map((p) => `ListenAddress 127.0.0.1:${p}`),
                ...testSshdConfig(dir, hostKeyPath, path.join(dir, `sshd.${index}.pid`)),
                // A fleet logs in all at once; sshd's default (10:30:100) would
                // drop logins at random beyond 10 and the figures would show retries.
                "MaxStartups 256",
                "MaxSessions 64",
                "LogLevel ERROR",
                `ForceCommand ${forced}`,
            ];
            fs.writeFileSync(configPath, `${config.join("\n")}\n`);
            let startLog = "";
            const proc = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
            running.add(proc);
            proc.on("exit", () => running.delete(proc));
            let ready = false;
            proc.stderr?.on("data", (d: Buffer) => {
                // The readiness probes below hang up before the key exchange, which sshd logs (also just after ready); that is not the benchmark's.
                const text = d.toString();
                if (!ready) startLog += text;
                else
                    logText = (logText + text.replace(/^kex_exchange_identification: Connection closed by remote host\r?\n/gm, "")).slice(
                        -20_000,
                    );
            });
            const deadline = Date.now() + 10_000;
            while (!ready && Date.now() < deadline && proc.exitCode === null) {
                ready = (await Promise.all(mine.map(answersSshBanner))).every(Boolean);
                if (!ready) await new Promise((resolve) => setTimeout(resolve, 50));
            }
            if (ready) {
                children.push(proc);
                ports.push(...mine);
                break;
            }
            if (proc.exitCode === null && proc.pid) process.kill(proc.pid, "SIGKILL");
            if (attempt >= 5 || !/Address already in use|Cannot bind/i.test(startLog)) {
                for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, "SIGKILL");
                fs.rmSync(dir, { recursive: true, force: true });
                throw new Error(`sim-hosts: sshd on ${group} ports did not answer within 10 s:\n${startLog.slice(-2000)}`);
            }
        }
    }

    const hosts: SimHost[] = ports.map((port, i) => ({
        name: `sim-${String(i + 1).padStart(2, "0")}`,
        host: "127.0.0.1",
        port,
        user: "root",
        privateKeyPath: clientKeyPath,
        hostKey: { fingerprint },
    }));
    const knownHostsPath = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsPath, hosts.map((h) => `[127.0.0.1]:${h.port} ${hostPublicKey}`).join("\n") + "\n");

    const countFile = (name: string, what = "") => {
        const host = hosts.find((h) => h.name === name);
        if (!host) throw new Error(`sim-hosts: no simulated host ${name}`);
        return path.join(countsDir, `${what}${host.port}`);
    };
    const size = (file: string) => {
        try {
            return fs.statSync(file).size;
        } catch {
            return 0;
        }
    };

    return {
        hosts,
        dir,
        knownHostsPath,
        roundTrips: (name) => size(countFile(name)),
        reads: (name) => size(countFile(name, "reads-")),
        resetCounts() {
            for (const h of hosts) for (const what of ["", "reads-"]) fs.rmSync(countFile(h.name, what), { force: true });
        },
        setLiveState(body) {
            parseLiveState(body);
            // Written aside and renamed, so a read in flight sees the old state or the new one, never half.
            fs.writeFileSync(`${statePath}.new`, body);
            fs.renameSync(`${statePath}.new`, statePath);
        },
        log: () => logText,
        async stop() {
            for (const proc of children) await stopSshdProcess(proc);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The connection input of the provider's host layer (withHost) for a simulated host. */
export function connectionOf(host: SimHost): Record<string, unknown> {
    return { host: host.host, port: host.port, user: host.user, privateKeyPath: host.privateKeyPath, hostKey: host.hostKey };
}

/**
 * The recording a benchmark run uses: PJ_BENCH_RECORDING if set; otherwise a
 * fresh one from the first lab host that answers, h2 first (h1 is the one
 * other work enables and disables); otherwise the newest one in the cache.
 * `note` says which, for the results.
 */
export function benchRecording(preferred: string[] = ["h2", "h1"]): { recording: Recording; note: string } {
    const chosen = process.env.PJ_BENCH_RECORDING;
    if (chosen) {
        const recording = readRecording(chosen);
        return { recording, note: `recording given by PJ_BENCH_RECORDING: ${recording.header[0] ?? chosen}` };
    }
    let hosts: LabHost[] = [];
    try {
        hosts = readInventory().hosts;
    } catch {
        // No lab: fall back to a stored recording below.
    }
    const failures: string[] = [];
    for (const name of preferred) {
        if (!hosts.some((h) => h.name === name)) {
            failures.push(`${name} is not in the lab inventory`);
            continue;
        }
        try {
            const recording = recordLiveState(name, hosts);
            const skipped = failures.length ? ` (${failures.join("; ")})` : "";
            return { recording, note: `${recording.header[0]}${skipped}` };
        } catch (error) {
            failures.push((error as Error).message);
        }
    }
    const stored = fs.existsSync(recordingDir())
        ? fs
              .readdirSync(recordingDir())
              .filter((f) => /^recorded-state-.*\.txt$/.test(f))
              .map((f) => path.join(recordingDir(), f))
              .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
        : [];
    if (stored.length === 0)
        throw new Error(
            `no live state to serve: no lab host answered (${failures.join("; ")}) and no recording is stored in ${recordingDir()}; boot the lab (npm run lab -- up 2) or set PJ_BENCH_RECORDING`,
        );
    const recording = readRecording(stored[0]);
    return { recording, note: `stored recording (no lab host answered: ${failures.join("; ")}): ${recording.header[0]}` };
}
