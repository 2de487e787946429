// SPDX-License-Identifier: MIT
// The provider parses each config once per content and process: an edited
// file must still be read afresh, a shared answer must not be changeable by
// one caller, and a refused config must be refused every time. And a Cell
// keeps the system config in its state only when its boot reads it.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { parsedCellConfig, resolveCellConfig, storeCellConfig } from "../../../provider/src/resources/plan";
import { providers } from "../../../provider/src/resources/providers";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const lab = (file: string) => path.join(repoRoot, "examples", "lab", file);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-config-memo-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));
const rtTimerYaml = fs.readFileSync(lab("rt-timer.yaml"), "utf8");
const connection = (port: number) => ({ host: "127.0.0.1", port, user: "root", privateKey: "k", hostKey: { trustOnFirstUse: true } });

describe("configs parsed once per content", () => {
    test("a file edited between two calls is read afresh", () => {
        const file = path.join(work, "edited.yaml");
        fs.writeFileSync(file, rtTimerYaml);
        const before = resolveCellConfig(file);
        assert.equal(before.name, "rt-timer");
        fs.writeFileSync(file, rtTimerYaml.replace(/^name: rt-timer$/m, "name: rt-timer-2"));
        assert.equal(resolveCellConfig(file).name, "rt-timer-2");
        fs.writeFileSync(file, rtTimerYaml);
        assert.equal(resolveCellConfig(file), before, "the same bytes again give the answer already computed");
    });

    test("a shared answer cannot be changed by one caller", () => {
        const config = resolveCellConfig(lab("rt-timer.yaml"));
        assert.throws(() => {
            (config as { name: string }).name = "changed";
        }, TypeError);
        assert.throws(() => {
            (config.memory as unknown[]).push({});
        }, TypeError);
        const stored = storeCellConfig(config);
        assert.equal(storeCellConfig(config), stored);
        assert.throws(() => {
            (stored.config as { name: string }).name = "changed";
        }, TypeError);
        assert.equal(resolveCellConfig(lab("rt-timer.yaml")).name, "rt-timer");
    });

    test("a refused config is refused on every call, and a stored value parses to the same config", () => {
        const file = path.join(work, "refused.yaml");
        fs.writeFileSync(file, rtTimerYaml.replace(/^cpus: .*$/m, "cpus: seven"));
        assert.throws(() => resolveCellConfig(file), /cpus/);
        assert.throws(() => resolveCellConfig(file), /cpus/);
        const stored = storeCellConfig(resolveCellConfig(lab("rt-timer.yaml"))).config;
        assert.deepEqual(parsedCellConfig(stored), parsedCellConfig(JSON.parse(JSON.stringify(stored))));
    });
});

describe("a Cell's system config in state", () => {
    const check = (port: number, images: unknown[], systemConfig: string) =>
        providers.cell.check(
            {},
            { connection: connection(port), config: lab("rt-timer.yaml"), resourceName: `memo-${port}`, images, systemConfig },
        );

    test("kept only when a generated DTB needs it, and checked either way", async () => {
        const demo = await check(22001, [{ demo: "timer" }], lab("system.yaml"));
        assert.deepEqual(demo.failures, []);
        assert.equal(demo.inputs.systemConfig, undefined);
        const kernel = path.join(work, "Image");
        fs.writeFileSync(kernel, Buffer.alloc(64));
        const linux = await check(22002, [{ linux: { kernel } }], lab("system.yaml"));
        assert.equal((linux.inputs.systemConfig as { rootCell?: unknown }).rootCell !== undefined, true);
        const missing = await check(22003, [{ demo: "timer" }], path.join(work, "no-system.yaml"));
        assert.match((missing.failures ?? []).map((f) => f.reason).join("\n"), /^systemConfig\..*cannot read/m);
    });
});
