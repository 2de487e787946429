// SPDX-License-Identifier: MIT
// The demo inmates on the bare emulated machine: they boot at EL1, take the
// virtual timer interrupt through the GICv3, read their command line and
// print to the PL011.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { buildInmates, runBare } from "../support/bare-qemu";
import { parseTimerSummary } from "../bench/timer-latency";

before(() => buildInmates());

test("the timer demo ticks at 10 Hz and reports latency with running min and max", async () => {
    const output = await runBare("timer", "ticks=3", /timer-demo: done .*\n/);
    assert.match(output, /timer-demo: virtual timer at 10 Hz, counter 62500000 Hz/);
    const ticks = output.match(/timer-demo: tick \d+ latency \d+ ns \(min \d+, max \d+\)/g) ?? [];
    assert.equal(ticks.length, 3);
    const summary = parseTimerSummary(output);
    assert.equal(summary.ticks, 3);
    assert.ok(summary.minNs <= summary.meanNs && summary.meanNs <= summary.maxNs);
});

test("the UART demo counts its greetings and honours count=", async () => {
    const output = await runBare("uart-hello", "count=2 period-ms=5", /uart-hello: done\n/);
    assert.deepEqual(output.match(/uart-hello: hello \d+ from a cell/g), [
        "uart-hello: hello 1 from a cell",
        "uart-hello: hello 2 from a cell",
    ]);
});

// Without a hypervisor every act of the isolation probe succeeds: that is
// what makes "blocked" under the hypervisor mean something.
test("the isolation probe really performs its acts on the bare machine", async () => {
    const acts: [string, RegExp][] = [
        ["act=read-root-ram addr=0x40000000", /probe: value 0x[0-9a-f]+\nprobe: NOT BLOCKED: read of foreign memory returned/],
        ["act=write-cell-ram addr=0x4c000000", /probe: NOT BLOCKED: write took effect/],
        ["act=enable-irq irq=1", /probe: NOT BLOCKED: foreign SPI enabled/],
        ["act=route-irq irq=1 cpu=1", /probe: NOT BLOCKED: SPI routed to a foreign CPU/],
    ];
    for (const [cmdline, expected] of acts) {
        const output = await runBare("probe", cmdline, /probe: done\n/);
        assert.match(output, expected, `${cmdline}:\n${output}`);
    }
});

test("the probe's allowed act: CPU_ON of a sibling CPU, which reports and turns itself off", async () => {
    const output = await runBare("probe", "act=start-sibling cpu=1", /probe: done\n/, 60_000, 2);
    assert.match(
        output,
        /probe: sibling CPU running, MPIDR 0x1\nprobe: CPU_ON of the cell's MPIDR 0x1 returned 0\nprobe: sibling started and off again\nprobe: done\n/,
    );
});
