/*
 * The native side of the CPU benchmark: `work-native ITERATIONS [REPEATS]`
 * calls work(ITERATIONS) REPEATS times (default 1) and writes the checksum as
 * eight hex digits and a newline to stdout, then exits with status 0 (a
 * status has room for only 8 bits of the checksum). Bad arguments: status 2.
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
	unsigned int iterations, repeats = 1, sum = 0, r;
	char line[9];
	int i;

	if (argc < 2 || parse(argv[1], &iterations) || (argc > 2 && parse(argv[2], &repeats))) {
		sys_write(2, "usage: work-native ITERATIONS [REPEATS]\n", 40);
		return 2;
	}
	for (r = 0; r < repeats; r++)
		sum = work(iterations);
	for (i = 7; i >= 0; i--, sum >>= 4)
		line[i] = "0123456789abcdef"[sum & 15];
	line[8] = '\n';
	sys_write(1, line, 9);
	return 0;
}
