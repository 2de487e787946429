// SPDX-License-Identifier: MIT
// Side by side: the state check of `pulumi preview --refresh` (read each
// host's live state, compare it with the declared partitions) done two ways
// on the same hosts:
//   - Ansible (ansible-core, a Debian package): test/bench/ansible/state.yml,
//     raw with the provider's live-state script, one fork per host;
//   - our host layer: readLiveState on every host in parallel, in a fresh
//     node process with fresh connections, as a real refresh starts
//     (test/bench/ansible/read-state.ts).
// Both are timed as whole processes, start to exit, because that is what a
// person running either one waits for. Hosts: SIMULATED hosts at N = 1 ... 32
// (test/support/sim-hosts.ts), and the real lab hosts that are up, read only.
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { liveStateScript } from "../../provider/src/resources/live-state";
import { type LabHost, readInventory } from "../../examples/lab/tooling/lab";
import { benchRecording, describeState, type Recording, start as startSimHosts } from "../support/sim-hosts";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { type CheckOutcome, outcome, type ReadStateJob } from "./ansible/read-state";
import { declaredCells, fleetSizes, seconds } from "./fleet-scale";
import { median, medianRange } from "../support/stats";

const execFileAsync = promisify(execFile);

/** One host as both tools reach it. */
export interface Target {
    name: string;
    host: string;
    port: number;
    user: string;
    privateKeyPath: string;
    /** For the host layer. */
    fingerprint: string;
    /** For OpenSSH (Ansible): a known_hosts file that lists this host. */
    knownHostsPath: string;
}

/** A lab host as both tools reach it. */
export function labTarget(h: LabHost): Target {
    return {
        name: h.name,
        host: h.address,
        port: h.port,
        user: h.user,
        privateKeyPath: h.keyPath,
        fingerprint: h.hostKeyFingerprint,
        knownHostsPath: h.knownHostsPath,
    };
}

export interface SideBySideRow {
    hosts: number;
    kind: "simulated" | "real lab";
    names: string[];
    ansibleSeconds: number[];
    hostLayerSeconds: number[];
    /** Commands per host per check, counted by the simulated sshd (undefined on real hosts). */
    ansibleRoundTrips?: number;
    hostLayerRoundTrips?: number;
    ansible: CheckOutcome;
    hostLayer: CheckOutcome;
}

export interface SideBySideResult {
    rows: SideBySideRow[];
    notes: string[];
    ansibleVersion: string;
}

// ------------------------------------------------------------ Ansible side

export const playbook = () => path.join(repoRoot, "test", "bench", "ansible", "state.yml");

export function writeInventory(dir: string, targets: Target[]): string {
    const file = path.join(dir, "inventory.ini");
    const lines = ["[fleet]"];
    for (const t of targets) {
        // Host keys are checked as the host layer checks its pins: a host not in the known_hosts file is refused.
        const ssh = `-o UserKnownHostsFile=${t.knownHostsPath} -o StrictHostKeyChecking=yes`;
        lines.push(
            `${t.name} ansible_host=${t.host} ansible_port=${t.port} ansible_user=${t.user} ansible_ssh_private_key_file=${t.privateKeyPath} ansible_ssh_common_args='${ssh}'`,
        );
    }
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    return file;
}

export async function runAnsible(
    dir: string,
    inventory: string,
    targets: Target[],
    scriptPath: string,
    cells: string[],
): Promise<{ ms: number; outcome: CheckOutcome }> {
    // A fresh ControlPath folder per run: a master connection left by the
    // previous run (ControlPersist) would skip the login and flatter Ansible.
    const controlDir = fs.mkdtempSync(path.join(dir, "cp-"));
    const treeDir = path.join(dir, "tree");
    fs.rmSync(treeDir, { recursive: true, force: true });
    const varsFile = path.join(dir, "vars.json");
    fs.writeFileSync(varsFile, JSON.stringify({ live_state_script: scriptPath, declared_cells: cells }));
    const env = {
        ...process.env,
        // ansible-core has no JSON stdout callback; its tree callback writes each
        // host's last result to <dir>/<host>, which is the comparison's.
        ANSIBLE_CALLBACKS_ENABLED: "ansible.builtin.tree",
        ANSIBLE_CALLBACK_TREE_DIR: treeDir,
        ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
        ANSIBLE_HOST_KEY_CHECKING: "True",
        ANSIBLE_LOCAL_TEMP: path.join(dir, "ansible-tmp"),
        ANSIBLE_RETRY_FILES_ENABLED: "False",
        ANSIBLE_NOCOLOR: "1",
    };
    const begin = performance.now();
    try {
        // One fork per host: the provider also reads all hosts at once.
        await execFileAsync("ansible-playbook", ["-i", inventory, "-f", String(targets.length), "-e", `@${varsFile}`, playbook()], {
            cwd: dir,
            env,
            maxBuffer: 64 * 1024 * 1024,
        });
    } catch (error) {
        const e = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`ansible-playbook failed: ${(e.stderr || "").trim().slice(-800) || e.message}\n${(e.stdout ?? "").slice(-1500)}`, {
            cause: error,
        });
    }
    const ms = performance.now() - begin;
    fs.rmSync(controlDir, { recursive: true, force: true });
    const perHost = targets.map((t) => {
        const file = path.join(treeDir, t.name);
        const last = fs.existsSync(file)
            ? (JSON.parse(fs.readFileSync(file, "utf8")) as { ansible_facts?: { drift?: string[] } })
            : undefined;
        const drift = last?.ansible_facts?.drift;
        if (!drift)
            throw new Error(`ansible-playbook gave no comparison for ${t.name}: ${JSON.stringify(last ?? "no result").slice(0, 500)}`);
        return drift;
    });
    return { ms, outcome: outcome(perHost) };
}

// --------------------------------------------------------- host-layer side

async function runHostLayer(dir: string, targets: Target[], cells: string[]): Promise<{ ms: number; outcome: CheckOutcome }> {
    const jobFile = path.join(dir, "job.json");
    const job: ReadStateJob = {
        targets: targets.map((t) => ({
            name: t.name,
            // No retries: a check that needed one should show in the time, not hide in it.
            connection: {
                host: t.host,
                port: t.port,
                user: t.user,
                privateKeyPath: t.privateKeyPath,
                hostKey: { fingerprint: t.fingerprint },
                retries: 0,
            },
        })),
        cells,
    };
    fs.writeFileSync(jobFile, JSON.stringify(job));
    const begin = performance.now();
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(__dirname, "ansible", "read-state.js"), jobFile], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("error", reject);
        child.on("exit", (code) =>
            code === 0 ? resolve({ stdout: out }) : reject(new Error(`host-layer check exited ${code}: ${err.trim().slice(-800)}`)),
        );
    });
    const ms = performance.now() - begin;
    return { ms, outcome: JSON.parse(stdout) as CheckOutcome };
}

// ------------------------------------------------------------------ bench

async function measure(
    kind: SideBySideRow["kind"],
    targets: Target[],
    repeats: number,
    cells: string[],
    scriptPath: string,
    counter?: { reset(): void; perHost(): number[] },
): Promise<SideBySideRow> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pj-side-by-side-"));
    try {
        const inventory = writeInventory(dir, targets);
        const row: SideBySideRow = {
            hosts: targets.length,
            kind,
            names: targets.map((t) => t.name),
            ansibleSeconds: [],
            hostLayerSeconds: [],
            ansible: { hostsChecked: 0, inSync: 0, drift: [] },
            hostLayer: { hostsChecked: 0, inSync: 0, drift: [] },
        };
        const perCheck = (counts: number[]) => (counts.length ? Math.max(...counts) : 0);
        // Alternated, so a slow spell of the machine (the lab's emulators share it) hits both sides alike.
        for (let i = 0; i < repeats; i++) {
            counter?.reset();
            const a = await runAnsible(dir, inventory, targets, scriptPath, cells);
            if (counter) row.ansibleRoundTrips = perCheck(counter.perHost());
            row.ansibleSeconds.push(seconds(a.ms));
            row.ansible = a.outcome;
            counter?.reset();
            const h = await runHostLayer(dir, targets, cells);
            if (counter) row.hostLayerRoundTrips = perCheck(counter.perHost());
            row.hostLayerSeconds.push(seconds(h.ms));
            row.hostLayer = h.outcome;
        }
        return row;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export async function sideBySide(
    sizes = fleetSizes,
    repeats = Number(process.env.PJ_BENCH_REPEATS || 2),
    recorded: { recording: Recording; note: string } = benchRecording(),
): Promise<SideBySideResult> {
    const { stdout: versionText } = await execFileAsync("ansible-playbook", ["--version"]);
    const ansibleVersion = versionText.split("\n")[0].trim();
    const cells = declaredCells();
    const { recording, note } = recorded;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-side-by-side-script-"));
    const scriptPath = path.join(work, "live-state.sh");
    fs.writeFileSync(scriptPath, liveStateScript);
    const rows: SideBySideRow[] = [];
    const notes: string[] = [];
    try {
        for (const n of sizes) {
            process.stderr.write(`side-by-side: ${n} simulated host(s)...\n`);
            const fleet = await startSimHosts(n, recording.file);
            try {
                const targets: Target[] = fleet.hosts.map((h) => ({
                    ...h,
                    fingerprint: h.hostKey.fingerprint,
                    knownHostsPath: fleet.knownHostsPath,
                }));
                const counter = { reset: () => fleet.resetCounts(), perHost: () => fleet.hosts.map((h) => fleet.roundTrips(h.name)) };
                rows.push(await measure("simulated", targets, repeats, cells, scriptPath, counter));
            } finally {
                await fleet.stop();
            }
        }
        // The real lab hosts, read only: both tools only run the live-state script.
        let lab: Target[] = [];
        try {
            lab = readInventory()
                .hosts.filter((h) => h.name === "h1" || h.name === "h2")
                .map(labTarget);
        } catch (error) {
            notes.push(`Real lab hosts not measured: ${(error as Error).message}.`);
        }
        const missing = ["h1", "h2"].filter((name) => !lab.some((t) => t.name === name));
        if (missing.length && lab.length)
            notes.push(
                `Real lab: ${missing.join(", ")} not in the lab inventory (not running) when this ran; the real row has ${lab.map((t) => t.name).join(", ")} only. The benchmark boots no hosts: start them with \`npm run lab -- up N\` first.`,
            );
        if (lab.length) {
            process.stderr.write(`side-by-side: real lab ${lab.map((t) => t.name).join(", ")} (read only)...\n`);
            try {
                rows.push(await measure("real lab", lab, repeats, cells, scriptPath));
            } catch (error) {
                notes.push(
                    `Real lab hosts (${lab.map((t) => t.name).join(", ")}) could not be measured: ${(error as Error).message.split("\n")[0]}`,
                );
            }
        }
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    notes.unshift(
        `Ansible: ${ansibleVersion}, playbook test/bench/ansible/state.yml (gather_facts false; raw with the provider's live-state script; the comparison with the declared cells ${cells.join(", ")} on the controller), forks = number of hosts, OpenSSH with Ansible's default ControlPersist but a fresh ControlPath folder per run, host keys checked against a known_hosts file.`,
        `Host layer: a fresh \`node\` process (test/bench/ansible/read-state.ts, which loads only the host layer and the live-state reader) that calls readLiveState on every host at once over ssh2 (one pooled connection per host, host key pinned by fingerprint) and makes the same comparison.`,
        `Times are whole processes, start to exit, over ${repeats} alternating runs: median (min-max). Round trips: commands per host per check, counted by the simulated sshd. "in sync" counts hosts whose live state matched the declared one; both tools must agree.`,
        `Simulated rows: SIMULATED hosts (real sshd on loopback, one per 16 hosts; the command is answered from a recording, so these rows have no host-side script time). Recording: ${note}. It holds: ${describeState(recording.state)}.`,
    );
    return { rows, notes, ansibleVersion };
}

export function sideBySideTable(rows: SideBySideRow[]): { columns: string[]; rows: Array<Array<string | number>> } {
    const time = (values: number[]) => medianRange(values);
    const found = (o: CheckOutcome) => `${o.inSync}/${o.hostsChecked} in sync${o.drift.length ? `; ${o.drift.join(", ")}` : ""}`;
    return {
        columns: [
            "hosts",
            "kind",
            "Ansible s",
            "host layer s",
            "Ansible / host layer",
            "round trips per host, max (Ansible, host layer)",
            "Ansible found",
            "host layer found",
        ],
        rows: rows.map((r) => [
            r.hosts,
            r.kind === "real lab" ? `real lab (${r.names.join(", ")})` : r.kind,
            time(r.ansibleSeconds),
            time(r.hostLayerSeconds),
            `${(median(r.ansibleSeconds) / median(r.hostLayerSeconds)).toFixed(1)}x`,
            r.ansibleRoundTrips === undefined ? "not counted" : `${r.ansibleRoundTrips}, ${r.hostLayerRoundTrips}`,
            found(r.ansible),
            found(r.hostLayer),
        ]),
    };
}
