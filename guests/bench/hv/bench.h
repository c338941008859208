/*
 * Shared by the hypervisor benchmark kernels: the markers bench/hv.bench.ts
 * times (it reads the instruction count and the wall clock when each line is
 * written), and a tiny command-line reader.
 */
#ifndef BENCH_HV_H
#define BENCH_HV_H
#include "test.h"

/* "key=value" in the command line, as a number; def when absent. */
static inline unsigned long bench_arg(const char *key, unsigned long def)
{
	const char *s = (const char *)start_info->cmd_line;
	unsigned klen = strlen(key);
	for (; *s; s++) {
		if ((s == (const char *)start_info->cmd_line || s[-1] == ' ') &&
		    !memcmp(s, key, klen) && s[klen] == '=') {
			unsigned long v = 0;
			for (s += klen + 1; *s >= '0' && *s <= '9'; s++)
				v = v * 10 + (unsigned long)(*s - '0');
			return v;
		}
	}
	return def;
}

/* Marker lines: "BENCH <what> <n>". The harness timestamps each. */
#define bench_mark(what, n) printf("BENCH %s %u\n", (what), (unsigned)(n))
#endif
