// SPDX-License-Identifier: MIT
// provider/src/host against real OpenSSH sshds on 127.0.0.1 (test/support/sshd.ts).
// The hosts are this machine, so the tests check on the local file system and
// process table what a command did "on the host".
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, test } from "node:test";
import { Connection, Server } from "ssh2";
import { HostConnectionError } from "../../provider/src/host/connection";
import { closeAll, HostSession, SshError, withHost } from "../../provider/src/host";
import { parseCpuListText } from "../../provider/src/config/units";
import { readLiveState } from "../../provider/src/resources/live-state";
import { treeManifest } from "../../provider/src/resources/tree-manifest";
import { countingProxy, descendants, listenOutsideLab, silentServer, socketInodes, Sshd, startSshd, tcpSocketInode } from "../support/sshd";

let a: Sshd;
let b: Sshd;
/** For the tests that restart sshd or change its host key. */
let c: Sshd;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pj-host-transport-"));

before(async () => {
    [a, b, c] = await Promise.all([startSshd({ name: "a" }), startSshd({ name: "b" }), startSshd({ name: "c" })]);
});

after(async () => {
    closeAll();
    await Promise.all([a?.cleanup(), b?.cleanup(), c?.cleanup()]);
    fs.rmSync(scratch, { recursive: true, force: true });
});

const limit = { timeout: 30_000 };

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    assert.fail("expected a rejection, but it resolved");
}

/** Runs one command on a host and returns its stdout. */
const sh = (connection: unknown, command: string) => withHost(connection, (s) => s.run("test command", command));

/** The client port sshd saw for the connection that ran the command. */
const clientPort = async (session: HostSession) => Number((await session.run("who am I", "echo $SSH_CONNECTION")).split(" ")[1]);

function deferred(): { promise: Promise<void>; resolve: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return Promise.race([
        promise,
        new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} (waited ${ms} ms)`)), ms).unref()),
    ]);
}

/** Pids of local processes whose argv is exactly `argv`. */
function processesWithArgv(argv: string[]): number[] {
    const wanted = `${argv.join("\0")}\0`;
    return fs
        .readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .filter((pid) => {
            try {
                return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8") === wanted;
            } catch {
                return false;
            }
        })
        .map(Number);
}

describe("login", () => {
    test("connects and runs a command: stdout, stderr and exit status come back apart", limit, async () => {
        await withHost(a.connection(), async (s) => {
            const result = await s.exec("whoami; echo to-stderr >&2; exit 3");
            assert.deepEqual(result, { stdout: "root\n", stderr: "to-stderr\n", code: 3 });
            assert.equal(s.seenFingerprint, a.hostFingerprint());
            const failed = await rejection(s.run("check the thing", "echo first >&2; echo the reason >&2; exit 4"));
            assert.equal(failed.message, `127.0.0.1:${a.port}: check the thing failed (exit 4):\nfirst\nthe reason`);
            assert.equal(await s.run("stdin", "tr a-z A-Z", { stdin: "shout\n" }), "SHOUT\n");
            assert.deepEqual(await s.exec("echo partial; kill -TERM $$"), { stdout: "partial\n", stderr: "", code: 143, signal: "TERM" });
        });
    });

    test("a wrong pinned host key is refused with both fingerprints, not retried, and nothing runs", limit, async () => {
        const proxy = await countingProxy(a.port);
        const marker = path.join(scratch, "ran-despite-wrong-key");
        try {
            const wrong = a.connection({ port: proxy.port, hostKey: { fingerprint: b.hostFingerprint() }, retries: 3, retryBackoffMs: 50 });
            const error = await rejection(sh(wrong, `touch ${marker}`));
            assert.ok(error instanceof SshError && !error.retryable, `a final SshError, got ${error}`);
            assert.equal(
                error.message.split(". If")[0],
                `root@127.0.0.1:${proxy.port}: host key refused: the host presented ${a.hostFingerprint()}, expected ${b.hostFingerprint()} (hostKey.fingerprint)`,
            );
            assert.match(error.message, /pin its new key \(ssh-keygen -lf .*\); otherwise someone may be in the path: do not connect$/);
            assert.equal(proxy.arrivals.length, 1, "a refused host key is not retried");
            assert.equal(fs.existsSync(marker), false, "the command must not run on a host with the wrong key");
        } finally {
            await proxy.close();
        }
    });

    test("known_hosts pinning: plain text, a hashed file, a missing entry and a revoked key", limit, async () => {
        assert.equal(
            await sh(a.connection({ hostKey: { knownHosts: `# lab\n${b.knownHostsLine()}\n${a.knownHostsLine()}\n` } }), "echo plain"),
            "plain\n",
        );

        // A file hashed by OpenSSH's own ssh-keygen -H, as HashKnownHosts writes it.
        const file = path.join(scratch, "known_hosts");
        fs.writeFileSync(file, `${a.knownHostsLine()}\n`);
        execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "pipe" });
        assert.match(fs.readFileSync(file, "utf8"), /^\|1\|/, "ssh-keygen -H hashed the host name");
        assert.equal(await sh(a.connection({ hostKey: { knownHostsPath: file } }), "echo hashed"), "hashed\n");

        const otherKey = await rejection(
            sh(a.connection({ hostKey: { knownHosts: `[127.0.0.1]:${a.port} ${b.hostPublicKey()}` } }), "true"),
        );
        assert.match(
            otherKey.message,
            new RegExp(
                `host key refused: the host presented ${a.hostFingerprint().replace(/[+/]/g, "\\$&")}, expected one of the 1 key\\(s\\) hostKey\\.knownHosts lists for this host`,
            ),
        );

        const otherPort = await rejection(
            sh(a.connection({ hostKey: { knownHosts: `[127.0.0.1]:${b.port} ${a.hostPublicKey()}` } }), "true"),
        );
        assert.match(otherPort.message, new RegExp(`hostKey\\.knownHosts has no entry for \\[127\\.0\\.0\\.1\\]:${a.port}`));

        const revoked = await rejection(
            sh(a.connection({ hostKey: { knownHosts: `${a.knownHostsLine()}\n@revoked * ${a.hostPublicKey()}` } }), "true"),
        );
        assert.match(revoked.message, /hostKey\.knownHosts marks this key @revoked/);

        const missing = await rejection(sh(a.connection({ hostKey: { knownHostsPath: path.join(scratch, "no-such-file") } }), "true"));
        assert.match(
            missing.message,
            /^hostKey\.knownHostsPath = ".*no-such-file": cannot read it \(ENOENT\); give an existing known_hosts file$/,
        );
    });

    test("trust on first use only when asked; then the first key is the pin", limit, async () => {
        const proxy = await countingProxy(c.port);
        try {
            const base = c.connection({ port: proxy.port });
            const unpinned = { ...base, hostKey: undefined };
            const refused = await rejection(sh(unpinned, "true"));
            assert.ok(refused instanceof HostConnectionError, `a HostConnectionError, got ${refused}`);
            assert.match(refused.message, /^connection\.hostKey is missing: pin the host key: .*\{ trustOnFirstUse: true \}/);
            assert.equal(proxy.arrivals.length, 0, "no connection is attempted without a pin");

            const tofu = { ...base, hostKey: { trustOnFirstUse: true } };
            const firstKey = c.hostFingerprint();
            await withHost(tofu, async (s) => {
                await s.run("first login", "true");
                assert.equal(s.seenFingerprint, firstKey, "the key accepted on first use is reported");
            });

            // The host comes back with another key: the same process must refuse it.
            await c.restart({ newHostKey: true });
            assert.notEqual(c.hostFingerprint(), firstKey);
            const changed = await rejection(sh(tofu, "true"));
            assert.match(
                changed.message,
                new RegExp(
                    `host key refused: the host presented ${c.hostFingerprint().replace(/[+/]/g, "\\$&")}, expected ${firstKey.replace(/[+/]/g, "\\$&")}, the key this host presented first \\(trustOnFirstUse\\)`,
                ),
            );
        } finally {
            await proxy.close();
        }
    });

    test("an authentication failure names user and host, and is not retried", limit, async () => {
        const proxy = await countingProxy(a.port);
        try {
            const error = await rejection(
                sh(a.connection({ port: proxy.port, privateKeyPath: a.strangerKeyPath, retries: 3, retryBackoffMs: 1_000 }), "true"),
            );
            assert.equal(
                error.message,
                `root@127.0.0.1:${proxy.port}: authentication failed: the host refused the key in ${a.strangerKeyPath} for user root; ` +
                    "check connection.user and the credentials (the public key must be in ~root/.ssh/authorized_keys on the host)",
            );
            assert.equal(proxy.arrivals.length, 1, "a refused login is not retried");
        } finally {
            await proxy.close();
        }
    });

    test("unusable local credentials fail before any connection", limit, async () => {
        const proxy = await countingProxy(a.port);
        try {
            const error = await rejection(sh(a.connection({ port: proxy.port, privateKeyPath: path.join(scratch, "no-key") }), "true"));
            assert.match(
                error.message,
                /^connection\.privateKeyPath = ".*no-key": cannot read it \(ENOENT\); give the path of a private key file$/,
            );
            const socket = process.env.SSH_AUTH_SOCK;
            delete process.env.SSH_AUTH_SOCK;
            try {
                const noAgent = await rejection(
                    sh({ ...a.connection({ port: proxy.port }), privateKeyPath: undefined, agent: true }, "true"),
                );
                assert.equal(
                    noAgent.message,
                    "connection.agent = true but SSH_AUTH_SOCK is not set; start ssh-agent or give the agent socket's path",
                );
            } finally {
                if (socket !== undefined) process.env.SSH_AUTH_SOCK = socket;
            }
            assert.equal(proxy.arrivals.length, 0);
        } finally {
            await proxy.close();
        }
    });
});

describe("timeouts and retries", () => {
    test("connect timeout against a silent server fires at the configured time, with backoff between attempts", limit, async () => {
        const silent = await silentServer();
        try {
            const timeout = 300;
            const backoff = 100;
            const started = performance.now();
            const error = await rejection(
                sh(a.connection({ port: silent.port, connectTimeoutMs: timeout, retries: 2, retryBackoffMs: backoff }), "true"),
            );
            const elapsed = performance.now() - started;
            assert.match(
                error.message,
                new RegExp(
                    `^root@127\\.0\\.0\\.1:${silent.port}: no SSH login within 300 ms \\(connectTimeoutMs\\); check that the host is up, .* \\(gave up after 3 attempts in [0-9.]+ s; retries: 2, retryBackoffMs: 100\\)$`,
                ),
            );
            assert.equal(silent.arrivals.length, 3, "one attempt and two retries");
            // Each retry starts no earlier than the timeout plus the doubling backoff.
            // The slack is for the server's event loop noticing an arrival late on
            // a busy machine; it stays below the backoff, so no backoff still fails.
            const gaps = [silent.arrivals[1] - silent.arrivals[0], silent.arrivals[2] - silent.arrivals[1]];
            assert.ok(gaps[0] >= timeout + backoff - 50, `first retry after ${gaps[0]} ms, expected >= ${timeout + backoff}`);
            assert.ok(gaps[1] >= timeout + 2 * backoff - 50, `second retry after ${gaps[1]} ms, expected >= ${timeout + 2 * backoff}`);
            // And the whole thing ends close to its budget, not at some other timer's.
            const budget = 3 * timeout + backoff + 2 * backoff;
            assert.ok(elapsed >= budget - 20 && elapsed < budget + 4_000, `gave up after ${Math.round(elapsed)} ms, budget ${budget} ms`);
        } finally {
            await silent.close();
        }
    });

    test("a refused connection is retried with backoff, then named", limit, async () => {
        // A port that was free a moment ago, so nothing listens there.
        const closed = net.createServer();
        const port = await listenOutsideLab(closed);
        await new Promise((resolve) => closed.close(resolve));
        const error = await rejection(sh(a.connection({ port, retries: 1, retryBackoffMs: 50 }), "true"));
        assert.match(
            error.message,
            new RegExp(
                `^root@127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}: nothing listens on port ${port}; is sshd running, and is the port right\\? \\(gave up after 2 attempts`,
            ),
        );
    });

    test("a command that exceeds its timeout is killed with everything it started", limit, async () => {
        const tag = `${Math.floor(Math.random() * 1e6)}`;
        const background = ["sleep", `311.${tag}`];
        const foreground = ["sleep", `271.${tag}`];
        await withHost(a.connection(), async (s) => {
            const portBefore = await clientPort(s);
            const started = performance.now();
            const error = await rejection(s.exec(`${background.join(" ")} & ${foreground.join(" ")}; echo never`, { timeoutMs: 500 }));
            const elapsed = performance.now() - started;
            assert.ok(error instanceof SshError && !error.retryable);
            assert.equal(
                error.message,
                `127.0.0.1:${a.port}: command timed out after 500 ms and was killed (timeoutMs / commandTimeoutMs): ${background.join(" ")} & ${foreground.join(" ")}; echo never`,
            );
            assert.ok(elapsed >= 500, `rejected after ${Math.round(elapsed)} ms, before the timeout`);
            // SIGKILL is sent before the error is reported; dying takes the kernel a moment.
            for (const [argv, which] of [
                [background, "background"],
                [foreground, "foreground"],
            ] as const) {
                const deadline = performance.now() + 3_000;
                while (processesWithArgv(argv).length > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
                assert.deepEqual(processesWithArgv(argv), [], `the ${which} sleep survived the timeout`);
            }
            assert.equal(await clientPort(s), portBefore, "the connection itself survives a command's timeout");
        });
    });

    test("a connection lost during a command is reported, and the command is not run again", limit, async () => {
        const log = path.join(scratch, "runs");
        await withHost(c.connection(), async (s) => {
            // $PPID is the sshd process serving this connection: killing it drops the connection mid-command.
            const error = await rejection(s.exec(`echo run >> ${log}; kill -9 $PPID`));
            assert.ok(error instanceof SshError && !error.retryable);
            assert.match(
                error.message,
                new RegExp(
                    `^127\\.0\\.0\\.1:${c.port}: the connection was lost while running: echo run >> .*; it may or may not have finished, and is not run again$`,
                ),
            );
            assert.equal(await s.run("after", "echo fine"), "fine\n", "the next command gets a new connection");
        });
        assert.equal(fs.readFileSync(log, "utf8"), "run\n");
    });

    test("after sshd restarts, the next command reconnects without an error", limit, async () => {
        await withHost(c.connection({ retries: 6, retryBackoffMs: 100 }), async (s) => {
            const first = await clientPort(s);
            let trips = s.roundTrips;
            await c.restart();
            const second = await clientPort(s);
            assert.notEqual(second, first, "a new connection was made");
            assert.equal(s.roundTrips - trips, 1, "reconnecting is not a round trip of its own");
            assert.equal(await clientPort(s), second, "and it is pooled again");

            // Now the command is sent before this process has seen the
            // connection die (the kills are synchronous, the close event is
            // not), and while sshd is still down: the failed channel open is
            // detected, and the login is retried until sshd is back.
            trips = s.roundTrips;
            const restarting = c.restart();
            const third = await clientPort(s);
            await restarting;
            assert.notEqual(third, second, "a new connection was made");
            assert.equal(s.roundTrips - trips, 1, "the command ran once");
        });
    });
});

describe("per-host lock", () => {
    test("work on one host runs one at a time in call order, whatever the credentials", limit, async () => {
        const events: Array<[string, number]> = [];
        const note = (what: string) => events.push([what, performance.now()]);
        // Another pin is another pooled connection, but the same machine and lock.
        const sameHostOtherPin = a.connection({ hostKey: { knownHosts: a.knownHostsLine() } });
        await Promise.all([
            withHost(a.connection(), async (s) => {
                note("1 start");
                await s.exec("sleep 0.2");
                note("1 end");
            }),
            withHost(sameHostOtherPin, async (s) => {
                note("2 start");
                await s.exec("true");
                note("2 end");
            }),
            withHost(a.connection(), async () => {
                note("3 start");
                note("3 end");
            }),
        ]);
        assert.deepEqual(
            events.map(([what]) => what),
            ["1 start", "1 end", "2 start", "2 end", "3 start", "3 end"],
        );
        for (let i = 1; i < events.length; i++) assert.ok(events[i][1] >= events[i - 1][1], "timestamps follow the order");
    });

    test("two hosts run in parallel: each host's command waits for the other's", limit, async () => {
        const dir = fs.mkdtempSync(path.join(scratch, "rendezvous-"));
        const started = { a: deferred(), b: deferred() };
        // Each command creates its file, then waits for the other's. Both can
        // succeed only if both commands were running at the same time.
        const meet = (mine: string, theirs: string) =>
            `touch ${dir}/${mine}; for i in $(seq 200); do [ -e ${dir}/${theirs} ] && exit 0; sleep 0.05; done; echo "never saw ${theirs}" >&2; exit 1`;
        const work = (host: Sshd, me: "a" | "b", other: "a" | "b") =>
            withHost(host.connection(), async (s) => {
                started[me].resolve();
                await within(started[other].promise, 10_000, `host ${other}'s work did not start while host ${me}'s held its lock`);
                const begin = performance.now();
                await s.run(`meet ${other}`, meet(me, other));
                return { begin, end: performance.now() };
            });
        const [onA, onB] = await Promise.all([work(a, "a", "b"), work(b, "b", "a")]);
        assert.ok(onA.begin < onB.end && onB.begin < onA.end, `the commands overlap: a ${JSON.stringify(onA)}, b ${JSON.stringify(onB)}`);
    });

    test("withHost for the same host inside withHost runs at once instead of deadlocking", limit, async () => {
        const out = await within(
            withHost(a.connection(), async (outer) => {
                await outer.run("outer", "true");
                return withHost(a.connection({ hostKey: { knownHosts: a.knownHostsLine() } }), (inner) =>
                    inner.run("inner", "echo nested"),
                );
            }),
            10_000,
            "nested withHost on the same host deadlocked",
        );
        assert.equal(out, "nested\n");
    });
});

describe("uploads", () => {
    test("an unchanged file is skipped by hash in one round trip; a changed content or mode is sent", limit, async () => {
        const target = path.join(scratch, "upload", "it's a file.txt");
        await withHost(a.connection(), async (s) => {
            assert.equal(await s.upload(Buffer.from("v1\n"), target), true, "a new file is sent");
            assert.equal(fs.readFileSync(target, "utf8"), "v1\n");
            assert.equal(fs.statSync(target).mode & 0o777, 0o644);
            const inode = fs.statSync(target).ino;

            let trips = s.roundTrips;
            assert.equal(await s.upload(Buffer.from("v1\n"), target), false, "the same content is skipped");
            assert.equal(s.roundTrips - trips, 1, "a skip costs one round trip");
            assert.equal(fs.statSync(target).ino, inode, "a skipped file is not rewritten");

            trips = s.roundTrips;
            assert.equal(await s.upload(Buffer.from("v2\n"), target), true, "changed content is sent");
            assert.equal(s.roundTrips - trips, 2);
            assert.equal(fs.readFileSync(target, "utf8"), "v2\n");

            assert.equal(await s.upload(Buffer.from("v2\n"), target, 0o755), true, "a changed mode is sent");
            assert.equal(fs.statSync(target).mode & 0o777, 0o755);

            const local = path.join(scratch, "local-source.bin");
            fs.writeFileSync(local, crypto.randomBytes(100_000));
            assert.equal(await s.upload(local, target), true, "a string names a local file");
            assert.ok(fs.readFileSync(target).equals(fs.readFileSync(local)), "binary content arrives intact");
            assert.deepEqual(fs.readdirSync(path.dirname(target)), ["it's a file.txt"], "no temporary file is left");

            await assert.rejects(
                s.upload(Buffer.from("x"), "relative/path"),
                /upload target "relative\/path" must be an absolute, normalised path/,
            );
        });
    });

    test("uploadTree sends a tree once, skips it while the manifest is unchanged, and replaces it whole", limit, async () => {
        const root = path.join(scratch, "tree-source");
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
        };
        write("src/main.c", "int main(void) { return 0; }\n");
        write("src/include/defs.h", "#define X 1\n");
        write("src/Makefile", "all:\n");
        write("src/main.o", "build output, not sent");
        const remote = path.join(scratch, "tree-remote", "src");
        await withHost(a.connection(), async (s) => {
            const first = treeManifest(root, ["src"]);
            assert.deepEqual(first.files, ["src/Makefile", "src/include/defs.h", "src/main.c"]);
            assert.equal(await s.uploadTree(root, first.files, remote, first.hash), true);
            assert.equal(fs.readFileSync(path.join(remote, "src/include/defs.h"), "utf8"), "#define X 1\n");
            assert.equal(fs.readFileSync(path.join(remote, ".manifest-sha256"), "utf8"), `${first.hash}\n`);

            const trips = s.roundTrips;
            assert.equal(await s.uploadTree(root, first.files, remote, first.hash), false);
            assert.equal(s.roundTrips - trips, 1, "a skip costs one round trip");

            fs.rmSync(path.join(root, "src/include/defs.h"));
            write("src/main.c", "int main(void) { return 1; }\n");
            write("src/new.S", "nop\n");
            const second = treeManifest(root, ["src"]);
            assert.notEqual(second.hash, first.hash);
            assert.equal(await s.uploadTree(root, second.files, remote, second.hash), true);
            assert.equal(fs.readFileSync(path.join(remote, "src/main.c"), "utf8"), "int main(void) { return 1; }\n");
            assert.equal(fs.existsSync(path.join(remote, "src/include/defs.h")), false, "a file gone from the tree is gone on the host");
            assert.deepEqual(fs.readdirSync(path.dirname(remote)), ["src"], "no temporary folder is left");
        });
    });
});

describe("jump host", () => {
    test("reaches sshd B through sshd A: B's client socket belongs to A's sshd, not to this process", limit, async () => {
        const { connectTimeoutMs: _t, retries: _r, ...jump } = a.connection();
        await withHost(b.connection({ jump }), async (s) => {
            const port = await clientPort(s);
            const inode = tcpSocketInode(port, b.port);
            assert.ok(inode, `no TCP socket from port ${port} to ${b.port}`);
            assert.ok(!socketInodes("self").has(inode), "this process connected to B directly");
            const holders = descendants(a.pid()).filter((pid) => socketInodes(pid).has(inode));
            assert.ok(holders.length > 0, "B's client socket is not held by sshd A's session");
        });
    });

    test("a jump host's wrong key is refused and named", limit, async () => {
        const { connectTimeoutMs: _t, retries: _r, ...jump } = a.connection({ hostKey: { fingerprint: b.hostFingerprint() } });
        const error = await rejection(sh(b.connection({ jump }), "true"));
        assert.match(
            error.message,
            new RegExp(
                `^root@127\\.0\\.0\\.1:${a.port}: host key refused: the host presented ${a.hostFingerprint().replace(/[+/]/g, "\\$&")}`,
            ),
        );
    });
});

describe("live state", () => {
    test("readLiveState takes exactly one round trip and describes this machine, which has no jailhouse", limit, async () => {
        await withHost(a.connection(), async (s) => {
            await s.run("warm up", "true");
            const trips = s.roundTrips;
            const state = await readLiveState(s);
            assert.equal(s.roundTrips - trips, 1, "one round trip");

            assert.equal(state.hostname, os.hostname());
            assert.equal(state.kernelRelease, os.release());
            assert.deepEqual(state.onlineCpus, parseCpuListText(fs.readFileSync("/sys/devices/system/cpu/online", "utf8")));
            assert.equal(state.cmdline, fs.readFileSync("/proc/cmdline", "utf8").trim());
            const ram = fs
                .readFileSync("/proc/iomem", "utf8")
                .split("\n")
                .filter((line) => / : System RAM$/.test(line) && !line.startsWith(" "))
                .map((line) =>
                    line
                        .split(" ")[0]
                        .split("-")
                        .map((hex) => BigInt(`0x${hex}`)),
                );
            assert.deepEqual(
                state.systemRam,
                ram.map(([start, end]) => [start, end + 1n]),
            );
            assert.ok(state.systemRam.length > 0);
            // No jailhouse here: no module, no driver folder, no cells, nothing installed.
            assert.equal(state.moduleLoaded, false);
            assert.equal(state.jailhouse, undefined);
            assert.deepEqual(state.cells, []);
            const sha256 = (file: string) =>
                fs.existsSync(file) ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") : undefined;
            assert.equal(state.firmwareSha256, sha256("/lib/firmware/jailhouse.bin"));
            assert.equal(state.systemConfigSha256, sha256("/etc/jailhouse/system.cell"));
            const stamp = "/var/lib/pulumi-jailhouse/build-stamp";
            assert.equal(state.buildStamp, fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : undefined);
        });
    });
});

describe("password login (ssh2's own server)", () => {
    // OpenSSH checks passwords against the system's accounts, and root's
    // password must not be changed for a test; ssh2's server stands in for it.
    const password = "correct horse battery staple";
    let server: Server;
    let port = 0;
    let fingerprint = "";
    const logins: string[] = [];
    const clients = new Set<Connection>();

    before(async () => {
        const keyFile = path.join(scratch, "fake_host_key");
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyFile], { stdio: "pipe" });
        fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${keyFile}.pub`], { encoding: "utf8" }).split(/\s+/)[1];
        server = new Server({ hostKeys: [fs.readFileSync(keyFile)] }, (client) => {
            clients.add(client);
            client.on("close", () => clients.delete(client));
            client
                .on("authentication", (ctx) => {
                    if (ctx.method === "password") {
                        logins.push("password");
                        return ctx.password === password ? ctx.accept() : ctx.reject(["password"]);
                    }
                    ctx.reject(["password"]);
                })
                .on("ready", () =>
                    client.on("session", (accept) =>
                        accept().once("exec", (acceptExec, _reject, info) => {
                            const stream = acceptExec();
                            stream.write(`ran ${info.command.split("\n").slice(1).join("\n")}\n`);
                            stream.exit(0);
                            stream.end();
                        }),
                    ),
                )
                .on("error", () => undefined);
        });
        port = await listenOutsideLab(server as unknown as net.Server);
    });

    // The pooled client connection would keep server.close() waiting forever.
    after(() => {
        for (const client of clients) client.end();
        return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const connection = (pw: string) => ({
        host: "127.0.0.1",
        port,
        user: "tester",
        password: pw,
        hostKey: { fingerprint },
        retries: 2,
        retryBackoffMs: 50,
    });

    test("the password logs in", limit, async () => {
        assert.equal(await sh(connection(password), "hello"), "ran hello\n");
    });

    test("a wrong password is refused once, and the message does not show it", limit, async () => {
        logins.length = 0;
        const wrong = "wrong-secret-password";
        const error = await rejection(sh(connection(wrong), "true"));
        assert.match(
            error.message,
            new RegExp(`^tester@127\\.0\\.0\\.1:${port}: authentication failed: the host refused the password for user tester;`),
        );
        assert.ok(!error.message.includes(wrong), "the password appears in the error");
        assert.deepEqual(logins, ["password"], "one password attempt, no retry");
    });
});
