/* SPDX-License-Identifier: MIT */
/* Table walker for building mappings; allocates from the page pool. */
#include <asm/paging.h>
#include <hv/errno.h>
#include <hv/paging.h>

static unsigned int level_shift(unsigned int level)
{
	return 39 - 9 * level;
}

/* Replace a block entry by a table of the next level with equal content. */
static u64 *split_block(u64 *entry, unsigned int level)
{
	u64 *table = page_alloc(&mem_pool);
	u64 old = *entry, step = 1ULL << level_shift(level + 1);
	u64 base = old & PTE_ADDR_MASK, attrs = old & ~PTE_ADDR_MASK & ~3ULL;
	unsigned int n;

	if (!table)
		return NULL;
	for (n = 0; n < 512; n++)
		table[n] = (base + n * step) | attrs |
			   (level + 1 == 3 ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
	asm volatile("dsb ishst" ::: "memory");
	*entry = (u64)table | PTE_TYPE_TABLE;
	return table;
}

/* Entries of the table a walk enters at @level: the root has them all. */
static unsigned int table_entries(const struct page_table *pt,
				  unsigned int level)
{
	return level == pt->start_level ? 512 * pt->root_pages : 512;
}

int pt_map(struct page_table *pt, u64 va, u64 pa, u64 size, u64 attrs)
{
	if ((va | pa | size) & HV_PAGE_OFFSET_MASK)
		return -EINVAL;

	while (size) {
		u64 *table = pt->root;
		unsigned int level = pt->start_level;

		for (;;) {
			unsigned int shift = level_shift(level);
			u64 block = 1ULL << shift;
			u64 *entry = &table[(va >> shift) &
					    (table_entries(pt, level) - 1)];

			if (level == 3) {
				*entry = pa | attrs | PTE_TYPE_PAGE;
				va += block;
				pa += block;
				size -= block;
				break;
			}
			if (level >= 1 && !((va | pa) & (block - 1)) &&
			    size >= block && (*entry & 3) != PTE_TYPE_TABLE) {
				*entry = pa | attrs | PTE_TYPE_BLOCK;
				va += block;
				pa += block;
				size -= block;
				break;
			}
			if (!(*entry & PTE_VALID)) {
				u64 *next = page_alloc(&mem_pool);

				if (!next)
					return -ENOMEM;
				*entry = (u64)next | PTE_TYPE_TABLE;
				table = next;
			} else if ((*entry & 3) == PTE_TYPE_BLOCK) {
				table = split_block(entry, level);
				if (!table)
					return -ENOMEM;
			} else {
				table = (u64 *)(*entry & PTE_ADDR_MASK);
			}
			level++;
		}
	}
	asm volatile("dsb ishst" ::: "memory");
	return 0;
}

static bool table_empty(const u64 *table)
{
	unsigned int n;

	for (n = 0; n < 512; n++)
		if (table[n] & PTE_VALID)
			return false;
	return true;
}

static void free_tables(u64 *table, unsigned int level, unsigned int entries)
{
	unsigned int n;

	if (level < 3)
		for (n = 0; n < entries; n++)
			if ((table[n] & 3) == PTE_TYPE_TABLE)
				free_tables((u64 *)(table[n] & PTE_ADDR_MASK),
					    level + 1, 512);
	page_free_n(&mem_pool, table, entries / 512);
}

static int unmap_level(u64 *table, unsigned int level, unsigned int entries,
		       u64 va, u64 end)
{
	unsigned int shift = level_shift(level);
	u64 block = 1ULL << shift;

	while (va < end) {
		u64 *entry = &table[(va >> shift) & (entries - 1)];
		u64 start = ALIGN_DOWN(va, block), next = start + block;
		u64 stop = next < end ? next : end;
		u64 *sub;
		int err;

		if (!(*entry & PTE_VALID)) {
			va = stop;
			continue;
		}
		if (va == start && stop == next) {
			/* Entirely covered: drop it with whatever is below. */
			if (level < 3 && (*entry & 3) == PTE_TYPE_TABLE)
				sub = (u64 *)(*entry & PTE_ADDR_MASK);
			else
				sub = NULL;
			*entry = 0;
			if (sub)
				free_tables(sub, level + 1, 512);
			va = stop;
			continue;
		}
		if ((*entry & 3) == PTE_TYPE_BLOCK) {
			sub = split_block(entry, level);
			if (!sub)
				return -ENOMEM;
		} else {
			sub = (u64 *)(*entry & PTE_ADDR_MASK);
		}
		err = unmap_level(sub, level + 1, 512, va, stop);
		if (err)
			return err;
		if (table_empty(sub)) {
			*entry = 0;
			page_free(&mem_pool, sub);
		}
		va = stop;
	}
	return 0;
}

int pt_unmap(struct page_table *pt, u64 va, u64 size)
{
	int err;

	if ((va | size) & HV_PAGE_OFFSET_MASK)
		return -EINVAL;
	err = unmap_level(pt->root, pt->start_level,
			  table_entries(pt, pt->start_level), va, va + size);
	asm volatile("dsb ishst" ::: "memory");
	return err;
}

void pt_destroy(struct page_table *pt)
{
	if (pt->root)
		free_tables(pt->root, pt->start_level,
			    table_entries(pt, pt->start_level));
	pt->root = NULL;
}
