// SPDX-License-Identifier: MIT
// Mutated real-world configs (the corpus) through the whole tool chain, as
// `jailhouse-config decode`, `check` and `compile` run it. A mutant is
// either refused with a ConfigValidationError (a message, never a stack
// trace) or it loads; then checking it reports and does not throw, and its
// YAML compiles back to exactly the mutated bytes.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
    ConfigValidationError,
    encodeLoaded,
    type LoadedConfig,
    loadConfigBytes,
    toYaml,
    validateCell,
    validateHost,
} from "../../../provider/src/config";
import { buildCorpus } from "./corpus";

const corpus = buildCorpus();

// Values that sit on the edges the format and the rules care about: empty,
// sub-page, page, pin and SPI window boundaries, all ones.
const interesting = [0, 1, 4, 0x14, 0x40, 31, 32, 127, 128, 160, 0xfff, 0x1000, 0x1001, 0x7fffffff, 0xffffffff];

const edit = fc.oneof(
    fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("word" as const), at: fc.nat(), value: fc.constantFrom(...interesting) }),
);

const mutant = fc
    .record({
        pick: fc.nat(),
        edits: fc.array(edit, { minLength: 1, maxLength: 4 }),
        cut: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.nat(), weight: 1 }),
    })
    .map(({ pick, edits, cut }) => {
        const { name, bytes } = corpus[pick % corpus.length];
        const out = Buffer.from(bytes);
        for (const e of edits) {
            // Words land on 4-byte boundaries after the 8-byte prefix, where the fields are.
            if (e.kind === "byte") out[e.at % out.length] = e.value;
            else out.writeUInt32LE(e.value >>> 0, 8 + 4 * (e.at % Math.floor((out.length - 8) / 4)));
        }
        return { name, bytes: cut === null ? out : out.subarray(0, cut % (out.length + 1)) };
    });

function loadOrRefuse(bytes: Buffer, source: string): LoadedConfig | undefined {
    try {
        return loadConfigBytes(bytes, source);
    } catch (error) {
        if (error instanceof ConfigValidationError) return undefined;
        throw error;
    }
}

test("500 mutated corpus configs load or are refused with a message, and what loads round-trips and checks", () => {
    let loaded = 0;
    fc.assert(
        fc.property(mutant, ({ name, bytes }) => {
            const config = loadOrRefuse(bytes, `${name}.cell`);
            if (!config) return;
            loaded++;
            const issues = config.kind === "system" ? validateHost(config.config, []) : validateCell(config.config, config.config.name);
            for (const issue of issues) assert.match(`${issue.path}: ${issue.message}`, /\S: \S/);
            const again = encodeLoaded(loadConfigBytes(Buffer.from(toYaml(config)), `${name}.yaml`));
            assert.ok(again.equals(bytes), `${name}: the YAML of a mutant compiled to other bytes`);
        }),
        { numRuns: 500 },
    );
    // Most mutants must get through the decoder, or this fuzzes only its checks.
    assert.ok(loaded > 250, `only ${loaded} of 500 mutants loaded`);
});
