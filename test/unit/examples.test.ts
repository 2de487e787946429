// SPDX-License-Identifier: MIT
// The examples that need no hosts: the review tool's verdicts, existing
// .cell files built the way Jailhouse builds them, and fleet-file errors.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { readFleet } from "../../examples/lab/fleet";
import { review } from "../../examples/review/review";
import { resolveCellConfig, storeCellConfig } from "../../provider/src/resources/plan";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { loadConfigFile } from "../../provider/src/config";
import { cInitializer } from "../support/c-initializer";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-examples-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test("review: only the changed cell is replaced, and the reason is in partition terms", () => {
    assert.deepEqual(review(path.join(repoRoot, "examples/lab/fleet.yaml"), path.join(repoRoot, "examples/review/fleet-more-cpus.yaml")), [
        "h1-rt-timer: no change",
        "h1-linux: no change",
        "h2-rt-timer: replace: cell rt-timer: CPUs 1 -> 1,3; region ram: 1 MiB -> 2 MiB, phys 0x70000000 -> 0x70300000",
        "h2-uart-hello: no change",
    ]);
    assert.ok(
        review(path.join(repoRoot, "examples/lab/fleet.yaml"), path.join(repoRoot, "examples/lab/fleet.yaml")).every((l) =>
            l.endsWith(": no change"),
        ),
    );
});

test("existing cells: a .cell built like Jailhouse's (gcc, objcopy -O binary) is the same partition as the YAML it was generated from", () => {
    const object = path.join(work, "rt-timer.o");
    const cell = path.join(work, "rt-timer.cell");
    const source = path.join(work, "rt-timer-config.c");
    // Jailhouse's configs are a single object named config; the generated one is static, so export it.
    const yaml = path.join(repoRoot, "examples/lab/rt-timer.yaml");
    fs.writeFileSync(source, `${cInitializer(loadConfigFile(yaml))}const void *keep = &config;\n`);
    execFileSync("gcc", ["-c", "-I", path.join(repoRoot, "hypervisor/include"), "-o", object, source]);
    execFileSync("objcopy", ["-O", "binary", "-j", ".rodata", "--remove-section=.note.gnu.property", object, cell]);
    const fromCell = storeCellConfig(resolveCellConfig(cell));
    const fromYaml = storeCellConfig(resolveCellConfig(yaml));
    assert.equal(fromCell.sha256, fromYaml.sha256);
});

test("fleet files: unknown keys are errors naming the key", () => {
    const bad = path.join(work, "fleet.yaml");
    fs.writeFileSync(bad, "systemConfig: system.yaml\nhosts: [{ inventory: h1 }]\ncells: [{ config: a.yaml, image: [] }]\n");
    assert.throws(() => readFleet(bad), /fleet\.yaml: cells\.0: Unrecognized key: "image"/);
});

test("fleet files: images follow the provider's schema, linux included; a cell's hosts must be the fleet's", () => {
    const file = path.join(work, "hosts.yaml");
    const linux = "{ linux: { kernel: lab:linux-cell/vmlinuz, cmdline: quiet } }";
    fs.writeFileSync(
        file,
        `systemConfig: system.yaml\nhosts: [{ inventory: h1 }]\ncells: [{ config: a.yaml, hosts: [h1], images: [${linux}] }]\n`,
    );
    assert.deepEqual(readFleet(file).cells[0].images, [{ linux: { kernel: "lab:linux-cell/vmlinuz", cmdline: "quiet" } }]);
    fs.writeFileSync(file, `systemConfig: system.yaml\nhosts: [{ inventory: h1 }]\ncells: [{ config: a.yaml, hosts: [h3] }]\n`);
    assert.throws(() => readFleet(file), /hosts\.yaml: cells\.0\.hosts\.0: h3 is not a host of this fleet; use one of h1/);
    fs.writeFileSync(
        file,
        `systemConfig: system.yaml\nhosts: [{ inventory: h1 }]\ncells: [{ config: a.yaml, images: [{ linux: { kernel: k, append: x } }] }]\n`,
    );
    assert.throws(() => readFleet(file), /hosts\.yaml: cells\.0\.images\.0/);
});
