// SPDX-License-Identifier: MIT
// A cell's refusal, as the jailhouse CLI reports it, becomes the resource's
// error in the provider's words; anything else passes through.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cellRefusal, stopFailure } from "../../../provider/src/resources/refusal";

const cliFailure = (step: string, reason: string) =>
    new Error(`h1: ${step} failed (exit 1):\nJAILHOUSE_CELL_LOAD: Operation not permitted\njailhouse: reason: ${reason}`);

test("a denied shutdown names the cell and what it said, and that nothing changed", () => {
    const error = cellRefusal(
        "h1",
        cliFailure("shut down cell rt-timer", 'cell "rt-timer" refused shutdown (running/locked); nothing was changed'),
    );
    assert.ok(error instanceof Error);
    assert.equal(error.message, "h1: cell rt-timer refused shutdown (running/locked); nothing was changed");
});

test("a destroy held off by a locked cell names both cells", () => {
    const error = cellRefusal(
        "h2",
        cliFailure(
            "destroy cell uart-hello",
            'cannot destroy cell "uart-hello": cell "rt-timer" is running/locked; try again when it unlocks',
        ),
    );
    assert.ok(error instanceof Error);
    assert.equal(
        error.message,
        "h2: cannot destroy cell uart-hello: cell rt-timer is running/locked; nothing was changed, run pulumi up again when it unlocks",
    );
});

test("other failures pass through unchanged", () => {
    const other = cliFailure("destroy cell x", "no such cell");
    assert.equal(cellRefusal("h1", other), other);
    assert.equal(cellRefusal("h1", "text"), "text");
});

const silentCell = () =>
    cliFailure(
        "destroy cell probe",
        'cell "probe" did not answer in time (the shutdown request or the stop of its CPUs) and is now failed; nothing else was changed: destroy it or load it again',
    );

test('a cell that did not answer, onTimeout "force": go on and destroy (or reload) the failed cell', () => {
    assert.deepEqual(stopFailure("h4", silentCell(), "force"), { action: "force", cell: "probe" });
});

test('a cell that did not answer, onTimeout "fail": the resource fails naming the cell, the failed cell stays', () => {
    const decision = stopFailure("h4", silentCell(), "fail");
    assert.equal(decision.action, "throw");
    const error = decision.action === "throw" ? decision.error : undefined;
    assert.ok(error instanceof Error);
    assert.match(
        error.message,
        /^h4: cell probe did not answer the shutdown request in time and is now failed; nothing else was changed: the cell stays on the host to be looked at; destroy it with "jailhouse cell destroy probe", or set shutdown\.onTimeout: force in its config$/,
    );
});

test("a denial is never forced, whatever onTimeout says", () => {
    for (const onTimeout of ["fail", "force"] as const) {
        const decision = stopFailure(
            "h1",
            cliFailure("shut down cell rt-timer", 'cell "rt-timer" refused shutdown (running); nothing was changed'),
            onTimeout,
        );
        assert.equal(decision.action, "throw");
        assert.equal(
            decision.action === "throw" && (decision.error as Error).message,
            "h1: cell rt-timer refused shutdown (running); nothing was changed",
        );
    }
    const other = cliFailure("destroy cell x", "no such cell");
    assert.deepEqual(stopFailure("h1", other, "force"), { action: "throw", error: other });
});
