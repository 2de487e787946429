// SPDX-License-Identifier: MIT
// The placement rule `jailhouse-config dtb` and `jailhouse cell linux` share.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { linuxBootLayout } from "../../../provider/src/config/linux/boot-layout";
import { cellRam } from "../../../provider/src/config/linux/ram";
import { loadConfigFile } from "../../../provider/src/config/load";
import { repoRoot } from "../../../examples/lab/tooling/workbench";

const MiB = 0x100000n;

test("the lab's linux cell: kernel at the RAM start, DTB in the last 2 MiB, initrd right below it", () => {
    const loaded = loadConfigFile(path.join(repoRoot, "examples/lab/linux.yaml"));
    assert.equal(loaded.kind, "cell");
    const ram = cellRam(loaded.config as Extract<typeof loaded, { kind: "cell" }>["config"]);
    assert.deepEqual(
        ram.map((r) => [r.start, r.size, r.loadable]),
        [[0x74000000n, 128n * MiB, true]],
    );
    const layout = linuxBootLayout(ram[0], 0x12345n);
    assert.equal(layout.kernel, 0x74000000n);
    assert.equal(layout.dtb, 0x7be00000n);
    assert.deepEqual(layout.initrd, { start: 0x7bded000n, end: 0x7bded000n + 0x12345n });
    assert.equal(layout.kernelLimit, 0x7bded000n);
    assert.equal(linuxBootLayout(ram[0]).kernelLimit, 0x7be00000n);
});

test("a RAM end off the 2 MiB grid leaves the DTB in the last whole block", () => {
    assert.equal(linuxBootLayout({ start: 0x80000000n, size: 64n * MiB + 0x1000n }).dtb, 0x83e00000n);
});

test("a misaligned or too small region is refused with the fix", () => {
    assert.throws(() => linuxBootLayout({ start: 0x74100000n, size: 64n * MiB }), /not on a 2 MiB boundary.*multiple of 0x200000/);
    assert.throws(() => linuxBootLayout({ start: 0x74000000n, size: 2n * MiB }), /holds no kernel.*more RAM/);
});
