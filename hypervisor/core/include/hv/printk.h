/* SPDX-License-Identifier: MIT */
/* Hypervisor console: the ring the root reads plus the debug UART. */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <hv/types.h>
#include <jailhouse/console.h>

extern struct jailhouse_virt_console hv_console;

/* What "%pV" prints: a message with its own format, inside another. */
struct va_format {
	const char *fmt;
	__builtin_va_list *ap;
};

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_init(void);

#endif
