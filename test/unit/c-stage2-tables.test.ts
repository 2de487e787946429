// SPDX-License-Identifier: MIT
// The hypervisor's page pool and table walker (core/paging.c,
// arch/arm64/paging.c), built for arm64 with the cross compiler and run
// under qemu-user: a stage 2 that starts at level 1 from two concatenated
// tables (a 40-bit IPA space) must put the upper 512 GiB in the second
// table, not wrap them onto the first, and give every page back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runHypervisorC } from "../support/hypervisor-c";

const program = `
#include <hv/paging.h>
#include <asm/paging.h>
int printf(const char *, ...);

#define POOL_PAGES 64
static u8 pool_memory[POOL_PAGES * HV_PAGE_SIZE] __attribute__((aligned(HV_PAGE_SIZE)));

/* The table entry that maps @va, walking from a root as the MMU does. */
static u64 lookup(const struct page_table *pt, u64 va)
{
	const u64 *table = pt->root;
	unsigned int level = pt->start_level;

	for (;; level++) {
		unsigned int shift = 39 - 9 * level;
		unsigned int entries = level == pt->start_level ? 512 * pt->root_pages : 512;
		u64 entry = table[(va >> shift) & (entries - 1)];

		if (level == 3 || (entry & 3) != PTE_TYPE_TABLE)
			return entry;
		table = (const u64 *)(entry & PTE_ADDR_MASK);
	}
}

int main(void)
{
	struct page_table s2;
	u64 *single, *root, baseline, before_root;
	int err;

	if (page_pool_init(&mem_pool, (u64)pool_memory, POOL_PAGES))
		return 1;
	/* One page taken first, so that the next free page may sit at an odd index. */
	single = page_alloc(&mem_pool);
	before_root = mem_pool.used;
	root = page_alloc_aligned(&mem_pool, 2, 2);
	printf("root aligned to 8 KiB: %d\\n", root && !((u64)root & 0x1fff));
	printf("root pages free before: %d\\n", root != single && root + 512 != single);
	printf("no pages asked, none given: %d\\n", page_alloc_n(&mem_pool, 0) == NULL);
	baseline = mem_pool.used;

	s2.root = root;
	s2.start_level = 1;
	s2.root_pages = 2;
	err = pt_map(&s2, 0x40000000ULL, 0x80000000ULL, 0x200000, PTE_AF);
	err |= pt_map(&s2, 0x8040000000ULL, 0x90000000ULL, 0x1000, PTE_AF);
	printf("mapped: %d\\n", err);
	printf("below 512 GiB: %llx\\n", lookup(&s2, 0x40001000ULL) & PTE_ADDR_MASK);
	printf("above 512 GiB: %llx\\n", lookup(&s2, 0x8040000000ULL) & PTE_ADDR_MASK);
	printf("second table at 1 GiB: %llx\\n", root[512 + 1] & PTE_VALID);
	printf("first table untouched by the upper mapping: %d\\n", lookup(&s2, 0x40000000ULL) == (0x80000000ULL | PTE_AF | PTE_TYPE_BLOCK) ? 0 : 1);

	err = pt_unmap(&s2, 0x8040000000ULL, 0x1000);
	printf("unmapped: %d, gone: %d, lower kept: %d\\n", err, !(lookup(&s2, 0x8040000000ULL) & PTE_VALID),
	       !!(lookup(&s2, 0x40001000ULL) & PTE_VALID));
	printf("tables held for the lower mapping after unmap: %llu\\n", mem_pool.used - baseline);
	pt_destroy(&s2);
	printf("pages held after destroy: %llu\\n", mem_pool.used - before_root);
	return 0;
}
`;

test("a level-1 stage 2 from two concatenated tables maps both halves of a 40-bit IPA space apart and frees every page", () => {
    assert.deepEqual(
        runHypervisorC(program, { arm64: true, sources: ["hypervisor/core/paging.c", "hypervisor/arch/arm64/paging.c"] })
            .trim()
            .split("\n"),
        [
            "root aligned to 8 KiB: 1",
            "root pages free before: 1",
            "no pages asked, none given: 1",
            "mapped: 0",
            "below 512 GiB: 80000000",
            "above 512 GiB: 90000000",
            "second table at 1 GiB: 1",
            "first table untouched by the upper mapping: 0",
            "unmapped: 0, gone: 1, lower kept: 1",
            "tables held for the lower mapping after unmap: 1",
            "pages held after destroy: 0",
        ],
    );
});
