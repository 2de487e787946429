/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 translation tables, 4 KiB granule, shared by the EL2 stage-1
 * tables and the cells' stage-2 tables (the descriptor format is the same,
 * only the attribute bits differ).
 */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <hv/types.h>

#define PTE_VALID (1ULL << 0)
#define PTE_TYPE_TABLE (3ULL << 0)
#define PTE_TYPE_PAGE (3ULL << 0)
#define PTE_TYPE_BLOCK (1ULL << 0)
#define PTE_ADDR_MASK 0x0000fffffffff000ULL
#define PTE_SH_INNER (3ULL << 8)
#define PTE_AF (1ULL << 10)

/* Stage 1 (EL2 regime) */
#define S1_ATTR(idx) ((u64)(idx) << 2)
#define S1_XN (1ULL << 54)
#define S1_NORMAL (S1_ATTR(0) | PTE_SH_INNER | PTE_AF)
#define S1_DEVICE (S1_ATTR(1) | PTE_AF | S1_XN)

/* Stage 2 */
#define S2_MEMATTR_NORMAL (0xfULL << 2) /* outer/inner write-back */
#define S2_MEMATTR_DEVICE (0x1ULL << 2) /* Device-nGnRE */
#define S2_AP_READ (1ULL << 6)
#define S2_AP_WRITE (2ULL << 6)
#define S2_XN (2ULL << 53)

/*
 * A stage-2 walk may start at level 1 with several level-1 tables
 * concatenated into one root (physically contiguous, aligned to their
 * total size): the root then resolves more address bits than a single
 * table's nine.
 */
struct page_table {
	u64 *root;
	unsigned int start_level; /* 0 or 1 */
	unsigned int root_pages; /* 1, or the concatenated tables */
};

int pt_map(struct page_table *pt, u64 va, u64 pa, u64 size, u64 attrs);
/*
 * Remove [va, va + size): blocks that stick out are split, tables left empty
 * go back to the pool. The caller invalidates the TLBs.
 */
int pt_unmap(struct page_table *pt, u64 va, u64 size);
/* Stage 2 of this machine: the tables of a cell's root, a new empty root,
 * attributes of a config region, whether a region fits the address spaces
 * without wrapping. */
struct page_table s2_table(u64 *root);
u64 *s2_root_alloc(void);
u64 s2_attrs(u64 jailhouse_mem_flags);
struct jailhouse_memory;
bool region_fits(const struct jailhouse_memory *mem);
struct address_bits {
	unsigned int pa, ipa;
};
struct address_bits address_bits(void);

/* Free every table below the root and the root itself. */
void pt_destroy(struct page_table *pt);

#endif
