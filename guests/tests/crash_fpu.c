/*
 * crash_fpu: an FPU instruction with the virtual TS clear. pvplay's CPU has
 * no x87/SSE unit (docs/cpu.md), so where Xen would run the instruction, the
 * domain is crashed with that reason; no other domain is affected.
 *
 * Expected lines:
 *   OK about to use the FPU
 */
#include "test.h"

void test_main(void)
{
	check(1, "about to use the FPU");
	__asm__ volatile("fninit");
	printf("FAILED the FPU instruction returned\n");
	done();
}
