/* The user library: strings, a line reader, and printf over write(1). */
#include <stdarg.h>
#include "user.h"

int strlen(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

char *strcpy(char *d, const char *s)
{
	char *r = d;

	while ((*d++ = *s++))
		;
	return r;
}

void *memset(void *d, int c, uint32_t n)
{
	char *p = d;

	while (n--)
		*p++ = (char)c;
	return d;
}

void *memcpy(void *d, const void *s, uint32_t n)
{
	char *p = d;
	const char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int atoi(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + *s++ - '0';
	return n;
}

/* Read one line (without its newline) into buf; 0 at end of input. */
char *gets(char *buf, int max)
{
	int i = 0;

	while (i + 1 < max) {
		char c;
		if (read(0, &c, 1) < 1)
			break;
		if (c == '\n' || c == '\r')
			break;
		buf[i++] = c;
	}
	buf[i] = 0;
	return buf;
}

static char out[256];
static int used;

static void put(char c)
{
	out[used++] = c;
	if (used == (int)sizeof(out)) {
		write(1, out, used);
		used = 0;
	}
}

static void putnum(uint32_t v, int base, int width, char pad)
{
	char d[12];
	int n = 0;

	do {
		d[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		put(pad);
	while (n)
		put(d[--n]);
}

/* printf with %d %u %x %s %c, a width and the '0' flag. */
void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt);
			continue;
		}
		char pad = ' ';
		int width = 0;
		if (*++fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				put('-');
				v = -v;
			}
			putnum(v, 10, width, pad);
			break;
		}
		case 'u': putnum(va_arg(ap, uint32_t), 10, width, pad); break;
		case 'x': putnum(va_arg(ap, uint32_t), 16, width, pad); break;
		case 'c': put((char)va_arg(ap, int)); break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = strlen(s);
			while (width-- > len)
				put(' ');
			while (*s)
				put(*s++);
			break;
		}
		default: put(*fmt); break;
		}
	}
	va_end(ap);
	if (used)
		write(1, out, used);
	used = 0;
}

/* The name of a negative Xen errno a system call returned. */
const char *errstr(int rc)
{
	static const struct { int e; const char *name; } names[] = {
		{ 1, "EPERM" }, { 2, "ENOENT" }, { 4, "EINTR (Enter pressed)" }, { 5, "EIO" }, { 7, "E2BIG" },
		{ 11, "EAGAIN" }, { 12, "ENOMEM" }, { 13, "EACCES" }, { 14, "EFAULT" }, { 16, "EBUSY" },
		{ 17, "EEXIST" }, { 21, "EISDIR" }, { 22, "EINVAL" }, { 28, "ENOSPC" }, { 30, "EROFS" },
		{ 38, "ENOSYS" }, { 39, "ENOTEMPTY" }, { 106, "EISCONN" }, { 107, "ENOTCONN" },
		{ 110, "ETIMEDOUT" },
	};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == -rc)
			return names[i].name;
	return "error";
}

/* The name of a grant-table status (GNTST_*). */
const char *gntst(int status)
{
	static const char *const names[] = {
		"okay", "general_error", "bad_domain", "bad_gntref", "bad_handle", "bad_virt_addr",
		"bad_dev_addr", "no_device_space", "permission_denied", "bad_page", "bad_copy_arg",
		"address_too_big", "eagain", "no_space",
	};
	return status <= 0 && status > -14 ? names[-status] : "?";
}
