// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The command line: "key=value" words in a buffer at image base + 0x1000,
 * filled by `jailhouse cell load NAME -s "..." -a 0x1000`. Empty when nothing
 * was loaded there.
 */
#include "inmate.h"

static char cmdline_buffer[256] __attribute__((section(".cmdline"), used)) = "";

/*
 * Without a hypervisor to load it, a bare build reads the command line that
 * QEMU's generic loader put at a fixed RAM address outside the image.
 */
static const char *buffer(void)
{
#ifdef BARE_CMDLINE
	return (const char *)BARE_CMDLINE;
#else
	return cmdline_buffer;
#endif
}

const char *cmdline(void)
{
	return buffer();
}

/* The value of key=... as a pointer into the buffer, or NULL. */
static const char *find(const char *key)
{
	const char *p = buffer();

	while (*p) {
		const char *k = key;
		const char *word = p;

		while (*k && *p == *k) {
			k++;
			p++;
		}
		if (!*k && *p == '=')
			return p + 1;
		p = word;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

const char *cmdline_str(const char *key, const char *fallback)
{
	const char *value = find(key);

	return value ? value : fallback;
}

u64 cmdline_u64(const char *key, u64 fallback)
{
	const char *p = find(key);
	u64 value = 0, base = 10;

	if (!p)
		return fallback;
	if (p[0] == '0' && p[1] == 'x') {
		base = 16;
		p += 2;
	}
	for (;; p++) {
		u64 digit;

		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = *p - 'a' + 10;
		else
			break;
		value = value * base + digit;
	}
	return value;
}
