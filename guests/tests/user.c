/*
 * user: ring 3 (ABI map 5.6, 5.20, 6.9, 6.10, 4.1). The kernel names its ring-1
 * stack with stack_switch and enters ring 3 through HYPERVISOR_iret; traps from
 * ring 3 arrive on that stack with the user ESP and SS in the frame.
 *
 * Expected lines:
 *   OK ring 3 entered through HYPERVISOR_iret runs with CS 0xe02b
 *   OK INT 0x80 (DPL 3) from ring 3 is a direct trap: vector 0x80, CS 0xe02b
 *   OK the ring-3 frame carries the user ESP and SS 0xe033
 *   OK the ring-3 frame is on the stack_switch stack
 *   OK INT 0x82 from ring 3 (a hypercall) is refused: #GP error 0x412
 *   OK INT 0x20 with DPL 1 from ring 3: #GP error 0x102
 *   OK INT 0x20 with DPL 3 from ring 3 reaches vector 32
 *   OK INT3 from ring 3 reaches vector 3
 *   OK CLI in ring 3: #GP(0)
 *   OK HLT in ring 3: #GP(0)
 *   OK ring 3 reading a kernel page: #PF error 5, CR2
 *   OK ring 3 writing a read-only user page: #PF error 7
 *   OK ring 3 continues after a trap (HYPERVISOR_iret back to ring 3)
 *   OK event upcall while in ring 3: frame CS 0xe02b with the user ESP, SS
 */
#include "test.h"

static char ustack[4096] __attribute__((aligned(4096)));
static char udata[4096] __attribute__((aligned(4096)));
static char urodata[4096] __attribute__((aligned(4096)));
static uint32_t frame_addr;

/* The user programs: page-aligned, made User-accessible; each ends with user_exit(EBX). */
#define EXIT "movl $0x7e57e817, %eax\n\tint $0x80\n"
#define USER_PROG(name, body) __asm__(".pushsection .text.user, \"ax\"\n.globl " #name "\n" #name ":\n" body EXIT ".popsection\n")
__asm__(".pushsection .text.user, \"ax\"\n.balign 4096\n.globl user_text_start\nuser_text_start:\n.popsection\n");
USER_PROG(u_cs, "movl %cs, %ebx\n\t");
USER_PROG(u_int80, "movl $0x1234, %eax\n\t" TRAP_INSN("int $0x80") "xorl %ebx, %ebx\n\t");
USER_PROG(u_int82, "movl $17, %eax\n\t" TRAP_INSN("int $0x82") "movl $1, %ebx\n\t");
USER_PROG(u_int20, TRAP_INSN("int $0x20") "movl $1, %ebx\n\t");
USER_PROG(u_int3, TRAP_INSN("int3") "movl $1, %ebx\n\t");
USER_PROG(u_cli, TRAP_INSN("cli") "movl $1, %ebx\n\t");
USER_PROG(u_hlt, TRAP_INSN("hlt") "movl $1, %ebx\n\t");
USER_PROG(u_rdkernel, TRAP_INSN("movl 0xc0000000, %eax") "movl $1, %ebx\n\t");
USER_PROG(u_wrro, TRAP_INSN("movl %eax, urodata") "movl $1, %ebx\n\t");
USER_PROG(u_many, TRAP_INSN("ud2") TRAP_INSN("ud2") "movl $42, %ebx\n\t");
/* Spin until the kernel's event handler writes udata[0]. */
USER_PROG(u_wait, "movl $1000000, %ecx\n1: movl udata, %ebx\n\ttestl %ebx, %ebx\n\tloopz 1b\n\t");
__asm__(".pushsection .text.user, \"ax\"\n.balign 4096\n.globl user_text_end\nuser_text_end:\n.popsection\n");
extern char user_text_start[], user_text_end[];
void u_cs(void), u_int80(void), u_int82(void), u_int20(void), u_int3(void), u_cli(void), u_hlt(void),
	u_rdkernel(void), u_wrro(void), u_many(void), u_wait(void);

static int run(void (*fn)(void))
{
	trap_clear();
	return user_run(fn, ustack + sizeof(ustack));
}

/* Vector 0x80 from ring 3 that is not the exit: note where the frame is, then let the fixup resume. */
static int int80_probe(struct trap_frame *f)
{
	if (f->eax == 0x1234)
		frame_addr = (uint32_t)f;
	return 0;
}

static void on_ipi(unsigned port)
{
	(void)port;
	*(volatile uint32_t *)udata = 7;
}

static void event_in_ring3(void)
{
	unsigned port;
	long rc = evtchn_bind_ipi(0, &port);

	if (rc) {
		check_detail(0, "event upcall while in ring 3", "bind_ipi returned %d", (int)rc);
		return;
	}
	evtchn_handler(port, on_ipi);
	/* Pending now, delivered at the first exit to the guest with events unmasked: in ring 3. */
	events_disable();
	evtchn_send(port);
	int v = run(u_wait);
	check_detail(v == 7 && (last_upcall.cs & 0xffff) == FLAT_USER_CS && last_upcall.ss == FLAT_USER_SS &&
		     last_upcall.esp > (uint32_t)ustack && last_upcall.esp <= (uint32_t)ustack + sizeof(ustack),
		     "event upcall while in ring 3: frame CS 0xe02b with the user ESP, SS",
		     "ret %d cs 0x%x esp 0x%x ss 0x%x", v, last_upcall.cs, last_upcall.esp, last_upcall.ss);
}

void test_main(void)
{
	int v;

	install_trap_catcher();
	events_init();
	set_user(user_text_start, user_text_end);
	set_user(ustack, ustack + sizeof(ustack));
	set_user(udata, udata + sizeof(udata));
	set_user(urodata, urodata + sizeof(urodata));
	set_page_rw(urodata, 0);

	v = run(u_cs);
	check_eq(v, FLAT_USER_CS, "ring 3 entered through HYPERVISOR_iret runs with CS 0xe02b");

	user_int80_hook = int80_probe;
	frame_addr = 0;
	v = run(u_int80);
	check((last_trap.vector == 0x80 && (last_trap.cs & 0xffff) == FLAT_USER_CS),
	      "INT 0x80 (DPL 3) from ring 3 is a direct trap: vector 0x80, CS 0xe02b");
	check(last_trap.ss == FLAT_USER_SS && last_trap.esp > (uint32_t)ustack &&
	      last_trap.esp <= (uint32_t)ustack + sizeof(ustack), "the ring-3 frame carries the user ESP and SS 0xe033");
	check(frame_addr != 0 && (frame_addr < (uint32_t)ustack || frame_addr >= (uint32_t)ustack + sizeof(ustack)),
	      "the ring-3 frame is on the stack_switch stack");

	run(u_int82);
	check_detail(last_trap.vector == 13 && last_trap.err == 0x412, "INT 0x82 from ring 3 (a hypercall) is refused: #GP error 0x412",
		     "vector %u err 0x%x", last_trap.vector, last_trap.err);

	trap_set(32, TI_DPL(1));
	run(u_int20);
	check(last_trap.vector == 13 && last_trap.err == 0x102, "INT 0x20 with DPL 1 from ring 3: #GP error 0x102");
	trap_set(32, TI_DPL(3));
	run(u_int20);
	check(last_trap.vector == 32 && (last_trap.cs & 3) == 3, "INT 0x20 with DPL 3 from ring 3 reaches vector 32");

	run(u_int3);
	check_eq(last_trap.vector, 3, "INT3 from ring 3 reaches vector 3");
	run(u_cli);
	check(last_trap.vector == 13 && last_trap.err == 0, "CLI in ring 3: #GP(0)");
	run(u_hlt);
	check(last_trap.vector == 13 && last_trap.err == 0, "HLT in ring 3: #GP(0)");
	run(u_rdkernel);
	check_detail(last_trap.vector == 14 && last_trap.err == 5 && last_trap.cr2 == 0xc0000000,
		     "ring 3 reading a kernel page: #PF error 5, CR2", "vector %u err 0x%x cr2 0x%x",
		     last_trap.vector, last_trap.err, last_trap.cr2);
	run(u_wrro);
	check_detail(last_trap.vector == 14 && last_trap.err == 7 && last_trap.cr2 == (uint32_t)urodata,
		     "ring 3 writing a read-only user page: #PF error 7", "vector %u err 0x%x cr2 0x%x",
		     last_trap.vector, last_trap.err, last_trap.cr2);
	unsigned before = trap_count;
	v = run(u_many);
	check(v == 42 && trap_count == before + 2, "ring 3 continues after a trap (HYPERVISOR_iret back to ring 3)");

	event_in_ring3();
	done();
}
