/* SPDX-License-Identifier: MIT */
/*
 * The printf-like formatter behind the hypervisor's printk and the inmates'
 * print. Both images build it from this header with their own output
 * function, so it uses compiler built-in types only.
 * Formats: %s %c %d %i %u %x %p %%, with l/ll, a width and zero padding,
 * and %pV (a struct va_format), so a caller can wrap its caller's message.
 */
#ifndef HV_FORMAT_H
#define HV_FORMAT_H

/* What "%pV" prints: a message with its own format, inside another. */
struct va_format {
	const char *fmt;
	__builtin_va_list *ap;
};

typedef void (*format_out_t)(char c);

static inline void format_number(format_out_t out, unsigned long long v,
				 unsigned int base, _Bool neg, int width,
				 char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		out(pad);
	while (n--)
		out(buf[n]);
}

static inline void format_string(format_out_t out, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		out(*s++);
}

static inline void format_va(format_out_t out, const char *fmt,
			     __builtin_va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		for (; *fmt == 'l'; fmt++)
			longs++;
		switch (*fmt) {
		case 's':
			format_string(out, __builtin_va_arg(ap, const char *));
			break;
		case 'c':
			out((char)__builtin_va_arg(ap, int));
			break;
		case 'd':
		case 'i': {
			long long v = longs ? __builtin_va_arg(ap, long long)
					    : __builtin_va_arg(ap, int);

			format_number(out,
				      v < 0 ? -(unsigned long long)v
					    : (unsigned long long)v,
				      10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
			format_number(
				out,
				longs ? __builtin_va_arg(ap, unsigned long long)
				      : __builtin_va_arg(ap, unsigned int),
				*fmt == 'u' ? 10 : 16, 0, width, pad);
			break;
		case 'p':
			if (fmt[1] == 'V') {
				struct va_format *vf = __builtin_va_arg(
					ap, struct va_format *);
				__builtin_va_list inner;

				fmt++;
				__builtin_va_copy(inner, *vf->ap);
				format_va(out, vf->fmt, inner);
				__builtin_va_end(inner);
				break;
			}
			out('0');
			out('x');
			format_number(
				out,
				(unsigned long)__builtin_va_arg(ap, void *), 16,
				0, width, pad);
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

#endif
