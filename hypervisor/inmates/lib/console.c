// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Console output: a PL011 UART by MMIO (the lab's 0x09000000 by default,
 * "con-base=" overrides), or the hypervisor's debug console through the
 * Jailhouse putc hypercall with "con=hvc", which is how a cell's output
 * reaches the root without a UART of its own.
 */
#include <stdarg.h>
#include "inmate.h"

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

static void print_unsigned(u64 value, unsigned int base, int width, char pad)
{
	char digits[24];
	int count = 0;

	do {
		digits[count++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	while (width-- > count)
		console_putc(pad);
	while (count)
		console_putc(digits[--count]);
}

/* Enough of printf for the demos: %s %c %d %u %x %lu %ld %lx, width and 0. */
void print(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	for (; *fmt; fmt++) {
		int width = 0, is_long = 0;
		char pad = ' ';

		if (*fmt != '%') {
			console_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == 'l') {
			is_long = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(args, const char *);

			while (*s)
				console_putc(*s++);
			break;
		}
		case 'c':
			console_putc((char)va_arg(args, int));
			break;
		case 'd': {
			s64 v = is_long ? va_arg(args, s64) : va_arg(args, int);

			if (v < 0) {
				console_putc('-');
				v = -v;
			}
			print_unsigned((u64)v, 10, width, pad);
			break;
		}
		case 'u':
			print_unsigned(is_long ? va_arg(args, u64)
					       : va_arg(args, unsigned int),
				       10, width, pad);
			break;
		case 'x':
			print_unsigned(is_long ? va_arg(args, u64)
					       : va_arg(args, unsigned int),
				       16, width, pad);
			break;
		default:
			console_putc('%');
			console_putc(*fmt);
		}
	}
	va_end(args);
}

void report_exception(u64 kind, u64 esr, u64 elr, u64 far)
{
	print("inmate: unexpected exception %lu, ESR 0x%lx at 0x%lx, FAR 0x%lx\n",
	      kind, esr, elr, far);
}
