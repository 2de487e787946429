// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rewrites the /chosen node of a flattened device tree: the kernel command
 * line and where the initrd lies are only known when "cell linux" places the
 * files, so they are set here. The tree is copied token by token (format
 * from the devicetree specification); nothing else in it changes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt-chosen.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_HEADER_SIZE 40

struct buf {
	uint8_t *data;
	size_t len, cap;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static int grow(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return 0;
	b->cap = (b->len + more) * 2;
	b->data = realloc(b->data, b->cap);
	return b->data ? 0 : -1;
}

static int append(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n))
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static int append32(struct buf *b, uint32_t v)
{
	uint8_t w[4];

	put_be32(w, v);
	return append(b, w, 4);
}

static int pad4(struct buf *b)
{
	static const uint8_t zero[4];

	return append(b, zero, (4 - b->len % 4) % 4);
}

/* Offset of @name in the strings block, appended when missing. */
static uint32_t string_offset(struct buf *strings, const char *name)
{
	size_t n = strlen(name) + 1, off;

	for (off = 0; off + n <= strings->len; off++)
		if (!memcmp(strings->data + off, name, n) &&
		    (off == 0 || strings->data[off - 1] == 0))
			return off;
	off = strings->len;
	append(strings, name, n);
	return off;
}

static int put_prop(struct buf *st, struct buf *strings, const char *name,
		    const void *value, uint32_t len)
{
	if (append32(st, FDT_PROP) || append32(st, len) ||
	    append32(st, string_offset(strings, name)) ||
	    append(st, value, len))
		return -1;
	return pad4(st);
}

static int put_chosen_props(struct buf *st, struct buf *strings,
			    const struct chosen_edit *e)
{
	uint8_t cell[8];

	if (e->bootargs && put_prop(st, strings, "bootargs", e->bootargs,
				    strlen(e->bootargs) + 1))
		return -1;
	if (!e->has_initrd)
		return 0;
	put_be32(cell, e->initrd_start >> 32);
	put_be32(cell + 4, (uint32_t)e->initrd_start);
	if (put_prop(st, strings, "linux,initrd-start", cell, 8))
		return -1;
	put_be32(cell, e->initrd_end >> 32);
	put_be32(cell + 4, (uint32_t)e->initrd_end);
	return put_prop(st, strings, "linux,initrd-end", cell, 8);
}

/* Whether /chosen's property @name is replaced (or dropped) by the edit. */
static int replaced(const char *name, const struct chosen_edit *e)
{
	if (!strcmp(name, "bootargs"))
		return e->bootargs != NULL;
	/* Set from the initrd loaded now, or dropped: none is loaded. */
	return !strcmp(name, "linux,initrd-start") ||
	       !strcmp(name, "linux,initrd-end");
}

/* Where the blocks of the input tree are, from its header. */
struct fdt_in {
	const uint8_t *fdt;
	uint32_t off_struct, off_strings, off_rsv, size_struct, size_strings;
};

/* Nonzero, with a message in @err, when the header is not one we can use. */
static int read_header(struct fdt_in *in, const void *data, size_t in_size,
		       char *err, size_t err_len)
{
	const uint8_t *fdt = data;

	if (in_size < FDT_HEADER_SIZE || be32(fdt) != FDT_MAGIC) {
		snprintf(err, err_len,
			 "not a flattened device tree (magic "
			 "0x%08x, expected 0xd00dfeed)",
			 in_size >= 4 ? be32(fdt) : 0);
		return -1;
	}
	in->fdt = fdt;
	in->off_struct = be32(fdt + 8);
	in->off_strings = be32(fdt + 12);
	in->off_rsv = be32(fdt + 16);
	in->size_strings = be32(fdt + 32);
	in->size_struct = be32(fdt + 36);
	if (be32(fdt + 4) > in_size || in->off_struct > in_size ||
	    in->size_struct > in_size - in->off_struct ||
	    in->off_strings > in_size ||
	    in->size_strings > in_size - in->off_strings ||
	    in->off_rsv > in->off_struct || be32(fdt + 20) < 17) {
		snprintf(err, err_len,
			 "device tree header is inconsistent "
			 "or older than version 17 (truncated file?)");
		return -1;
	}
	return 0;
}

/* A /chosen node with the edit's properties, for a tree without one. */
static int append_chosen_node(struct buf *st, struct buf *strings,
			      const struct chosen_edit *e)
{
	if (append32(st, FDT_BEGIN_NODE) || append(st, "chosen", 7) ||
	    pad4(st) || put_chosen_props(st, strings, e) ||
	    append32(st, FDT_END_NODE))
		return -1;
	return 0;
}

/*
 * Copy the structure block token by token into @st, with /chosen's
 * properties replaced; the names of new properties go into @strings.
 * Returns 0, -1 when out of memory, or 1 when the block is malformed
 * (with a message in @err).
 */
static int copy_structure(const struct fdt_in *in, const struct chosen_edit *e,
			  struct buf *st, struct buf *strings, char *err,
			  size_t err_len)
{
	const uint8_t *fdt = in->fdt;
	size_t pos = in->off_struct, end = in->off_struct + in->size_struct;
	int depth = 0, in_chosen = 0, seen_chosen = 0;

	while (pos + 4 <= end) {
		uint32_t token = be32(fdt + pos);
		size_t start = pos;

		pos += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)fdt + pos;
			size_t n = strnlen(name, end - pos);

			pos += (n + 4) & ~3u;
			if (append(st, fdt + start, pos - start))
				return -1;
			depth++;
			if (depth == 2 && !strcmp(name, "chosen")) {
				in_chosen = seen_chosen = 1;
				if (put_chosen_props(st, strings, e))
					return -1;
			}
		} else if (token == FDT_END_NODE) {
			/* No /chosen: one is added at the end. */
			if (depth == 1 && !seen_chosen) {
				if (append_chosen_node(st, strings, e))
					return -1;
				seen_chosen = 1;
			}
			if (depth == 2)
				in_chosen = 0;
			depth--;
			if (append32(st, token))
				return -1;
		} else if (token == FDT_PROP) {
			uint32_t len, nameoff;

			if (pos + 8 > end)
				break;
			len = be32(fdt + pos);
			nameoff = be32(fdt + pos + 4);
			pos += 8 + ((len + 3) & ~3u);
			if (pos > end || nameoff >= in->size_strings)
				break;
			if (in_chosen && depth == 2 &&
			    replaced((const char *)fdt + in->off_strings +
					     nameoff,
				     e))
				continue;
			if (append(st, fdt + start, pos - start))
				return -1;
		} else if (token == FDT_NOP) {
			continue;
		} else {
			if (token == FDT_END && append32(st, token))
				return -1;
			break;
		}
	}
	if (!st->len || be32(st->data + st->len - 4) != FDT_END || depth) {
		snprintf(err, err_len,
			 "device tree structure block is "
			 "malformed at offset 0x%zx",
			 pos);
		return 1;
	}
	return 0;
}

/*
 * The output tree: the input's header with new offsets and sizes, its
 * reservation map as it was, then @st and @strings. NULL when out of memory.
 */
static void *assemble(const struct fdt_in *in, const struct buf *st,
		      const struct buf *strings, size_t *out_size)
{
	struct buf out = { 0 };
	uint8_t header[FDT_HEADER_SIZE];
	uint32_t off_struct, off_strings;

	memset(header, 0, sizeof(header));
	if (append(&out, header, sizeof(header)) ||
	    append(&out, in->fdt + in->off_rsv, in->off_struct - in->off_rsv))
		goto nomem;
	while (out.len % 8)
		if (append(&out, "", 1))
			goto nomem;
	off_struct = out.len;
	if (append(&out, st->data, st->len))
		goto nomem;
	off_strings = out.len;
	if (append(&out, strings->data, strings->len))
		goto nomem;
	memcpy(out.data, in->fdt, FDT_HEADER_SIZE);
	put_be32(out.data + 4, out.len);
	put_be32(out.data + 8, off_struct);
	put_be32(out.data + 12, off_strings);
	put_be32(out.data + 16, FDT_HEADER_SIZE);
	put_be32(out.data + 32, strings->len);
	put_be32(out.data + 36, st->len);
	*out_size = out.len;
	return out.data;

nomem:
	free(out.data);
	return NULL;
}

void *fdt_edit_chosen(const void *in, size_t in_size,
		      const struct chosen_edit *e, size_t *out_size, char *err,
		      size_t err_len)
{
	struct fdt_in fin;
	struct buf st = { 0 }, strings = { 0 };
	void *out = NULL;
	int res = -1;

	if (read_header(&fin, in, in_size, err, err_len))
		return NULL;
	if (!append(&strings, fin.fdt + fin.off_strings, fin.size_strings))
		res = copy_structure(&fin, e, &st, &strings, err, err_len);
	if (!res) {
		out = assemble(&fin, &st, &strings, out_size);
		if (!out)
			res = -1;
	}
	if (res < 0)
		snprintf(err, err_len, "out of memory");
	free(st.data);
	free(strings.data);
	return out;
}
