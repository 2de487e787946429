/* SPDX-License-Identifier: MIT */
/*
 * printk: a small formatter writing to the console ring (read by the root
 * through sysfs / "jailhouse console") and to the debug UART.
 * Formats: %s %c %d %i %u %x %p %%, with l/ll, zero padding and width, and
 * %pV (a struct va_format), so a caller can wrap its caller's message.
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

static void out_num(unsigned long long v, unsigned int base, bool neg,
		    int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		unsigned int d = v % base;

		buf[n++] = d < 10 ? '0' + d : 'a' + d - 10;
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		out(pad);
	while (n--)
		out(buf[n]);
}

static void vprintk(const char *fmt, __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;
		char pad = ' ';
		unsigned long long v;
		const char *s;

		if (*fmt != '%') {
			out(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			s = __builtin_va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			while (*s)
				out(*s++);
			break;
		case 'c':
			out((char)__builtin_va_arg(ap, int));
			break;
		case 'd':
		case 'i': {
			long long sv = longs ? __builtin_va_arg(ap, long long)
					     : __builtin_va_arg(ap, int);
			bool neg = sv < 0;

			out_num(neg ? -(unsigned long long)sv
				    : (unsigned long long)sv,
				10, neg, width, pad);
			break;
		}
		case 'u':
		case 'x':
			v = longs ? __builtin_va_arg(ap, unsigned long long)
				  : __builtin_va_arg(ap, unsigned int);
			out_num(v, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		case 'p':
			if (fmt[1] == 'V') {
				struct va_format *vf = __builtin_va_arg(
					ap, struct va_format *);
				__builtin_va_list inner;

				fmt++;
				__builtin_va_copy(inner, *vf->ap);
				vprintk(vf->fmt, inner);
				__builtin_va_end(inner);
				break;
			}
			out('0');
			out('x');
			out_num((unsigned long)__builtin_va_arg(ap, void *), 16,
				false, width, pad);
			break;
		case '%':
			out('%');
			break;
		case '\0':
			return;
		default:
			out('%');
			out(*fmt);
		}
	}
}

void printk(const char *fmt, ...)
{
	__builtin_va_list ap;

	spin_lock(&printk_lock);
	__atomic_store_n(&hv_console.busy, 1, __ATOMIC_RELAXED);
	asm volatile("dmb ishst" ::: "memory");
	__builtin_va_start(ap, fmt);
	vprintk(fmt, ap);
	__builtin_va_end(ap);
	asm volatile("dmb ishst" ::: "memory");
	__atomic_store_n(&hv_console.busy, 0, __ATOMIC_RELEASE);
	spin_unlock(&printk_lock);
}

void console_init(void)
{
	arch_console_init();
}
