// SPDX-License-Identifier: MIT
// The build the provider runs on a host makes every file it then installs:
// checked by asking make what the script's `make -C` lines would run, with a
// stand-in for the kernel's build system.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { buildAndInstallScript, cliInTree } from "../../../provider/src/resources/remote-layout";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const kbuild = fs.mkdtempSync(path.join(os.tmpdir(), "pj-kbuild-"));
after(() => fs.rmSync(kbuild, { recursive: true, force: true }));
fs.writeFileSync(path.join(kbuild, "Makefile"), "modules:\n\t@echo kbuild-modules $(M)\n");

/** What `make -C <folder>` would run, everything taken as out of date. */
const wouldRun = (folder: string) =>
    execFileSync("make", ["-n", "-B", "-C", path.join(repoRoot, folder), `KDIR=${kbuild}`], { encoding: "utf8" });

test("the host build makes the module and the CLI it installs, each from one make line", () => {
    const makes = buildAndInstallScript("stamp")
        .split("\n")
        .filter((line) => line.startsWith("make "));
    assert.deepEqual(makes, ["make -C hypervisor", "make -C kmod", "make -C hypervisor/inmates"]);
    const kmod = wouldRun("kmod");
    assert.match(kmod, /kbuild-modules .*kmod/, "make -C kmod builds jailhouse.ko");
    const cli = path.basename(cliInTree);
    assert.match(kmod, new RegExp(`-o ${cli} `), `make -C kmod builds the CLI (${cliInTree}) that the script installs`);
});
