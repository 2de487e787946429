/* SPDX-License-Identifier: MIT */
/* Page pool: the hypervisor's only allocator, one page at a time. */
#ifndef HV_PAGING_H
#define HV_PAGING_H

#include <hv/types.h>
#include <hv/layout.h>

struct page_pool {
	u64 base; /* physical == virtual */
	u64 pages;
	u64 used;
	u64 *bitmap;
};

extern struct page_pool mem_pool;

/* The "remap pool" counts device pages mapped into the EL2 address space
 * (UART, GIC), against a fixed budget. */
extern struct page_pool remap_pool;

int page_pool_init(struct page_pool *pool, u64 base, u64 pages);
void *page_alloc(struct page_pool *pool);
void page_free(struct page_pool *pool, void *page);
/* @count physically contiguous pages (cell configurations need that). */
void *page_alloc_n(struct page_pool *pool, u64 count);
/* ... whose first address is a multiple of @align pages. */
void *page_alloc_aligned(struct page_pool *pool, u64 count, u64 align);
void page_free_n(struct page_pool *pool, void *first, u64 count);

#endif
