// SPDX-License-Identifier: MIT
// End to end on a lab host: build jailhouse.ko and the jailhouse CLI on the
// host (its stock Debian kernel headers), install the cross-built
// jailhouse.bin, then enable/disable the hypervisor and check that Linux
// keeps running normally under it (interrupts through the list registers,
// IPIs through the SGI trap, the distributor filtered, CPU hotplug through
// PSCI emulation), the pre-flight checks refuse with a readable reason, and
// the root cell cannot write into hypervisor memory.
//
// What the root sees when it touches hypervisor memory: a kernel load reads
// 0, a kernel store is dropped, and the hypervisor console logs each access
// ("stage-2 ... fault at IPA ..."); a user-space mapping is refused by Linux
// already (IO_STRICT_DEVMEM), and any access without a usable syndrome would
// get an external abort injected.
//
// The suite also boots the lab image three other ways (no EL2, a VHE
// kernel, KVM in EL2) to provoke the pre-flight reasons a lab host cannot;
// PJ_HV_VARIANTS=0 leaves those boots out.
//
// Where things are built: test/support/host-build.ts (jailhouse.bin here with
// aarch64-linux-gnu-gcc, or on the lab host without it; the module, the CLI
// and the test helpers on the lab host, once for all suites).
//
// Host: the first inventory host (PJ_HV_HOST to choose another). The suite
// leaves the host as it found it: hypervisor disabled, module unloaded, all
// CPUs online.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { LabHost, sshArgs } from "../../examples/lab/tooling/lab";
import { compileConfig, sysfs, waitFor } from "../support/cell-session";
import { suiteFolder } from "../support/host-build";
import { consoleTail, pickHost, run, sh } from "../support/lab-shell";
import { bootVariant, type VariantMachine } from "../support/lab-variant";
import { cliInTree } from "../../provider/src/resources/remote-layout";

const remote = "/root/pj-hv";
const cli = `${remote}/${cliInTree}`;
// Lab layout (examples/lab/system.yaml): hypervisor memory.
const hvBase = 0x7f000000;
// The GICv3 distributor of QEMU's virt machine.
const gicdBase = 0x08000000;
// The Linux stub's answer to an unknown call: what a hypercall returns on a
// CPU that has fallen back to the stub.
const stubError = 0xbadca11;
// The pre-flight reasons a lab host cannot show need differently booted
// machines: on by default, PJ_HV_VARIANTS=0 leaves them out (three more QEMU boots, ~3-5 min).
const withVariants = process.env.PJ_HV_VARIANTS !== "0";

/** Runs a command on the host and returns its raw stdout (for tar streams). */
function shBuffer(host: LabHost, command: string, input?: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const child = execFile(
            "ssh",
            sshArgs(host).concat(command),
            { timeout: 600_000, maxBuffer: 64 * 1024 * 1024, encoding: "buffer" },
            (error, stdout, stderr) => {
                if (error) reject(new Error(`${host.name}: '${command}' failed: ${stderr.toString()}`));
                else resolve(stdout);
            },
        );
        if (input) child.stdin?.end(input);
        else child.stdin?.end();
    });
}

/** Variants of the system config, patched at their rev-14 offsets. */
function writeVariants(base: string, dir: string): Record<string, string> {
    const bytes = fs.readFileSync(base);
    const variant = (name: string, patch: (b: Buffer) => void): string => {
        const b = Buffer.from(bytes);
        patch(b);
        const file = path.join(dir, `${name}.cell`);
        fs.writeFileSync(file, b);
        return file;
    };
    const cpuSetSize = bytes.readUInt32LE(356 + 48);
    return {
        revision: variant("bad-revision", (b) => b.writeUInt16LE(13, 6)),
        architecture: variant("bad-arch", (b) => b.writeUInt8(0, 5)),
        signature: variant("bad-signature", (b) => b.write("JHCLL", 0, "latin1")),
        // hypervisor_memory.phys_start inside Linux RAM (0x40000000-0x6fffffff)
        overlap: variant("overlap", (b) => b.writeBigUInt64LE(0x6f000000n, 12)),
        // root CPU set {0,1,2} while 4 CPUs are online
        cpus: variant("cpus012", (b) => {
            for (let i = 0; i < cpuSetSize; i++) b.writeUInt8(i === 0 ? 0x7 : 0, 488 + i);
        }),
    };
}

function readNumber(text: string): number {
    const n = Number(text.trim());
    assert.ok(Number.isFinite(n), `not a number: '${text}'`);
    return n;
}

describe("hypervisor on a lab host", { timeout: (withVariants ? 30 : 15) * 60_000 }, () => {
    let host: LabHost;
    // Every failure carries the end of the host's console: the hypervisor
    // prints its faults there, and a dead kernel leaves its last words.
    const hvTest = (name: string, fn: () => Promise<void>) =>
        test(name, async () => {
            try {
                await fn();
            } catch (error) {
                const message = error instanceof Error ? error.message : String(error);
                throw new Error(`${message}\n--- ${host?.name} console tail ---\n${consoleTail(host)}`, { cause: error });
            }
        });
    let work: string;
    let dmesgMark = 0;
    let enabled = false;
    let builtArtifacts: Buffer | undefined;

    const enable = (config = `${remote}/system.cell`) => sh(host, `${cli} enable ${config}`);
    const disable = () => sh(host, `${cli} disable`);
    const readSysfs = async (attr: string) => (await run(host, `cat ${sysfs}/${attr}`)).trim();
    const statistics = async (): Promise<Record<string, number>> => {
        const out = await run(host, `cd ${sysfs}/cells/0/statistics && grep . vmexits_*`);
        const stats: Record<string, number> = {};
        for (const line of out.trim().split("\n")) {
            const [name, value] = line.split(":");
            stats[name] = readNumber(value);
        }
        return stats;
    };
    /** Per-CPU counts of Linux's arch_timer interrupt. */
    const timerTicks = async (): Promise<number[]> => {
        const line = (await run(host, "grep arch_timer /proc/interrupts")).trim().split(/\s+/);
        return line.slice(1, 5).map(readNumber);
    };
    /** Polls a condition on the host every 2 s; fails after a minute. */
    const waitOnHost = (what: string, cond: () => Promise<boolean>) => waitFor(what, cond, 60_000, 2000);
    const newDmesg = async () => {
        const lines = (await run(host, "dmesg")).split("\n");
        return lines.slice(dmesgMark).join("\n");
    };

    before(async () => {
        host = pickHost();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-hv-"));

        // Leave nothing of an earlier run behind.
        await sh(
            host,
            `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then ${cli} disable; fi; ` +
                "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; " +
                "rmmod hvpoke_mod 2>/dev/null; rmmod jailhouse 2>/dev/null; true",
        );

        const config = compileConfig("examples/lab/system.yaml", path.join(work, "system.cell"));
        writeVariants(config, work);
        const built = await suiteFolder(
            host,
            remote,
            work,
            fs.readdirSync(work).filter((f) => f.endsWith(".cell")),
        );
        console.error(`# ${host.name}: module + CLI ${built.reused ? "found" : "built"} on the host in ${built.seconds} s`);
        await run(
            host,
            `mkdir -p /lib/firmware && cp ${remote}/jailhouse.bin /lib/firmware/jailhouse.bin && insmod ${remote}/kmod/jailhouse.ko`,
        );
        if (withVariants) {
            builtArtifacts = await shBuffer(host, `tar -c -C ${remote} kmod/jailhouse.ko ${cliInTree} system.cell`);
        }
        dmesgMark = (await run(host, "dmesg")).split("\n").length - 1;
    });

    after(async () => {
        if (!host) return;
        await sh(
            host,
            "for c in /sys/devices/system/cpu/cpu[1-9]*/online; do echo 1 > $c; done; " +
                `if [ "$(cat ${sysfs}/enabled 2>/dev/null)" = 1 ]; then ${cli} disable; fi; ` +
                "rmmod hvpoke_mod 2>/dev/null; rmmod jailhouse 2>/dev/null; true",
        );
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    hvTest("the driver presents /dev/jailhouse and /sys/devices/jailhouse", async () => {
        const listing = await run(host, `ls /dev/jailhouse && ls ${sysfs}`);
        for (const attr of ["enabled", "mem_pool_size", "mem_pool_used", "remap_pool_size", "remap_pool_used", "console", "cells"]) {
            assert.match(listing, new RegExp(`^${attr}$`, "m"), `missing ${attr}`);
        }
        assert.equal(await readSysfs("enabled"), "0");
        const list = await run(host, `${cli} cell list --json`);
        assert.deepEqual(JSON.parse(list), []);
    });

    describe("pre-flight refuses with a reason, and the host stays as it was", () => {
        // One SSH round trip per case: the lab is slow. @before and @after
        // run around the enable (after it in every case).
        const refused = async (config: string, errno: RegExp, reason: RegExp, setup = "", undo = "") => {
            const r = await sh(host, `${setup} ${cli} enable ${config}; rc=$?; ${undo} echo "rc=$rc enabled=$(cat ${sysfs}/enabled)"`);
            assert.match(r.stdout, /rc=1 enabled=0/, `enable with ${config}: ${r.stdout}${r.stderr}`);
            assert.match(r.stderr, errno);
            assert.match(r.stderr, reason);
        };

        hvTest("wrong revision", () =>
            refused(
                `${remote}/bad-revision.cell`,
                /JAILHOUSE_ENABLE: Invalid argument/,
                /reason: configuration revision 13, this driver needs revision 14/,
            ),
        );
        hvTest("wrong architecture", () =>
            refused(
                `${remote}/bad-arch.cell`,
                /JAILHOUSE_ENABLE: Invalid argument/,
                /reason: configuration is for architecture 0, this host is arm64 \(2\)/,
            ),
        );
        hvTest("not a system configuration", () =>
            refused(`${remote}/bad-signature.cell`, /JAILHOUSE_ENABLE: Invalid argument/, /reason: not a system configuration/),
        );
        hvTest("hypervisor memory overlapping Linux RAM", () =>
            refused(
                `${remote}/overlap.cell`,
                /JAILHOUSE_ENABLE: Invalid argument/,
                /reason: hypervisor memory 0x6f000000-0x6fffffff overlaps Linux RAM/,
            ),
        );
        hvTest("root CPU set smaller than the online CPUs", () =>
            refused(
                `${remote}/cpus012.cell`,
                /JAILHOUSE_ENABLE: Device or resource busy/,
                /reason: root cell CPUs 0-2 differ from the online CPUs 0-3/,
            ),
        );
        hvTest("a root CPU offline", async () => {
            const cpu3 = "/sys/devices/system/cpu/cpu3/online";
            await refused(
                `${remote}/system.cell`,
                /JAILHOUSE_ENABLE: Device or resource busy/,
                /reason: root cell CPUs 0-3 differ from the online CPUs 0-2/,
                `echo 0 > ${cpu3} &&`,
                `echo 1 > ${cpu3};`,
            );
            assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
        });
        hvTest("the kernel log carries the same reasons", async () => {
            const log = await newDmesg();
            assert.match(log, /jailhouse: configuration revision 13/);
            assert.match(log, /jailhouse: hypervisor memory .* overlaps Linux RAM/);
        });
        // No EL2, Linux at EL2 (VHE) and KVM owning EL2 cannot happen on a
        // lab host: see "pre-flight on differently booted machines" below.
    });

    describe("enabled", () => {
        hvTest("enable takes every CPU, the pools are in use", async () => {
            const t0 = Date.now();
            const r = await enable();
            assert.equal(r.code, 0, r.stderr);
            enabled = true;
            console.error(`# enable round trip ${Date.now() - t0} ms`);
            const attrs: Record<string, string> = {};
            for (const line of (
                await run(host, `cd ${sysfs} && grep . enabled mem_pool_size mem_pool_used remap_pool_size remap_pool_used`)
            )
                .trim()
                .split("\n")) {
                const [name, value] = line.split(":");
                attrs[name] = value;
            }
            assert.equal(attrs.enabled, "1");
            const size = readNumber(attrs.mem_pool_size);
            const used = readNumber(attrs.mem_pool_used);
            assert.ok(size > 1000 && used > 0 && used < size, `mem pool ${used}/${size}`);
            const remapSize = readNumber(attrs.remap_pool_size);
            const remapUsed = readNumber(attrs.remap_pool_used);
            assert.ok(remapUsed > 0 && remapUsed <= remapSize, `remap pool ${remapUsed}/${remapSize}`);
            console.error(`# mem pool ${used}/${size} pages, remap pool ${remapUsed}/${remapSize} pages`);
            const opened = /The Jailhouse is opening\. \((\d+) us\)/.exec(await newDmesg());
            assert.ok(opened, "no 'The Jailhouse is opening.' in the kernel log");
            console.error(`# enable in the driver: ${(Number(opened[1]) / 1000).toFixed(1)} ms`);
        });

        hvTest("cell list shows the root cell", async () => {
            const [table, json] = (await run(host, `${cli} cell list && echo --- && ${cli} cell list --json`)).split("---\n");
            assert.match(table, /^ID {6}Name {20}State {13}Assigned CPUs {11}Failed CPUs/m);
            assert.match(table, /^0 {7}lab-root {16}running {11}0-3 *$/m);
            const cells = JSON.parse(json);
            assert.equal(cells.length, 1);
            assert.equal(cells[0].id, 0);
            assert.equal(cells[0].state, "running");
            assert.equal(cells[0].cpus_assigned, "0-3");
            assert.equal(cells[0].cpus_failed, "");
        });

        hvTest("every CPU answers hypercalls", async () => {
            const values = await run(host, `for c in 0 1 2 3; do taskset -c $c cat ${sysfs}/mem_pool_size; done`);
            const list = values.trim().split("\n").map(readNumber);
            assert.equal(list.length, 4);
            assert.ok(
                list.every((v) => v === list[0] && v !== stubError),
                values,
            );
        });

        hvTest("interrupts reach Linux through the list registers, IPIs through the SGI trap", async () => {
            const before = await statistics();
            const ticksBefore = await timerTicks();
            // Work on every CPU, with wake-ups across CPUs (IPIs).
            await run(
                host,
                "for c in 0 1 2 3; do taskset -c $c sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' & done; wait; sync",
            );
            const after = await statistics();
            const ticksAfter = await timerTicks();
            // With HCR_EL2.IMO set, Linux's timer can only arrive as a virtual
            // interrupt: it still ticks on every CPU, and the hypervisor counted
            // the physical interrupts it handed on and the SGIs it sent.
            for (let cpu = 0; cpu < 4; cpu++) {
                assert.ok(ticksAfter[cpu] > ticksBefore[cpu], `CPU ${cpu} timer: ${ticksBefore[cpu]} -> ${ticksAfter[cpu]}`);
            }
            assert.ok(after.vmexits_virt_irq > before.vmexits_virt_irq, `virt_irq ${before.vmexits_virt_irq} -> ${after.vmexits_virt_irq}`);
            assert.ok(after.vmexits_virt_sgi > before.vmexits_virt_sgi, `virt_sgi ${before.vmexits_virt_sgi} -> ${after.vmexits_virt_sgi}`);
            const con = await run(host, `${cli} console`);
            assert.match(con, /GICv3: \d+ list registers, maintenance IRQ 25/);
        });

        hvTest("the distributor is trapped: the root cannot reconfigure it", async () => {
            const before = await statistics();
            // GICD_CTLR: 0xdeadbeef would switch the distributor's groups and
            // routing mode and take every interrupt away from Linux.
            await run(
                host,
                `insmod ${remote}/test/e2e/fixtures/hvpoke-mod/hvpoke_mod.ko addr=0x${gicdBase.toString(16)} && rmmod hvpoke_mod`,
            );
            const poke = /hvpoke: addr 0x8000000 read 0x([0-9a-f]{8}), wrote 0xdeadbeef, read back 0x([0-9a-f]{8})/.exec(await newDmesg());
            assert.ok(poke, "no hvpoke line in the kernel log");
            assert.equal(poke[2], poke[1], "GICD_CTLR changed");
            assert.notEqual(poke[1], "00000000", "GICD_CTLR reads as zero: the read did not reach the distributor");
            const after = await statistics();
            assert.ok(after.vmexits_mmio >= before.vmexits_mmio + 3, `mmio exits ${before.vmexits_mmio} -> ${after.vmexits_mmio}`);
            // Linux keeps getting its interrupts.
            const ticks = await timerTicks();
            await waitOnHost("the timer to tick on every CPU", async () => (await timerTicks()).every((n, cpu) => n > ticks[cpu]));
        });

        hvTest("Linux stays healthy: SSH, 4 CPUs, a CPU and memory workload", async () => {
            assert.equal((await run(host, "nproc")).trim(), "4");
            const out = await run(
                host,
                "for i in 1 2 3 4; do (head -c 48M /dev/urandom | sha256sum > /tmp/pj-hv-w$i) & done; wait; " +
                    "cat /tmp/pj-hv-w* | wc -l; rm -f /tmp/pj-hv-w*; " +
                    "awk 'BEGIN{s=0;for(i=0;i<1000000;i++)s+=i;printf \"%.0f\\n\", s}'",
            );
            assert.match(out, /^4$/m);
            assert.match(out, /^499999500000$/m);
        });

        hvTest("CPU 3 hot-unplug and replug, and it comes back under the hypervisor", async () => {
            await run(host, "echo 0 > /sys/devices/system/cpu/cpu3/online");
            assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-2");
            await run(host, "echo 1 > /sys/devices/system/cpu/cpu3/online");
            assert.equal((await run(host, "cat /sys/devices/system/cpu/online")).trim(), "0-3");
            const onCpu3 = readNumber(await run(host, `taskset -c 3 cat ${sysfs}/mem_pool_size`));
            assert.notEqual(onCpu3, stubError, "CPU 3 came back through the Linux stub");
            assert.equal(onCpu3, readNumber(await readSysfs("mem_pool_size")));
            const log = await newDmesg();
            assert.match(log, /psci: CPU3 killed/);
            assert.match(log, /CPU3: Booted secondary processor/);
        });

        hvTest("the hypervisor console is readable (CLI and sysfs)", async () => {
            const out = await run(host, `${cli} console`);
            assert.match(out, /Initializing Jailhouse-compatible hypervisor/);
            for (const cpu of [0, 1, 2, 3]) assert.match(out, new RegExp(` CPU ${cpu}\\.\\.\\. OK`));
            assert.match(out, /Activating hypervisor/);
            assert.match(await readSysfs("console"), /Activating hypervisor/);
        });

        hvTest("the root cannot write hypervisor memory", async () => {
            const usedBefore = readNumber(await readSysfs("mem_pool_used"));
            // Linux itself refuses user mappings of the region the driver holds.
            const user = await sh(host, `${remote}/hvpoke 0x${hvBase.toString(16)} write`);
            assert.notEqual(user.code, 0);
            assert.match(user.stderr, /mmap: Operation not permitted/);
            // A kernel access gets past Linux; stage 2 stops it: the read gives
            // 0, the write is dropped, and the hypervisor console reports both.
            await run(
                host,
                `insmod ${remote}/test/e2e/fixtures/hvpoke-mod/hvpoke_mod.ko addr=0x${hvBase.toString(16)} && rmmod hvpoke_mod`,
            );
            const log = await newDmesg();
            assert.match(log, /hvpoke: addr 0x7f000000 read 0x00000000, wrote 0xdeadbeef, read back 0x00000000/);
            assert.doesNotMatch(log, /Internal error|Oops|BUG:/);
            const con = await run(host, `${cli} console`);
            assert.match(con, /stage-2 write fault at IPA 0x7f000000 .*access denied, write ignored/);
            assert.match(con, /stage-2 read fault at IPA 0x7f000000 .*access denied, read as zero/);
            // The hypervisor is intact and still serving.
            assert.equal(readNumber(await readSysfs("mem_pool_used")), usedBefore);
        });

        hvTest("disable gives every CPU back to Linux", async () => {
            const r = await disable();
            assert.equal(r.code, 0, r.stderr);
            enabled = false;
            assert.equal(await readSysfs("enabled"), "0");
            assert.equal(await readSysfs("mem_pool_size"), "0");
            const log = await newDmesg();
            assert.match(log, /The Jailhouse was closed\./);
            const con = await run(host, `${cli} console`);
            assert.match(con, /Releasing CPU 3/);
            assert.match(con, /Hypervisor disabled/);
            assert.equal((await run(host, `${cli} cell list --json`)).trim(), "[]");
            // The image survived the root's write attempt: still "JAIL" at its base.
            const peek = await run(host, `${remote}/hvpoke 0x${hvBase.toString(16)} read`);
            assert.match(peek, /read 0x4c49414a/);
            // Interrupts arrive natively again on every CPU.
            const ticks = await timerTicks();
            await waitOnHost("the timer to tick on every CPU", async () => (await timerTicks()).every((n, cpu) => n > ticks[cpu]));
        });
    });

    hvTest("10 enable/disable cycles", async () => {
        assert.equal(enabled, false);
        const t0 = Date.now();
        const out = await run(
            host,
            `ok=0; for i in $(seq 10); do ${cli} enable ${remote}/system.cell || break; ` +
                `[ "$(cat ${sysfs}/enabled)" = 1 ] || break; ${cli} disable || break; ok=$i; done; echo cycles=$ok`,
        );
        assert.match(out, /cycles=10/);
        console.error(`# 10 cycles in ${Date.now() - t0} ms`);
        assert.equal(await readSysfs("enabled"), "0");
        assert.equal((await run(host, "nproc")).trim(), "4");
        const log = await newDmesg();
        assert.doesNotMatch(log, /Internal error|Oops|BUG:|WARNING:/);
    });
    describe(
        "pre-flight on differently booted machines",
        { skip: withVariants ? false : "PJ_HV_VARIANTS=0 (leaves out three more QEMU boots)" },
        () => {
            // The lab image, booted three other ways: no EL2 at all, a VHE kernel
            // (Linux itself at EL2), and KVM initialised in EL2. Each gets the
            // module and CLI built on the lab host and must refuse to enable.
            const variants = [
                {
                    name: "no-el2",
                    machine: "virtualization=off",
                    cpu: "cortex-a57",
                    append: "kvm-arm.mode=none",
                    errno: /JAILHOUSE_ENABLE: No such device/,
                    reason: /reason: this CPU has no EL2 \(ID_AA64PFR0_EL1.EL2 is 0\): not started at EL2/,
                },
                {
                    name: "vhe",
                    machine: "virtualization=on",
                    cpu: "max,pauth-impdef=on",
                    append: "kvm-arm.mode=none",
                    errno: /JAILHOUSE_ENABLE: Device or resource busy/,
                    reason: /reason: Linux itself runs at EL2 \(VHE\)/,
                },
                {
                    name: "kvm",
                    machine: "virtualization=on",
                    cpu: "cortex-a57",
                    append: "kvm-arm.mode=nvhe",
                    errno: /JAILHOUSE_ENABLE: Device or resource busy/,
                    reason: /reason: KVM owns EL2 \(\/dev\/kvm exists\)/,
                },
            ];
            const machines = new Map<string, VariantMachine>();
            const boot = async (v: (typeof variants)[number]) => machines.set(v.name, await bootVariant(host, v, work, 600_000));

            before(async () => {
                assert.ok(builtArtifacts, "the module was not built");
                await Promise.all(variants.map(boot));
            });

            after(() => {
                for (const vm of machines.values()) vm.stop();
            });

            for (const v of variants) {
                test(`refused on a machine booted with ${v.name}`, async () => {
                    const vm = machines.get(v.name)!;
                    try {
                        const put = await sh(vm, `rm -rf ${remote} && mkdir -p ${remote} && tar -x -C ${remote}`, builtArtifacts);
                        assert.equal(put.code, 0, put.stderr);
                        await run(vm, `insmod ${remote}/kmod/jailhouse.ko`);
                        const r = await sh(vm, `${cli} enable ${remote}/system.cell`);
                        assert.notEqual(r.code, 0, `enable succeeded on ${v.name}`);
                        assert.match(r.stderr, v.errno);
                        assert.match(r.stderr, v.reason);
                        assert.equal((await run(vm, `cat ${sysfs}/enabled`)).trim(), "0");
                        const log = await run(vm, "dmesg");
                        assert.match(log, new RegExp(`jailhouse: ${v.reason.source.replace(/^reason: /, "")}`));
                        assert.doesNotMatch(log, /Internal error|Oops|BUG:/);
                    } catch (error) {
                        const message = error instanceof Error ? error.message : String(error);
                        throw new Error(`${message}\n--- ${vm.name} console tail ---\n${consoleTail(vm)}`, { cause: error });
                    }
                });
            }
        },
    );
});
