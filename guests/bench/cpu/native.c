/*
 * The native side of the CPU benchmark: `work-native ITERATIONS [REPEATS]`
 * calls work(ITERATIONS) REPEATS times (default 1) and writes one line to
 * stdout: the checksum as eight hex digits, a space, and the CPU time the
 * process had used by then in microseconds (0 if the clock is unavailable).
 * Exit status 0 (a status has room for only 8 bits of the checksum); bad
 * arguments: status 2.
 */
#include "work.h"

static int sys_write(int fd, const void *buf, unsigned int len)
{
	int ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(4 /* __NR_write */), "b"(fd), "c"(buf), "d"(len)
			 : "memory");
	return ret;
}

/* CPU time of this process in microseconds, from clock_gettime(CLOCK_PROCESS_CPUTIME_ID). */
static unsigned int cpu_us(void)
{
	struct { long sec, nsec; } ts;
	int ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "0"(265 /* __NR_clock_gettime */), "b"(2 /* CLOCK_PROCESS_CPUTIME_ID */), "c"(&ts)
			 : "memory");
	if (ret < 0)
		return 0;
	return (unsigned int)ts.sec * 1000000u + (unsigned int)ts.nsec / 1000u;
}

static int parse(const char *s, unsigned int *out)
{
	unsigned int v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned int)(*s - '0');
	}
	*out = v;
	return 0;
}

int native_main(int argc, char **argv);

int native_main(int argc, char **argv)
{
	unsigned int iterations, repeats = 1, sum = 0, r, us;
	char line[24];
	int i, n;

	if (argc < 2 || parse(argv[1], &iterations) || (argc > 2 && parse(argv[2], &repeats))) {
		sys_write(2, "usage: work-native ITERATIONS [REPEATS]\n", 40);
		return 2;
	}
	for (r = 0; r < repeats; r++)
		sum = work(iterations);
	us = cpu_us();
	for (i = 7; i >= 0; i--, sum >>= 4)
		line[i] = "0123456789abcdef"[sum & 15];
	line[8] = ' ';
	for (n = 0, r = us; n == 0 || r; n++, r /= 10)
		;
	for (i = 8 + n; i > 8; i--, us /= 10)
		line[i] = (char)('0' + us % 10);
	line[9 + n] = '\n';
	sys_write(1, line, 10 + n);
	return 0;
}
