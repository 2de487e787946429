/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef FDT_CHOSEN_H
#define FDT_CHOSEN_H

#include <stddef.h>
#include <stdint.h>

/* What "cell linux" sets in /chosen. */
struct chosen_edit {
	const char *bootargs; /* NULL: keep the tree's own */
	int has_initrd; /* 0: any initrd properties are dropped */
	uint64_t initrd_start, initrd_end;
};

/*
 * A copy of the tree at @in with /chosen edited (created when missing);
 * NULL with a message in @err when @in is no valid tree.
 */
void *fdt_edit_chosen(const void *in, size_t in_size,
		      const struct chosen_edit *e, size_t *out_size, char *err,
		      size_t err_len);

#endif
