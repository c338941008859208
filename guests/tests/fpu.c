/*
 * fpu: the virtual CR0.TS and #NM (ABI map 5.8, 6.13). fpu_taskswitch(1) sets
 * TS; the next FPU instruction raises #NM, and Xen clears TS before delivering
 * it, so the handler may simply return and the instruction then runs.
 *
 * Expected lines:
 *   OK FPU use with TS clear runs
 *   OK fpu_taskswitch(1)
 *   OK FPU use with TS set: #NM at the instruction
 *   OK Xen cleared TS before delivering #NM
 *   OK the FPU instruction runs after the #NM handler returns
 */
#include "test.h"

void test_main(void)
{
	uint32_t at, cr0;
	uint16_t cw = 0;

	install_trap_catcher();
	trap_clear();
	__asm__ volatile(TRAP_INSN("fninit") ::: "memory");
	check_eq(last_trap.vector, TRAP_NONE, "FPU use with TS clear runs");
	check_eq(HYPERVISOR_fpu_taskswitch(1), 0, "fpu_taskswitch(1)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("fnstcw %1") "movl $1b, %0" : "=r" (at), "=m" (cw) :: "memory");
	check(last_trap.vector == 7 && last_trap.eip == at, "FPU use with TS set: #NM at the instruction");
	__asm__ volatile("movl %%cr0, %0" : "=r" (cr0));
	check_eq(cr0 & 8, 0, "Xen cleared TS before delivering #NM");
	trap_clear();
	__asm__ volatile(TRAP_INSN("fnstcw %0") : "=m" (cw) :: "memory");
	check(last_trap.vector == TRAP_NONE && cw == 0x37f, "the FPU instruction runs after the #NM handler returns");
	done();
}
