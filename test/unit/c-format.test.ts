// SPDX-License-Identifier: MIT
// The formatter the hypervisor's printk and the inmates' print share
// (hypervisor/core/include/hv/format.h), compiled for this machine with its C
// compiler and run: what the consoles say, and so what the tests read there,
// comes out of it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../examples/lab/tooling/workbench";

// Each case prints one line; no libc header: the formatter needs none.
const program = `
#include <hv/format.h>
int putchar(int c);
static void out(char c) { putchar(c); }
static void say(const char *fmt, ...)
{
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	format_va(out, fmt, ap);
	__builtin_va_end(ap);
	out('\\n');
}
static void wrap(const char *fmt, ...)
{
	struct va_format inner;
	__builtin_va_list ap;

	__builtin_va_start(ap, fmt);
	inner.fmt = fmt;
	inner.ap = &ap;
	say("Cell \\"%s\\": %pV: stopped", "demo", &inner);
	__builtin_va_end(ap);
}
int main(void)
{
	say("%s|%s|%c", "text", (const char *)0, 'x');
	say("%d|%i|%5d|%05u|%3d", -42, 7, -3, 42u, 1234);
	say("%x|%02x|%lx|%llu|%lu", 0xbeefu, 0x5u, 0xff00ffffffUL, 18446744073709551615ULL, 0UL);
	say("%ld|%lld", -9000000000L, -1LL);
	say("%p", (void *)0x1000);
	say("100%%|%q|end%");
	wrap("CPU %u refused %s", 3u, "CPU_ON");
	return 0;
}
`;

function compileAndRun(): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "format-"));
    try {
        fs.writeFileSync(path.join(dir, "t.c"), program);
        const include = `-I${path.join(repoRoot, "hypervisor/core/include")}`;
        const built = spawnSync(
            "cc",
            ["-std=gnu11", "-Wall", "-Wextra", "-Wno-format", include, "-o", path.join(dir, "t"), path.join(dir, "t.c")],
            {
                encoding: "utf8",
            },
        );
        assert.equal(built.status, 0, `cc failed: ${built.stderr}`);
        const ran = spawnSync(path.join(dir, "t"), { encoding: "utf8" });
        assert.equal(ran.status, 0, ran.stderr);
        return ran.stdout.split("\n");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

test("format_va prints each conversion, width, padding and %pV as printk and the inmates rely on", () => {
    const lines = compileAndRun();
    assert.equal(lines[0], "text|(null)|x");
    assert.equal(lines[1], "-42|7|   -3|00042|1234");
    assert.equal(lines[2], "beef|05|ff00ffffff|18446744073709551615|0");
    assert.equal(lines[3], "-9000000000|-1");
    assert.equal(lines[4], "0x1000");
    assert.equal(lines[5], "100%|%q|end");
    assert.equal(lines[6], 'Cell "demo": CPU 3 refused CPU_ON: stopped');
});
