// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { median, medianRange } from "../support/stats";

describe("benchmark figures", () => {
    test("the median of an odd count is the middle value, whatever the order", () => {
        assert.equal(median([5]), 5);
        assert.equal(median([9, 1, 5]), 5);
        assert.equal(median([3, 3, 1, 7, 100]), 3);
    });

    test("the median of an even count is the mean of the two middle values, not the upper one", () => {
        assert.equal(median([1, 2]), 1.5);
        assert.equal(median([4, 1, 3, 2]), 2.5);
        assert.equal(median([10, 10, 20, 20]), 15);
    });

    test("the median leaves its input as it was", () => {
        const values = [3, 1, 2];
        median(values);
        assert.deepEqual(values, [3, 1, 2]);
    });

    test("a median of nothing is an error that says what to do", () => {
        assert.throws(() => median([]), /median of no values: measure at least once/);
    });

    test("median and range read as median (min-max)", () => {
        assert.equal(medianRange([1.4, 1.1, 1.25]), "1.25 (1.10-1.40)");
        assert.equal(medianRange([1000, 3000], 0), "2000 (1000-3000)");
        assert.equal(medianRange([1.234, 1.1, 1.4], 2, "s"), "1.23 s (1.10-1.40)");
    });
});
