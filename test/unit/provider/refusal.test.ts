// SPDX-License-Identifier: MIT
// A cell's refusal, as the jailhouse CLI reports it, becomes the resource's
// error in the provider's words; anything else passes through.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cellRefusal } from "../../../provider/src/resources/refusal";

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
