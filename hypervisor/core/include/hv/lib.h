/* SPDX-License-Identifier: MIT */
#ifndef HV_LIB_H
#define HV_LIB_H

#include <hv/types.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
