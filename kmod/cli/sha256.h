/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* SHA-256 (FIPS 180-4) of a file, for the state reader's file identities. */
#ifndef JH_TOOLS_SHA256_H
#define JH_TOOLS_SHA256_H

#include <stdint.h>
#include <stddef.h>

struct sha256 {
	uint32_t h[8];
	uint64_t length;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_hex(struct sha256 *s, char out[65]);

/* Hex digest of the file at path into out; -1 with errno set on failure. */
int sha256_file(const char *path, char out[65]);

#endif
