/* SPDX-License-Identifier: MIT */
/* Page pools: a bitmap allocator over a contiguous, identity-mapped range. */
#include <hv/errno.h>
#include <hv/lib.h>
#include <hv/paging.h>

struct page_pool mem_pool;
struct page_pool remap_pool;

int page_pool_init(struct page_pool *pool, u64 base, u64 pages)
{
	u64 bitmap_bytes = ALIGN_UP((pages + 7) / 8, 8);
	u64 bitmap_pages = ALIGN_UP(bitmap_bytes, HV_PAGE_SIZE) / HV_PAGE_SIZE;
	u64 n;

	if (pages <= bitmap_pages)
		return -ENOMEM;
	pool->base = base;
	pool->pages = pages;
	pool->used = 0;
	pool->bitmap = (u64 *)base;
	memset(pool->bitmap, 0, bitmap_pages * HV_PAGE_SIZE);
	/* The bitmap lives in the pool's first pages and counts as used. */
	for (n = 0; n < bitmap_pages; n++)
		pool->bitmap[n / 64] |= 1ULL << (n % 64);
	pool->used = bitmap_pages;
	return 0;
}

void *page_alloc(struct page_pool *pool)
{
	u64 n;

	for (n = 0; n < pool->pages; n++) {
		u64 *word = &pool->bitmap[n / 64];

		if (*word == ~0ULL) {
			n += 63;
			continue;
		}
		if (!(*word & (1ULL << (n % 64)))) {
			void *page = (void *)(pool->base + n * HV_PAGE_SIZE);

			*word |= 1ULL << (n % 64);
			pool->used++;
			memset(page, 0, HV_PAGE_SIZE);
			return page;
		}
	}
	return NULL;
}

void page_free(struct page_pool *pool, void *page)
{
	u64 n = ((u64)page - pool->base) / HV_PAGE_SIZE;

	if (n >= pool->pages || !(pool->bitmap[n / 64] & (1ULL << (n % 64))))
		return;
	pool->bitmap[n / 64] &= ~(1ULL << (n % 64));
	pool->used--;
}

static bool page_used(const struct page_pool *pool, u64 n)
{
	return pool->bitmap[n / 64] & (1ULL << (n % 64));
}

void *page_alloc_aligned(struct page_pool *pool, u64 count, u64 align)
{
	u64 first = 0, n;

	if (!count || !align)
		return NULL;
	while (first + count <= pool->pages) {
		/* The address, not the pool index, must be aligned. */
		u64 misaligned = (pool->base / HV_PAGE_SIZE + first) % align;

		if (misaligned) {
			first += align - misaligned;
			continue;
		}
		for (n = first; n < first + count && !page_used(pool, n); n++)
			;
		if (n < first + count) {
			first = n + 1;
			continue;
		}
		for (n = first; n < first + count; n++)
			pool->bitmap[n / 64] |= 1ULL << (n % 64);
		pool->used += count;
		memset((void *)(pool->base + first * HV_PAGE_SIZE), 0,
		       count * HV_PAGE_SIZE);
		return (void *)(pool->base + first * HV_PAGE_SIZE);
	}
	return NULL;
}

void *page_alloc_n(struct page_pool *pool, u64 count)
{
	return page_alloc_aligned(pool, count, 1);
}

void page_free_n(struct page_pool *pool, void *first, u64 count)
{
	u64 n;

	for (n = 0; n < count; n++)
		page_free(pool, (u8 *)first + n * HV_PAGE_SIZE);
}
