// SPDX-License-Identifier: MIT
// `jailhouse-config dtb` as a user runs it, its output read back by dtc.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { linuxBootLayout } from "../../../provider/src/config/linux/boot-layout";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const cli = path.join(repoRoot, "dist", "provider", "src", "config", "cli.js");
const example = (name: string) => path.join(repoRoot, "examples", "lab", name);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "pj-dtb-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The DTB as dtc reads it; dtc's warnings fail the test too. */
function decompile(file: string): string {
    const result = spawnSync("dtc", ["-I", "dtb", "-O", "dts", file], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "", "dtc warns");
    return result.stdout;
}

/** The body of the node named `name` (first match), up to its closing brace. */
function nodeBody(dts: string, name: string): string {
    const at = dts.indexOf(`\t${name} {`);
    assert.ok(at >= 0, `no node ${name} in\n${dts}`);
    return dts.slice(at, dts.indexOf("\n\t};", at));
}

function writeCell(name: string, yaml: string): string {
    const file = path.join(work, `${name}.yaml`);
    fs.writeFileSync(file, yaml);
    return file;
}

test("the lab's linux cell: its CPUs, RAM, GICv3, timer, 16550 and chosen, as dtc reads them", () => {
    const out = path.join(work, "linux.dtb");
    const result = run(
        "dtb",
        example("system.yaml"),
        example("linux.yaml"),
        "--cmdline",
        "quiet loglevel=4",
        "--initrd-size",
        "0x1234567",
        "-o",
        out,
    );
    assert.equal(result.status, 0, result.stderr);
    const layout = linuxBootLayout({ start: 0x74000000n, size: 128n << 20n }, 0x1234567n);
    assert.match(
        result.stdout,
        /device tree for cell "linux", \d+ bytes; kernel at 0x74000000 \(below 0x7abcb000\), initrd 0x7abcb000-0x7bdff567, dtb at 0x7be00000/,
    );
    assert.equal(layout.initrd!.start, 0x7abcb000n);
    const dts = decompile(out);

    const cpus = nodeBody(dts, "cpus");
    assert.deepEqual(
        [...cpus.matchAll(/cpu@(\w+) \{/g)].map((m) => m[1]),
        ["2", "3"],
    );
    assert.match(cpus, /cpu@2 \{[^}]*reg = <0x00 0x02>;[^}]*enable-method = "psci";/);
    assert.match(nodeBody(dts, "psci"), /compatible = "arm,psci-0.2";\s+method = "smc";/);

    assert.deepEqual(
        [...dts.matchAll(/memory@(\w+) \{/g)].map((m) => m[1]),
        ["74000000"],
        "only the cell's RAM",
    );
    assert.match(nodeBody(dts, "memory@74000000"), /device_type = "memory";\s+reg = <0x00 0x74000000 0x00 0x8000000>;/);

    const gic = nodeBody(dts, "interrupt-controller@8000000");
    assert.match(gic, /compatible = "arm,gic-v3";/);
    assert.match(gic, /reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;/, "GICD, and the 4 CPUs' redistributors");
    assert.match(nodeBody(dts, "timer"), /interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;/);

    const uart = nodeBody(dts, "serial@3eff1000");
    assert.match(uart, /compatible = "ns16550a";/);
    assert.match(uart, /reg = <0x00 0x3eff1000 0x00 0x08>;/);
    assert.match(uart, /reg-shift = <0x00>;\s+reg-io-width = <0x01>;\s+clock-frequency = <0x1c2000>;/);
    assert.match(uart, /interrupts = <0x00 0x03 0x04>;/, "SPI 3, level high");

    const chosen = nodeBody(dts, "chosen");
    assert.match(chosen, /bootargs = "console=ttyS0,115200 quiet loglevel=4";/);
    assert.match(chosen, /linux,initrd-start = <0x00 0x7abcb000>;\s+linux,initrd-end = <0x00 0x7bdff567>;/);
    assert.match(nodeBody(dts, "aliases"), /serial0 = "\/serial@3eff1000";/);
});

test("without --initrd-size chosen has no initrd; --mpidr sets the CPUs' affinities", () => {
    const out = path.join(work, "plain.dtb");
    const result = run("dtb", example("system.yaml"), example("linux.yaml"), "--mpidr", "2=0x100,3=0x101", "-o", out);
    assert.equal(result.status, 0, result.stderr);
    const dts = decompile(out);
    assert.doesNotMatch(dts, /initrd/);
    assert.match(nodeBody(dts, "chosen"), /bootargs = "console=ttyS0,115200";/);
    assert.match(nodeBody(dts, "cpus"), /cpu@100 \{[^}]*reg = <0x00 0x100>;[\s\S]*cpu@101 \{[^}]*reg = <0x00 0x101>;/);
});

test(".cell files give the same tree as their YAML", () => {
    const cells = ["system", "linux"].map((name) => {
        const out = path.join(work, `${name}.cell`);
        assert.equal(run("compile", example(`${name}.yaml`), "-o", out).status, 0);
        return out;
    });
    const fromCell = path.join(work, "from-cell.dtb");
    const fromYaml = path.join(work, "from-yaml.dtb");
    assert.equal(run("dtb", cells[0], cells[1], "-o", fromCell).status, 0);
    assert.equal(run("dtb", example("system.yaml"), example("linux.yaml"), "-o", fromYaml).status, 0);
    assert.ok(fs.readFileSync(fromCell).equals(fs.readFileSync(fromYaml)));
});

test("bad input: a cell without CPUs or RAM, a region the kernel cannot use, bad options: the field and the fix", () => {
    const out = path.join(work, "bad.dtb");
    const noCpus = writeCell(
        "nocpu",
        "name: nocpu\ncpus: []\nmemory:\n  - { phys: 0x74000000, size: 64 MiB, flags: [read, write, execute, loadable] }\n",
    );
    let result = run("dtb", example("system.yaml"), noCpus, "-o", out);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `error: ${noCpus}: cpus: cell "nocpu" has no CPUs, so a kernel cannot run; give e.g. cpus: 2-3\n`);

    const noRam = writeCell(
        "noram",
        "name: noram\ncpus: 2-3\nmemory:\n  - { virt: 0x80000000, size: 4 KiB, flags: [read, write, comm-region] }\n",
    );
    result = run("dtb", example("system.yaml"), noRam, "-o", out);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^error: ${noRam}: memory: cell "noram" has no RAM region .*add e\\.g\\. \\{ phys: 0x74000000`));

    const notLoadable = writeCell(
        "nl",
        "name: nl\ncpus: 2\nmemory:\n  - { name: ram, phys: 0x74000000, size: 64 MiB, flags: [read, write] }\n",
    );
    result = run("dtb", example("system.yaml"), notLoadable, "-o", out);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /memory\[0\] \(ram\)\.flags: .*needs the loadable flag; add loadable/);

    result = run("dtb", example("system.yaml"), example("linux.yaml"), "--initrd-size", "200 MiB", "-o", out);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /memory\[0\] \(ram\): 128 MiB holds no kernel next to a 200 MiB initrd .*smaller initrd/);

    result = run("dtb", example("system.yaml"), example("linux.yaml"), "--uart-spi", "7", "-o", out);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /irqchips: --uart-spi 7 is not an SPI of the cell \(it owns 3\)/);

    result = run("dtb", example("system.yaml"), example("linux.yaml"), "--initrd-size", "lots", "-o", out);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^jailhouse-config: --initrd-size: /);
    assert.equal(run("dtb", example("linux.yaml"), example("system.yaml"), "-o", out).status, 1);
    assert.equal(fs.existsSync(out), false, "nothing written on bad input");
});
