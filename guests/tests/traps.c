/*
 * traps: exception delivery to a ring-1 kernel (ABI map 5.1, 5.20, 6.9, 6.10).
 * Every trap here is caught by the runtime's handler (lib/trap.c), which records
 * the bounce frame and returns with HYPERVISOR_iret.
 *
 * Expected lines:
 *   OK set_trap_table installs the catcher
 *   OK #DE: vector 0, no error code, EIP at the DIV
 *   OK #UD: vector 6 at the UD2
 *   OK #PF not present: vector 14, error 0, CR2 in vcpu_info
 *   OK #PF write to a read-only page: error 3
 *   OK bounce frame CS is FLAT_KERNEL_CS with the saved upcall mask 1
 *   OK bounce frame EFLAGS.IF is 0 when events were masked
 *   OK HYPERVISOR_iret restores the upcall mask (1)
 *   OK bounce frame CS has saved upcall mask 0 when events were enabled
 *   OK bounce frame EFLAGS.IF is 1 when events were enabled
 *   OK HYPERVISOR_iret restores the upcall mask (0)
 *   OK registers survive a trap and HYPERVISOR_iret
 *   OK INT3 reaches vector 3 whatever the trap table DPL, EIP after it
 *   OK INTO with OF set reaches vector 4
 *   OK INT 0x20 with DPL 0 is refused: #GP error 0x102 at the INT
 *   OK INT 0x20 with DPL 1 reaches vector 32, EIP after it
 *   OK INT 0x81 with no handler: #GP error 0x40a
 *   OK INT 0x80 with DPL 3 from ring 1 reaches vector 0x80
 *   OK TI_SET_IF masks events in the handler
 *   OK TI_SET_IF: the upcall mask is restored after HYPERVISOR_iret
 *   OK set_trap_table with an unmapped pointer: -EFAULT
 *   OK CMP with a memory operand on a read-only page does not fault
 *   OK CMP with a memory operand on a not-present page: #PF error 0
 */
#include "test.h"

static unsigned char mask_in_handler;
static char ro_page[4096] __attribute__((aligned(4096)));

static int record_mask(struct trap_frame *f)
{
	(void)f;
	mask_in_handler = vcpu0->evtchn_upcall_mask;
	return 0;	/* and let the fixup table resume it */
}

static void frame_checks(void)
{
	unsigned before;

	/* Events are masked at boot (2.5): the frame says so. */
	trap_clear();
	__asm__ volatile(TRAP_INSN("ud2") ::: "memory");
	check_eq(last_trap.cs, FLAT_KERNEL_CS | (1u << 16), "bounce frame CS is FLAT_KERNEL_CS with the saved upcall mask 1");
	check_eq(last_trap.eflags & 0x200, 0, "bounce frame EFLAGS.IF is 0 when events were masked");
	check_eq(vcpu0->evtchn_upcall_mask, 1, "HYPERVISOR_iret restores the upcall mask (1)");

	before = upcall_count;
	events_enable();
	trap_clear();
	__asm__ volatile(TRAP_INSN("ud2") ::: "memory");
	check_eq(last_trap.cs, FLAT_KERNEL_CS, "bounce frame CS has saved upcall mask 0 when events were enabled");
	check_eq(last_trap.eflags & 0x200, 0x200, "bounce frame EFLAGS.IF is 1 when events were enabled");
	check_eq(vcpu0->evtchn_upcall_mask, 0, "HYPERVISOR_iret restores the upcall mask (0)");
	(void)before;
}

static void register_checks(void)
{
	uint32_t b = 0x11111111, c = 0x22222222, d = 0x33333333, s = 0x44444444, di = 0x55555555, a = 0x66666666;

	__asm__ volatile(TRAP_INSN("ud2")
			 : "+a" (a), "+b" (b), "+c" (c), "+d" (d), "+S" (s), "+D" (di) :: "memory");
	check(a == 0x66666666 && b == 0x11111111 && c == 0x22222222 && d == 0x33333333 && s == 0x44444444 &&
	      di == 0x55555555, "registers survive a trap and HYPERVISOR_iret");
}

static void soft_int_checks(void)
{
	uint32_t at;

	trap_set(3, TI_DPL(0));
	trap_clear();
	__asm__ volatile(TRAP_INSN("int3") "movl $2b, %0" : "=r" (at) :: "memory");
	check(last_trap.vector == 3 && last_trap.eip == at, "INT3 reaches vector 3 whatever the trap table DPL, EIP after it");

	trap_clear();
	__asm__ volatile("movl $0x7fffffff, %%eax\n\taddl $1, %%eax\n\t" TRAP_INSN("into") ::: "eax", "memory");
	check_eq(last_trap.vector, 4, "INTO with OF set reaches vector 4");

	trap_set(32, TI_DPL(0));
	trap_clear();
	__asm__ volatile(TRAP_INSN("int $0x20") "movl $1b, %0" : "=r" (at) :: "memory");
	check(last_trap.vector == 13 && last_trap.err == 0x102 && last_trap.eip == at,
	      "INT 0x20 with DPL 0 is refused: #GP error 0x102 at the INT");
	if (last_trap.vector != 13 || last_trap.err != 0x102)
		printf("  got vector %u err 0x%x\n", last_trap.vector, last_trap.err);

	trap_set(32, TI_DPL(1));
	trap_clear();
	__asm__ volatile(TRAP_INSN("int $0x20") "movl $2b, %0" : "=r" (at) :: "memory");
	check(last_trap.vector == 32 && last_trap.eip == at, "INT 0x20 with DPL 1 reaches vector 32, EIP after it");

	trap_clear();
	__asm__ volatile(TRAP_INSN("int $0x81") ::: "memory");
	check(last_trap.vector == 13 && last_trap.err == 0x40a, "INT 0x81 with no handler: #GP error 0x40a");

	trap_set(0x80, TI_DPL(3));
	trap_clear();
	__asm__ volatile(TRAP_INSN("int $0x80") ::: "memory");
	check_eq(last_trap.vector, 0x80, "INT 0x80 with DPL 3 from ring 1 reaches vector 0x80");

	/* TI_SET_IF: events are masked on entry to the handler (5.1, 6.9 step 4). */
	trap_set(32, TI_DPL(1) | TI_SET_IF);
	trap_hook(32, record_mask);
	mask_in_handler = 0xff;
	__asm__ volatile(TRAP_INSN("int $0x20") ::: "memory");
	check_eq(mask_in_handler, 1, "TI_SET_IF masks events in the handler");
	check_eq(vcpu0->evtchn_upcall_mask, 0, "TI_SET_IF: the upcall mask is restored after HYPERVISOR_iret");
	trap_hook(32, 0);
}

void test_main(void)
{
	uint32_t at;
	volatile unsigned *bad = (volatile unsigned *)0x00100000;	/* L3 slot 0 is empty */
	long rc;

	install_trap_catcher();
	check(1, "set_trap_table installs the catcher");
	events_init();

	trap_clear();
	__asm__ volatile("xorl %%edx, %%edx\n\tmovl $1, %%eax\n\txorl %%ecx, %%ecx\n\t"
			 TRAP_INSN("divl %%ecx") "movl $1b, %0" : "=r" (at) :: "eax", "ecx", "edx", "memory");
	check(last_trap.vector == 0 && last_trap.err == 0 && last_trap.eip == at, "#DE: vector 0, no error code, EIP at the DIV");

	trap_clear();
	__asm__ volatile(TRAP_INSN("ud2") "movl $1b, %0" : "=r" (at) :: "memory");
	check(last_trap.vector == 6 && last_trap.eip == at, "#UD: vector 6 at the UD2");

	trap_clear();
	__asm__ volatile(TRAP_INSN("movl (%1), %0") : "=r" (at) : "r" (bad) : "memory");
	check_detail(last_trap.vector == 14 && last_trap.err == 0 && last_trap.cr2 == (uint32_t)bad,
		     "#PF not present: vector 14, error 0, CR2 in vcpu_info", "vector %u err 0x%x cr2 0x%x",
		     last_trap.vector, last_trap.err, last_trap.cr2);

	rc = set_page_rw(ro_page, 0);
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl $1, (%0)") :: "r" (ro_page) : "memory");
	check_detail(rc == 0 && last_trap.vector == 14 && last_trap.err == 3 && last_trap.cr2 == (uint32_t)ro_page,
		     "#PF write to a read-only page: error 3", "rc %d vector %u err 0x%x cr2 0x%x", (int)rc,
		     last_trap.vector, last_trap.err, last_trap.cr2);

	frame_checks();
	register_checks();
	soft_int_checks();

	check_eq(HYPERVISOR_set_trap_table((struct trap_info *)0x00200000), -XEN_EFAULT,
		 "set_trap_table with an unmapped pointer: -EFAULT");

	/* CMP only reads its memory operand: no write fault on a read-only page, W clear in #PF. */
	trap_clear();
	__asm__ volatile(TRAP_INSN("cmpb $0x42, (%0)") :: "r" (ro_page) : "memory", "cc");
	check_detail(last_trap.vector == TRAP_NONE, "CMP with a memory operand on a read-only page does not fault",
		     "vector %u err 0x%x", last_trap.vector, last_trap.err);
	trap_clear();
	__asm__ volatile(TRAP_INSN("cmpl %%eax, (%0)") :: "r" (bad), "a" (0) : "memory", "cc");
	check_detail(last_trap.vector == 14 && last_trap.err == 0, "CMP with a memory operand on a not-present page: #PF error 0",
		     "vector %u err 0x%x", last_trap.vector, last_trap.err);
	done();
}
