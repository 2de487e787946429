// SPDX-License-Identifier: MIT
// Every corpus config (C with Jailhouse's layout, built as Jailhouse builds
// board configs) survives decode -> YAML -> compile byte for byte, and each
// board's configs pass `check` together: what upstream accepts, we accept.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
    type CellConfig,
    decodeConfig,
    encodeConfig,
    encodeLoaded,
    errorsOf,
    loadConfigBytes,
    type SystemConfig,
    toYaml,
    validateHost,
} from "../../../provider/src/config";
import { buildCorpus } from "./corpus";

const corpus = buildCorpus();

function firstDifference(a: Buffer, b: Buffer): string {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++)
        if (a[i] !== b[i]) return `first difference at byte offset ${i}: 0x${a[i].toString(16)} became 0x${b[i].toString(16)}`;
    return `lengths differ: ${a.length} bytes became ${b.length}`;
}

describe("corpus of board configs built from C", () => {
    test("has at least 20 configs of at least 8 boards, x86 and ARM, systems and cells", () => {
        assert.ok(corpus.length >= 20, `${corpus.length} configs`);
        assert.ok(new Set(corpus.map((c) => c.board)).size >= 8);
        const kinds = new Set(corpus.map((c) => `${c.bytes[5]}:${c.bytes.subarray(0, 5).toString("latin1")}`));
        for (const kind of ["0:JHSYS", "0:JHCLL", "2:JHSYS", "2:JHCLL", "1:JHSYS"]) assert.ok(kinds.has(kind), `no ${kind} in the corpus`);
    });

    for (const { name, bytes } of corpus)
        test(`${name}: decode -> YAML -> compile gives the same ${bytes.length} bytes`, () => {
            assert.ok(encodeConfig(decodeConfig(bytes)).equals(bytes), "binary decode then encode changed the bytes");
            const yaml = toYaml(loadConfigBytes(bytes, `${name}.cell`));
            const again = encodeLoaded(loadConfigBytes(Buffer.from(yaml), `${name}.yaml`));
            assert.ok(again.equals(bytes), `${firstDifference(bytes, again)}\n${yaml}`);
        });

    const boards = [...new Set(corpus.map((c) => c.board))];
    for (const board of boards)
        test(`${board}: check finds no errors in the system with its cells`, () => {
            const loaded = corpus.filter((c) => c.board === board).map((c) => loadConfigBytes(c.bytes, `${c.name}.cell`));
            const system = loaded.find((l) => l.kind === "system");
            assert.ok(system, `board ${board} has no system config`);
            const cells = loaded.filter((l) => l.kind === "cell").map((l) => l.config as CellConfig);
            const errors = errorsOf(validateHost(system.config as SystemConfig, cells));
            assert.deepEqual(errors, []);
        });
});
