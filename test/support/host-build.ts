// SPDX-License-Identifier: MIT
// One build of the driver, the CLI, the firmware, the demos and the test
// fixtures per lab host and source tree, shared by the end-to-end suites that
// drive the hypervisor by hand. Emulated gcc takes minutes per kernel module,
// so the build directory is named by a hash of its sources: a suite finds the
// previous suite's build when nothing changed, and builds afresh when
// anything did. A build that did not finish leaves no stamp and is redone.
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as path from "node:path";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { hasCrossCompiler, run, sh } from "./lab-shell";
import { cliInTree, cliSourceDir } from "../../provider/src/resources/remote-layout";

/** Kernel modules of the test fixtures, built next to the driver. */
const fixtureModules = ["test/e2e/fixtures/hvpoke-mod", "test/e2e/fixtures/isolation-gic-mod", "test/e2e/fixtures/rawcell-mod"];
const demos = ["timer", "uart-hello", "uart-echo", "probe"];
const buildRoot = "/root/pj-build";

export interface HostBuild {
    /** Remote folder: jailhouse.bin, <demo>.bin, kmod/jailhouse.ko, the fixtures. */
    dir: string;
    /** The `jailhouse` CLI built there. */
    cli: string;
    /** The hvpoke user-space tool. */
    hvpoke: string;
    /** Remote path of a fixture module's .ko, by folder name (e.g. "hvpoke-mod"). */
    fixtureModule(folder: string, name: string): string;
    /** Whether an earlier suite's build was found and used. */
    reused: boolean;
    seconds: number;
}

/** A tar of the sources; its bytes depend on their content and names only. */
function sourceTar(cross: boolean): Buffer {
    if (cross) {
        execFileSync("make", ["-s", "-C", path.join(repoRoot, "hypervisor")], { stdio: "pipe" });
        execFileSync("make", ["-s", "-C", path.join(repoRoot, "hypervisor", "inmates")], { stdio: "pipe" });
    }
    const args = ["-c", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner"];
    args.push(`--exclude=${cliInTree}`, "--exclude=*.o", "--exclude=*.ko", "--exclude=.*.cmd", "--exclude=*.mod*");
    args.push("--exclude=modules.order", "--exclude=Module.symvers");
    args.push("-C", repoRoot, "kmod", "hypervisor/include", "test/e2e/fixtures/hvpoke.c", ...fixtureModules);
    if (cross) {
        args.push("-C", path.join(repoRoot, "hypervisor"), "jailhouse.bin");
        args.push("-C", path.join(repoRoot, "hypervisor", "inmates", "demos"), ...demos.map((d) => `${d}.bin`));
    } else {
        args.push("--exclude=*.bin", "--exclude=*.elf", "-C", repoRoot, "hypervisor");
    }
    return execFileSync("tar", args, { maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Builds (or finds) everything on the host and returns where it is. Nothing
 * is installed or loaded: each suite decides that itself.
 */
export async function buildOnHost(host: LabHost): Promise<HostBuild> {
    const cross = hasCrossCompiler();
    const tar = sourceTar(cross);
    const hash = crypto.createHash("sha256").update(tar).digest("hex").slice(0, 16);
    const dir = `${buildRoot}/${hash}`;
    const started = Date.now();
    const found = await sh(host, `test -e ${dir}/.built`);
    const kbuild = "make -s -C /lib/modules/$(uname -r)/build";
    if (found.code !== 0) {
        // Earlier builds go: the lab disk is small, and only this tree is tested.
        await run(host, `rm -rf ${buildRoot} && mkdir -p ${dir}`);
        const put = await sh(host, `tar -x -C ${dir}`, tar);
        if (put.code !== 0) throw new Error(`${host.name}: unpacking the sources failed: ${put.stderr}`);
        const steps = [
            "set -e",
            `cd ${dir}`,
            cross
                ? "true"
                : `make -s -C hypervisor && make -s -C hypervisor/inmates && cp hypervisor/jailhouse.bin ${demos.map((d) => `hypervisor/inmates/demos/${d}.bin`).join(" ")} .`,
            ...fixtureModules.map((m, i) => `(${kbuild} M=$PWD/${m} modules > fixture${i}.log 2>&1; echo $? > fixture${i}.rc) &`),
            `${kbuild} -j2 M=$PWD/kmod modules > kmod.log 2>&1 || { cat kmod.log; exit 1; }`,
            `make -s -C ${cliSourceDir}`,
            "gcc -O2 -o hvpoke test/e2e/fixtures/hvpoke.c",
            "wait",
            ...fixtureModules.map((_, i) => `{ [ "$(cat fixture${i}.rc)" = 0 ] || { cat fixture${i}.log; exit 1; }; }`),
            "touch .built",
        ];
        await run(host, steps.join("\n"), 1_800_000);
    }
    return {
        dir,
        cli: `${dir}/${cliInTree}`,
        hvpoke: `${dir}/hvpoke`,
        fixtureModule: (folder, name) => `${dir}/test/e2e/fixtures/${folder}/${name}.ko`,
        reused: found.code === 0,
        seconds: Math.round((Date.now() - started) / 1000),
    };
}

/**
 * Shell that brings a host back to plain Linux whatever a suite left behind:
 * destroys cells with any CLI built on it, disables the hypervisor, onlines
 * every CPU and unloads the driver and the named fixture modules.
 */
export function resetHostScript(fixtureModuleNames: string[] = []): string {
    const sysfs = "/sys/devices/jailhouse";
    return (
        `J=$(ls ${buildRoot}/*/${cliInTree} /root/pj-*/${cliInTree} 2>/dev/null | head -1); ` +
        `for c in $(ls ${sysfs}/cells 2>/dev/null); do [ "$c" = 0 ] || $J cell destroy $c; done; ` +
        `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then $J disable; fi; ` +
        "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; " +
        fixtureModuleNames.map((m) => `rmmod ${m} 2>/dev/null; `).join("") +
        "rmmod jailhouse 2>/dev/null; true"
    );
}

/**
 * A suite's own folder on the host: links to everything of the shared build
 * (so `<folder>/kmod/cli/jailhouse`, `<folder>/timer.bin` ... work) plus the
 * named files of a local folder (the suite's compiled configs).
 */
export async function suiteFolder(host: LabHost, remote: string, localDir: string, files: string[]): Promise<HostBuild> {
    const built = await buildOnHost(host);
    const tar = execFileSync("tar", ["-c", "-C", localDir, ...files], { maxBuffer: 64 * 1024 * 1024 });
    const put = await sh(host, `rm -rf ${remote} && mkdir -p ${remote} && ln -s ${built.dir}/* ${remote}/ && tar -x -C ${remote}`, tar);
    if (put.code !== 0) throw new Error(`${host.name}: preparing ${remote} failed: ${put.stderr}`);
    return built;
}
