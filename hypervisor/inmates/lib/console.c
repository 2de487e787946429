// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Console output: a PL011 UART by MMIO (the lab's 0x09000000 by default,
 * "con-base=" overrides), or the hypervisor's debug console through the
 * Jailhouse putc hypercall with "con=hvc", which is how a cell's output
 * reaches the root without a UART of its own.
 */
#include <stdarg.h>
#include "inmate.h"
#include <hv/format.h>

#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1 << 5)

static u64 uart_base;
static int use_hypercall;

void console_init(void)
{
	const char *kind = cmdline_str("con", "uart");

	use_hypercall = kind[0] == 'h';
	uart_base = cmdline_u64("con-base", 0x09000000);
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc('\r');
	if (use_hypercall) {
		hypercall1(HYPERCALL_DEBUG_CONSOLE_PUTC, (u8)c);
		return;
	}
	while (mmio_read32(uart_base + PL011_FR) & PL011_FR_TXFF)
		;
	mmio_write32(uart_base + PL011_DR, (u8)c);
}

/* The hypervisor's formatter (hv/format.h), to this console. */
void print(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	format_va(console_putc, fmt, args);
	va_end(args);
}

void report_exception(u64 kind, u64 esr, u64 elr, u64 far)
{
	print("inmate: unexpected exception %lu, ESR 0x%lx at 0x%lx, FAR 0x%lx\n",
	      kind, esr, elr, far);
}
