// SPDX-License-Identifier: MIT
// What the end-to-end suites that drive cells by hand share: polling for a
// condition, the cell list, a cell's console and the hypervisor's, launching
// an image into a cell, a CLI command that must be refused, and a test that
// shows both consoles when it fails.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { shellQuote } from "../../provider/src/host/shell-quote";
import type { LabHost } from "../../examples/lab/tooling/lab";
import { repoRoot } from "../../examples/lab/tooling/workbench";
import { consoleTail, run, sh } from "./lab-shell";
import { cliInTree } from "../../provider/src/resources/remote-layout";

export const sysfs = "/sys/devices/jailhouse";

/** One cell as `jailhouse cell list --json` shows it. */
export interface CellInfo {
    id: number;
    name: string;
    state: string;
    cpus_assigned: string;
    cpus_failed: string;
}

/** Polls `cond` every `pollMs` until it holds; fails the test after `timeoutMs`. */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 60_000, pollMs = 1000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
        if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, pollMs));
    }
}

/** The largest number the pattern's first group captures in text, or -1. */
export function newest(text: string, pattern: RegExp): number {
    return Math.max(-1, ...[...text.matchAll(pattern)].map((m) => Number(m[1])));
}

/** Compiles a cell or system YAML (a path from the repository root, or absolute) into a .cell file at `out`. */
export function compileConfig(yaml: string, out: string): string {
    const compiler = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
    execFileSync(process.execPath, [compiler, "compile", path.resolve(repoRoot, yaml), "-o", out], { cwd: repoRoot, stdio: "pipe" });
    return out;
}

export interface CellSessionOptions {
    /** Where each test's run time ("name: N s") goes, when the suite reports it. */
    timings?: string[];
    /** More of what a failing test shows, by title, between the hypervisor console and the host's serial tail. */
    evidence?: () => Record<string, string>;
}

/**
 * The helpers for a suite whose files are in `remote` on the lab host that
 * `host()` returns (it is picked in the suite's `before`, hence a function).
 */
export function cellSession(host: () => LabHost, remote: string, options: CellSessionOptions = {}) {
    const cli = `${remote}/${cliInTree}`;
    const cells = async (): Promise<CellInfo[]> => JSON.parse(await run(host(), `${cli} cell list --json`)) as CellInfo[];
    const cell = async (name: string): Promise<CellInfo> => {
        const found = (await cells()).find((c) => c.name === name);
        assert.ok(found, `no cell ${name}`);
        return found;
    };
    /** The cell's state, or "absent" when there is no such cell. */
    const state = async (name: string): Promise<string> => (await cells()).find((c) => c.name === name)?.state ?? "absent";
    /** The cell's own console lines; fails when there is no such cell. One round trip. */
    const cellConsole = (name: string): Promise<string> =>
        run(
            host(),
            `for d in ${sysfs}/cells/*; do if [ "$(cat $d/name)" = ${shellQuote(name)} ]; then cat $d/console; exit 0; fi; done; ` +
                `echo ${shellQuote(`no cell ${name}`)} >&2; exit 1`,
        );
    const hvConsole = (): Promise<string> => run(host(), `cat ${sysfs}/console`);
    /** The command that loads an image (its command line at 0x1000) into a created cell and starts it; load stops the cell first. */
    const loadCommand = (name: string, image: string, args: string) =>
        `${cli} cell load ${name} ${remote}/${image}.bin -a 0 -s "${args}" -a 0x1000 && ${cli} cell start ${name}`;
    /** create + load + start in one command, the cell named as its config. */
    const launchCommand = (config: string, image: string, args: string) =>
        `${cli} cell create ${remote}/${config}.cell && ${loadCommand(config, image, args)}`;
    /** Loads and starts an image in a created cell. */
    const relaunch = (name: string, image: string, args: string) => run(host(), loadCommand(name, image, args));
    /** The probe's output for its latest run of `act` in the cell, once it printed "done". */
    const probeRun = async (name: string, act: string, timeoutMs = 30_000): Promise<string> => {
        const thisRun = new RegExp(`probe: act=${act}[^\\n]*\\n((?:(?!probe: act=)[\\s\\S])*)probe: done`);
        await waitFor(`the probe's ${act}`, async () => thisRun.test(await cellConsole(name)), timeoutMs);
        return thisRun.exec(await cellConsole(name))?.[1] ?? "";
    };
    /** A CLI command that must fail: its exit code, stderr and the driver's last_error. */
    const refused = async (command: string) => {
        const r = await sh(host(), `${cli} ${command}; echo "exit=$?"; echo "last_error=$(cat ${sysfs}/last_error)"`);
        return { exit: Number(/exit=(\d+)/.exec(r.stdout)?.[1]), stderr: r.stderr, lastError: /last_error=(.*)/.exec(r.stdout)?.[1] ?? "" };
    };
    /** A test that, when it fails, shows the hypervisor console and the host's serial tail. */
    const labTest = (name: string, fn: () => Promise<void>) =>
        test(name, async () => {
            const started = Date.now();
            try {
                await fn();
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                // The host is picked in the suite's `before`, which may have failed first.
                const h = host() as LabHost | undefined;
                const hv = h ? (await sh(h, `tail -c 3000 ${sysfs}/console`)).stdout : "";
                const sections = { "hypervisor console": hv, ...options.evidence?.(), [`${h?.name} serial tail`]: consoleTail(h) };
                const shown = Object.entries(sections).map(([title, text]) => `\n--- ${title} ---\n${text}`);
                throw new Error(`${message}${shown.join("")}`, { cause: error });
            } finally {
                options.timings?.push(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
            }
        });
    return { cli, cells, cell, state, cellConsole, hvConsole, loadCommand, launchCommand, relaunch, probeRun, refused, labTest };
}
