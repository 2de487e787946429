/* SPDX-License-Identifier: MIT */
/* Hypervisor console: the ring the root reads plus the debug UART. */
#ifndef HV_PRINTK_H
#define HV_PRINTK_H

#include <hv/types.h>
#include <hv/format.h>
#include <jailhouse/console.h>

extern struct jailhouse_virt_console hv_console;

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_init(void);

#endif
