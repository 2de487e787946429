// SPDX-License-Identifier: MIT
// The provider's pure decisions: replace or update, drift, adopt or create,
// and when a Hypervisor update must refuse.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import type { LiveCell, LiveHostState } from "../../../provider/src/resources/live-state";
import {
    type CellResourceState,
    cellDrift,
    diffCellResource,
    diffHypervisorResource,
    planCellCreate,
    planHypervisorUpdate,
    reportedState,
    resolveCellConfig,
    resolveSystemConfig,
    storeCellConfig,
    storeSystemConfig,
} from "../../../provider/src/resources/plan";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const rtTimer = resolveCellConfig(path.join(repoRoot, "examples", "lab", "rt-timer.yaml"));
const system = resolveSystemConfig(path.join(repoRoot, "examples", "lab", "system.yaml"));

function state(patch: Partial<CellResourceState> = {}, config = rtTimer): CellResourceState {
    const stored = storeCellConfig(config);
    return { host: "127.0.0.1:10022", config: stored.config, configSha256: stored.sha256, imagesSha256: "i1", state: "running", ...patch };
}

function live(cells: LiveCell[] = [], enabled = true): LiveHostState {
    return {
        hostname: "h1",
        kernelRelease: "6.1.0-56-arm64",
        onlineCpus: [0, 3],
        cmdline: "",
        bootLog: "",
        systemRam: [],
        moduleLoaded: true,
        jailhouse: enabled ? { enabled: true, memPoolSize: 1000, memPoolUsed: 100, remapPoolSize: 100, remapPoolUsed: 10 } : undefined,
        cells: [{ id: 0, name: "lab-root", state: "running", cpusAssigned: "0,3", cpusFailed: "" }, ...cells],
        buildStamp: "stamp",
    };
}

const running = (name = "rt-timer", cpus = "1", s = "running"): LiveCell => ({ id: 1, name, state: s, cpusAssigned: cpus, cpusFailed: "" });

describe("stored configs", () => {
    test("are JSON-safe and the same for inputs that mean the same partition", () => {
        const stored = storeCellConfig(rtTimer);
        assert.doesNotThrow(() => JSON.stringify(stored));
        const fromObject = resolveCellConfig({ ...JSON.parse(JSON.stringify(stored.config)) });
        assert.equal(storeCellConfig(fromObject).sha256, stored.sha256);
        assert.doesNotThrow(() => JSON.stringify(storeSystemConfig(system)));
    });

    test("a file of the other kind is refused, naming the file and what the resource needs", () => {
        const systemFile = path.join(repoRoot, "examples", "lab", "system.yaml");
        const cellFile = path.join(repoRoot, "examples", "lab", "rt-timer.yaml");
        assert.throws(() => resolveCellConfig(systemFile), /system\.yaml: is a system config; a Cell needs a cell config/);
        assert.throws(() => resolveSystemConfig(cellFile), /rt-timer\.yaml: is a cell config; a Hypervisor needs a system config/);
    });
});

describe("cell diff", () => {
    test("no change, no update", () => {
        assert.deepEqual(diffCellResource(state(), state()), { changes: false, replaces: [], reasons: [], reload: false });
    });

    test("a CPU or memory change replaces the cell and says why in partition terms", () => {
        const bigger = resolveCellConfig({
            ...storeCellConfig(rtTimer).config,
            cpus: "1-2",
            memory: [{ ...rtTimer.memory[0], size: "2 MiB" }, ...rtTimer.memory.slice(1)],
        });
        const diff = diffCellResource(state(), state({}, bigger));
        assert.deepEqual(diff.replaces, ["config"]);
        assert.deepEqual(diff.reasons, ["cell rt-timer: CPUs 1 -> 1-2; region ram: 1 MiB -> 2 MiB"]);
    });

    test("images and run state update in place", () => {
        const diff = diffCellResource(state(), state({ imagesSha256: "i2", state: "stopped" }));
        assert.equal(diff.changes, true);
        assert.deepEqual(diff.replaces, []);
        assert.deepEqual(diff.reasons, ["cell rt-timer: images changed (reload)", "cell rt-timer: running -> stopped"]);
    });

    test("drift found by refresh: gone means recreate, stopped means restart, other CPUs mean replace", () => {
        assert.deepEqual(diffCellResource(state({ liveState: "gone" }), state()).replaces, ["config"]);
        const stopped = diffCellResource(state({ liveState: "shut down", liveCpus: "1" }), state());
        assert.deepEqual([stopped.changes, stopped.replaces], [true, []]);
        assert.deepEqual(diffCellResource(state({ liveState: "running", liveCpus: "2" }), state()).replaces, ["config"]);
    });

    test("a running/locked cell that should run shows no change (D-7)", () => {
        assert.deepEqual(diffCellResource(state({ liveState: "running/locked", liveCpus: "1" }), state()), {
            changes: false,
            replaces: [],
            reasons: [],
            reload: false,
        });
        const stop = diffCellResource(state({ liveState: "running/locked", liveCpus: "1" }), state({ state: "stopped" }));
        assert.deepEqual([stop.changes, stop.replaces], [true, []]);
    });

    test("refresh shows a locked cell as running: its liveState output does not change", () => {
        assert.equal(reportedState("running/locked"), "running");
        for (const other of ["running", "shut down", "failed"]) assert.equal(reportedState(other), other);
    });

    test("a new shutdown.onTimeout is stored without touching the cell; state without it means fail", () => {
        const diff = diffCellResource(state(), state({ onTimeout: "force" }));
        assert.deepEqual(diff, {
            changes: true,
            replaces: [],
            reasons: ["cell rt-timer: shutdown.onTimeout fail -> force"],
            reload: false,
        });
        assert.equal(diffCellResource(state(), state({ onTimeout: "fail" })).changes, false);
    });

    test("moving to another host replaces", () => {
        assert.deepEqual(diffCellResource(state(), state({ host: "127.0.0.1:10023" })).replaces, ["connection"]);
    });
});

describe("a changed connection (D-3)", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nOLDKEYMATERIAL\n-----END OPENSSH PRIVATE KEY-----";
    const connection = {
        host: "127.0.0.1",
        port: 10022,
        user: "root",
        privateKey: key,
        hostKey: { fingerprint: `SHA256:${"a".repeat(43)}` },
    };
    const rotated = [
        { privateKey: key.replace("OLD", "NEW") },
        { privateKey: undefined, password: "hunter2-secret" },
        { hostKey: { fingerprint: `SHA256:${"b".repeat(43)}` } },
        { user: "admin" },
        { jump: { host: "bastion", privateKey: key, hostKey: { trustOnFirstUse: true } } },
    ];

    test("is an update of the cell that reloads nothing and prints no secret", () => {
        for (const patch of rotated) {
            const diff = diffCellResource(state({ connection }), state({ connection: { ...connection, ...patch } }));
            assert.deepEqual([diff.changes, diff.replaces, diff.reload], [true, [], false], JSON.stringify(Object.keys(patch)));
            assert.equal(diff.reasons.length, 1);
            assert.match(
                diff.reasons[0],
                /^cell rt-timer: connection changed \([a-zA-Z, ]+\): stored for later operations, nothing on the host changes$/,
            );
            assert.ok(
                !diff.reasons[0].includes("KEYMATERIAL") && !diff.reasons[0].includes("hunter2") && !diff.reasons[0].includes("bbbb"),
            );
        }
        const diff = diffCellResource(state({ connection }), state({ connection: { ...connection, user: "admin", privateKey: "other" } }));
        assert.deepEqual(diff.reasons, [
            "cell rt-timer: connection changed (privateKey, user): stored for later operations, nothing on the host changes",
        ]);
    });

    test("is an update of the hypervisor that does not converge", () => {
        const hv = { host: "127.0.0.1:10022", connection, configSha256: "c", stack: "bundled", sourcesSha256: "s", enabled: true };
        assert.deepEqual(diffHypervisorResource(hv, hv), { changes: false, replaces: [], reasons: [], converge: false });
        for (const patch of rotated) {
            const diff = diffHypervisorResource(hv, { ...hv, connection: { ...connection, ...patch } });
            assert.deepEqual([diff.changes, diff.replaces, diff.converge], [true, [], false]);
            assert.match(diff.reasons[0], /^hypervisor: connection changed/);
        }
        assert.equal(diffHypervisorResource(hv, { ...hv, configSha256: "d", connection: { ...connection, user: "admin" } }).converge, true);
    });

    test("defaults written out are no change; another host is a replacement", () => {
        assert.equal(
            diffCellResource(state({ connection }), state({ connection: { ...connection, commandTimeoutMs: 600_000, retries: 3 } }))
                .changes,
            false,
        );
        const moved = diffCellResource(
            state({ connection }),
            state({ host: "127.0.0.1:10023", connection: { ...connection, port: 10023 } }),
        );
        assert.deepEqual([moved.replaces, moved.reasons], [["connection"], ["cell moves from 127.0.0.1:10022 to 127.0.0.1:10023"]]);
    });
});

describe("drift and create", () => {
    test("drift is reported in words", () => {
        assert.deepEqual(cellDrift(rtTimer, "running", undefined), ["cell rt-timer is gone from the host"]);
        assert.deepEqual(cellDrift(rtTimer, "running", running("rt-timer", "1", "shut down")), ["cell rt-timer is shut down, not running"]);
        assert.deepEqual(cellDrift(rtTimer, "running", running("rt-timer", "1-2")), ["cell rt-timer runs on CPUs 1-2, not 1"]);
        assert.deepEqual(cellDrift(rtTimer, "running", { ...running(), state: "failed", cpusFailed: "1" }), [
            "cell rt-timer has failed (CPUs 1)",
        ]);
        assert.deepEqual(cellDrift(rtTimer, "running", running()), []);
    });

    test("a live cell with no CPUs assigned is drift, not an error (D-8)", () => {
        assert.deepEqual(cellDrift(rtTimer, "running", running("rt-timer", "")), ["cell rt-timer runs on CPUs none, not 1"]);
    });

    test("create adopts an identical live cell, creates a missing one, refuses a conflicting one", () => {
        assert.deepEqual(planCellCreate("h1", live([running()]), rtTimer, "running"), { action: "adopt", loadAndStart: false });
        assert.deepEqual(planCellCreate("h1", live([running("rt-timer", "1", "shut down")]), rtTimer, "running"), {
            action: "adopt",
            loadAndStart: true,
        });
        assert.deepEqual(planCellCreate("h1", live(), rtTimer, "running"), { action: "create" });
        const other = planCellCreate("h1", live([running("rt-timer", "2")]), rtTimer, "running");
        assert.equal(other.action, "conflict");
        assert.match(
            (other as { message: string }).message,
            /^h1: a different cell named rt-timer already exists \(cell rt-timer runs on CPUs 2, not 1\); destroy it with "jailhouse cell destroy rt-timer" or rename this cell$/,
        );
        const busy = planCellCreate("h1", live([running("someone", "1")]), rtTimer, "running");
        assert.match((busy as { message: string }).message, /needs CPU 1 \(cell someone\) already in use/);
        assert.match(
            (planCellCreate("h1", live([], false), rtTimer, "running") as { message: string }).message,
            /the hypervisor is not enabled/,
        );
    });
});

describe("hypervisor update", () => {
    const stored = storeSystemConfig(system);
    const olds = { ...stored, configSha256: stored.sha256, sourcesStamp: "stamp" };
    test("nothing to do when config, sources and kernel are unchanged", () => {
        assert.deepEqual(planHypervisorUpdate("h1", olds, olds, live()), { rebuild: false, reenable: false, reasons: [] });
    });

    test("a new system config re-enables, but refuses while cells run", () => {
        const changed = resolveSystemConfig({ ...stored.config, hypervisor: { memory: { phys: "0x7e000000", size: "32 MiB" } } });
        const s2 = storeSystemConfig(changed);
        const news = { config: s2.config, configSha256: s2.sha256, sourcesStamp: "stamp" };
        const idle = planHypervisorUpdate("h1", olds, news, live());
        assert.equal(idle.reenable, true);
        assert.deepEqual(idle.reasons, ["h1: system config: hypervisor memory 0x7f000000 16 MiB -> 0x7e000000 32 MiB"]);
        const busy = planHypervisorUpdate("h1", olds, news, live([running()]));
        assert.match(busy.refuse ?? "", /would destroy the running cells rt-timer; remove or replace those Cell resources first/);
    });

    test("changed sources rebuild", () => {
        const plan = planHypervisorUpdate("h1", olds, { ...olds, sourcesStamp: "new" }, live());
        assert.equal(plan.rebuild, true);
    });
});
