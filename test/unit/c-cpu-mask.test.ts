// SPDX-License-Identifier: MIT
// The hypervisor's CPU-mask helpers (hv/cpu-mask.h, cell_cpu_mask in
// hv/config.h), compiled for this machine with its C compiler and run: every
// per-CPU loop of the hypervisor walks its mask with them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runHypervisorC } from "../support/hypervisor-c";

// No libc header: the hypervisor's own types.h defines bool, size_t and NULL.
const program = `
#include <hv/cpu-mask.h>
#include <hv/config.h>
int printf(const char *, ...);
struct jailhouse_system *system_config;

static void list(const char *what, u64 mask)
{
	unsigned int n;

	printf("%s:", what);
	for_each_cpu (n, mask)
		printf(" %u", n);
	printf("\\n");
}

int main(void)
{
	struct {
		struct jailhouse_cell_desc desc;
		u8 set[2];
	} cell = { .desc = { .cpu_set_size = 2 }, .set = { 0x06, 0x80 } };

	list("empty", 0);
	list("sparse", BIT(0) | BIT(5) | BIT(63));
	list("full", ~0ULL);
	printf("next from 3 in {7}: %u\\n", next_cpu(BIT(7), 3));
	printf("next past the last CPU: %u\\n", next_cpu(~0ULL, 64));
	printf("cell set 06 80: %llx\\n", cell_cpu_mask(&cell.desc));
	return 0;
}
`;

test("for_each_cpu visits exactly the CPUs of a mask, lowest first, up to CPU 63, and cell_cpu_mask reads a CPU set", () => {
    const lines = runHypervisorC(program).split("\n");
    assert.equal(lines[0], "empty:");
    assert.equal(lines[1], "sparse: 0 5 63");
    assert.equal(lines[2], `full: ${Array.from({ length: 64 }, (_, n) => n).join(" ")}`);
    assert.equal(lines[3], "next from 3 in {7}: 7");
    assert.equal(lines[4], "next past the last CPU: 64");
    assert.equal(lines[5], "cell set 06 80: 8006");
});
