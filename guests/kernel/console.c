/*
 * The console: printf for the kernel, a line discipline for input (echo,
 * backspace, ^U, ^C), and read/write for processes. Bytes go out through the
 * hvc0 ring once it is up, through console_io before that.
 */
#include <stdarg.h>
#include "defs.h"

#define INPUT_BUF 256

static struct {
	char buf[INPUT_BUF];
	uint32_t r, w, e;	/* read, written (complete lines), edit */
} input;

/* Write n bytes, turning \n into \r\n as a terminal expects. */
void console_write(const char *s, int n)
{
	char out[128];
	int k = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] == '\n')
			out[k++] = '\r';
		out[k++] = s[i];
		if (k >= (int)sizeof(out) - 2 || i == n - 1) {
			if (hvc_ready)
				hvc_write(out, k);
			else
				earlycon_write(out, k);
			k = 0;
		}
	}
}

/* Echo a string back to the terminal. */
static void echo(const char *s)
{
	console_write(s, strlen(s));
}

/* One typed character, from the console port's handler (events masked). */
void console_intr(int c)
{
	switch (c) {
	case 0x15:	/* ^U: erase the line */
		while (input.e != input.w) {
			input.e--;
			echo("\b \b");
		}
		return;
	case 0x7f:
	case '\b':
		if (input.e != input.w) {
			input.e--;
			echo("\b \b");
		}
		return;
	case 0x03:	/* ^C: abandon the line */
		input.e = input.w;
		echo("^C\n");
		c = '\n';
		break;
	case '\r':
		c = '\n';
		break;
	}
	if (c != '\n' && (c < 0x20 || c > 0x7e))
		return;
	if (input.e - input.r >= INPUT_BUF - 1 && c != '\n')
		return;
	input.buf[input.e++ % INPUT_BUF] = c;
	char ch = (char)c;
	console_write(&ch, 1);
	if (c == '\n') {
		input.w = input.e;
		wakeup(&input.r);
		wakeup_waiters();	/* Enter ends a wait_for() */
	}
}

/* Is a whole line waiting to be read? */
int console_line_ready(void)
{
	return input.w != input.r;
}

/* Read up to n bytes of one line into dst; sleep until a line is complete. */
int console_read(char *dst, int n)
{
	int was = irq_save(), got = 0;

	while (input.r == input.w) {
		if (cur->killed) {
			irq_restore(was);
			return -1;
		}
		sleep(&input.r);
	}
	while (got < n && input.r != input.w) {
		char c = input.buf[input.r++ % INPUT_BUF];
		dst[got++] = c;
		if (c == '\n')
			break;
	}
	irq_restore(was);
	return got;
}

/* Emit v in base, at least width digits, padded with pad. */
static void putnum(void (*put)(char), uint32_t v, int base, int width, char pad)
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

static char pbuf[256];
static int plen;

/* Write out what printf has gathered. */
static void pflush(void)
{
	console_write(pbuf, plen);
	plen = 0;
}

/* Add one character to printf's buffer. */
static void pput(char c)
{
	pbuf[plen++] = c;
	if (plen == (int)sizeof(pbuf))
		pflush();
}

/* printf with %d %u %x %s %c %p, widths, '0' and '-' flags. */
void vprintf(const char *fmt, va_list ap)
{
	int was = irq_save();

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			pput(*fmt);
			continue;
		}
		char pad = ' ';
		int width = 0, left = 0;
		fmt++;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		switch (*fmt) {
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0) {
				pput('-');
				v = -v;
				width--;
			}
			putnum(pput, v, 10, width, pad);
			break;
		}
		case 'u':
			putnum(pput, va_arg(ap, uint32_t), 10, width, pad);
			break;
		case 'x':
			putnum(pput, va_arg(ap, uint32_t), 16, width, pad);
			break;
		case 'p':
			pput('0');
			pput('x');
			putnum(pput, va_arg(ap, uint32_t), 16, 8, '0');
			break;
		case 'c':
			pput((char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len;
			if (!s)
				s = "(null)";
			len = strlen(s);
			while (!left && width-- > len)
				pput(' ');
			while (*s)
				pput(*s++);
			while (left && width-- > len)
				pput(' ');
			break;
		}
		case '%':
			pput('%');
			break;
		default:
			pput('%');
			pput(*fmt);
			break;
		}
	}
	pflush();
	irq_restore(was);
}

/* Print to the console (hvc0 once it is up). */
void printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* A line for the hypervisor's console only (the boot log). */
void klog(const char *s)
{
	earlycon_write("pvos: ", 6);
	earlycon_write(s, strlen(s));
	earlycon_write("\n", 1);
}

/* A kernel bug: say where, and crash the domain so the hypervisor reports it. */
void panic(const char *fmt, ...)
{
	va_list ap;
	struct sched_shutdown r = { .reason = SHUTDOWN_crash };

	irq_disable();
	hvc_ready = 0;	/* the ring may be what broke: use the hypervisor's console */
	printf("pvos: panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	for (;;)
		hv_sched_op(SCHEDOP_shutdown, &r);
}
