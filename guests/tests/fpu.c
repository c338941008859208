/*
 * fpu: the virtual CR0.TS and #NM (ABI map 5.8, 6.13). fpu_taskswitch(1) sets
 * TS; the next FPU instruction raises #NM, and Xen clears TS before delivering
 * it. (pvplay's CPU has no x87 unit, so this kernel never lets an FPU
 * instruction run with TS clear: crash_fpu checks what happens then.)
 *
 * Expected lines:
 *   OK TS starts clear
 *   OK fpu_taskswitch(1)
 *   OK MOV from CR0 shows TS after fpu_taskswitch(1)
 *   OK FPU use with TS set: #NM at the instruction
 *   OK Xen cleared TS before delivering #NM
 *   OK CLTS clears the virtual TS
 *   OK fpu_taskswitch(0) clears it too
 */
#include "test.h"

static uint32_t cr0(void)
{
	uint32_t v;
	__asm__ volatile("movl %%cr0, %0" : "=r" (v));
	return v;
}

void test_main(void)
{
	uint32_t at;
	uint16_t cw = 0;

	install_trap_catcher();
	check_eq(cr0() & 8, 0, "TS starts clear");
	check_eq(HYPERVISOR_fpu_taskswitch(1), 0, "fpu_taskswitch(1)");
	check_eq(cr0() & 8, 8, "MOV from CR0 shows TS after fpu_taskswitch(1)");
	trap_clear();
	__asm__ volatile(TRAP_INSN("fnstcw %1") "movl $1b, %0" : "=r" (at), "=m" (cw) :: "memory");
	check(last_trap.vector == 7 && last_trap.eip == at, "FPU use with TS set: #NM at the instruction");
	check_eq(cr0() & 8, 0, "Xen cleared TS before delivering #NM");
	HYPERVISOR_fpu_taskswitch(1);
	__asm__ volatile("clts");
	check_eq(cr0() & 8, 0, "CLTS clears the virtual TS");
	HYPERVISOR_fpu_taskswitch(1);
	HYPERVISOR_fpu_taskswitch(0);
	check_eq(cr0() & 8, 0, "fpu_taskswitch(0) clears it too");
	done();
}
