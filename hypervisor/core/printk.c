/* SPDX-License-Identifier: MIT */
/*
 * printk: formatted output (hv/format.h) to the console ring (read by the
 * root through sysfs / "jailhouse console") and to the debug UART.
 */
#include <hv/arch.h>
#include <hv/printk.h>
#include <hv/layout.h>
#include <hv/spinlock.h>
#include <hv/types.h>

struct jailhouse_virt_console hv_console
	__attribute__((section(".console"), aligned(HV_PAGE_SIZE)));

static spinlock_t printk_lock;

static void ring_putc(char c)
{
	u32 tail = hv_console.tail;

	hv_console.content[tail % JAILHOUSE_VIRT_CONSOLE_SIZE] = c;
	__atomic_store_n(&hv_console.tail, tail + 1, __ATOMIC_RELEASE);
}

static void out(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
	ring_putc(c);
}

void printk(const char *fmt, ...)
{
	__builtin_va_list ap;

	spin_lock(&printk_lock);
	__atomic_store_n(&hv_console.busy, 1, __ATOMIC_RELAXED);
	asm volatile("dmb ishst" ::: "memory");
	__builtin_va_start(ap, fmt);
	format_va(out, fmt, ap);
	__builtin_va_end(ap);
	asm volatile("dmb ishst" ::: "memory");
	__atomic_store_n(&hv_console.busy, 0, __ATOMIC_RELEASE);
	spin_unlock(&printk_lock);
}

void console_init(void)
{
	arch_console_init();
}
