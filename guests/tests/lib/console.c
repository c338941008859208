/*
 * A small printf over the hypervisor's console (console_io CONSOLEIO_write, ABI map
 * 5.12). Real domUs print through the console ring; Xen allows console_io only to
 * privileged domains, but pvplay allows it to every domain so that test kernels can
 * report before (and without) any ring driver. Output is gathered into a line
 * buffer and written at each newline, when the buffer fills, and at the end of a call.
 */
#include "test.h"

static char buf[256];
static int used;

void console_write(const char *s, int len)
{
	HYPERVISOR_console_io(CONSOLEIO_write, len, s);
}

static void flush(void)
{
	if (used)
		console_write(buf, used);
	used = 0;
}

static void put(char c)
{
	buf[used++] = c;
	if (c == '\n' || used == (int)sizeof(buf))
		flush();
}

/* Print v in base (10 or 16), at least width digits, padded with pad. */
static void putnum(unsigned long v, unsigned base, int width, char pad)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		put(pad);
	while (n)
		put(digits[--n]);
}

int vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		char pad = ' ';
		int width = 0;
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;
			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			while (width-- > len)
				put(' ');
			while (*s)
				put(*s++);
			break;
		}
		case 'd': {
			long v = va_arg(ap, int);
			if (v < 0) {
				put('-');
				v = -v;
				width--;
			}
			putnum((unsigned long)v, 10, width, pad);
			break;
		}
		case 'u':
			putnum(va_arg(ap, unsigned int), 10, width, pad);
			break;
		case 'x':
			putnum(va_arg(ap, unsigned int), 16, width, pad);
			break;
		case 'p':
			put('0');
			put('x');
			putnum((unsigned long)va_arg(ap, void *), 16, 8, '0');
			break;
		case 'c':
			put((char)va_arg(ap, int));
			break;
		case '%':
			put('%');
			break;
		case '\0':
			fmt--;	/* a lone '%' at the end: stop at the NUL */
			break;
		default:
			put('%');
			put(*fmt);
			break;
		}
	}
	flush();
	return 0;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 0;
}
