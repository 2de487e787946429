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
