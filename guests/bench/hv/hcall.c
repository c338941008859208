/*
 * The cost of a null hypercall: xen_version(XENVER_version) through the
 * hypercall page, n times, after the same loop with no hypercall in it (the
 * baseline the harness subtracts).
 */
#include "bench.h"

static unsigned sink;

void test_main(void)
{
	unsigned long n = bench_arg("n", 100000);
	bench_mark("base-start", n);
	for (unsigned long i = 0; i < n; i++)
		__asm__ volatile("" : "+r"(sink));
	bench_mark("base-end", n);
	bench_mark("hcall-start", n);
	for (unsigned long i = 0; i < n; i++)
		sink += (unsigned)HYPERVISOR_xen_version(XENVER_version, 0);
	bench_mark("hcall-end", n);
	check(sink != 0, "xen_version answered");
	done();
}
