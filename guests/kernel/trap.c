/*
 * Traps: the trap table we give the hypervisor, and trap(), where every
 * exception, system call and event upcall lands. A fault in ring 3 kills the
 * process that made it; a fault in the kernel is a bug and panics.
 */
#include "defs.h"

extern char vector0[], vector1[], vector2[], vector3[], vector4[], vector5[], vector6[], vector7[],
	vector8[], vector9[], vector10[], vector11[], vector12[], vector13[], vector14[], vector15[],
	vector16[], vector17[], vector18[], vector19[], vector20[], vector21[], vector22[], vector23[],
	vector24[], vector25[], vector26[], vector27[], vector28[], vector29[], vector30[], vector31[],
	vector128[];

static char *const vectors[32] = {
	vector0, vector1, vector2, vector3, vector4, vector5, vector6, vector7,
	vector8, vector9, vector10, vector11, vector12, vector13, vector14, vector15,
	vector16, vector17, vector18, vector19, vector20, vector21, vector22, vector23,
	vector24, vector25, vector26, vector27, vector28, vector29, vector30, vector31,
};

static const char *const names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
	"device not available", "double fault", "coprocessor overrun", "invalid TSS",
	"segment not present", "stack fault", "general protection fault", "page fault", "reserved 15",
	"x87 error", "alignment check", "machine check", "SIMD error", "virtualization",
	"control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "reserved 28", "reserved 29", "security", "reserved 31",
};

int need_resched;
unsigned trap_counts[32];

/* Hand the hypervisor our trap table. */
void trap_init(void)
{
	static struct trap_info table[34];
	int n = 0;

	/*T:502 The trap table.
	 * The IDT belongs to the hypervisor; a PV kernel describes its own
	 * handlers in a virtual one, with set_trap_table: a list of (vector,
	 * flags, code selector, address), ended by an entry with address 0. The
	 * flags carry a DPL, which decides whether INT n may raise the vector
	 * from ring 1 or ring 3, and a bit that masks events on entry: we set it
	 * for exceptions, making them behave like interrupt gates, so a fault
	 * handler is never interrupted by an upcall. Vector 0x80 gets DPL 3 and
	 * no mask bit; it is the system-call gate (T:600). :*/
	for (int v = 0; v < 32; v++) {
		table[n].vector = v;
		table[n].flags = TI_MASK_EVENTS | (v == 3 || v == 4 ? TI_DPL3 : 0);
		table[n].cs = KCODE_SEL;
		table[n++].address = (uint32_t)vectors[v];
	}
	table[n].vector = T_SYSCALL;
	table[n].flags = TI_DPL3;
	table[n].cs = KCODE_SEL;
	table[n++].address = (uint32_t)vector128;
	table[n].address = 0;
	if (hv_set_trap_table(table))
		panic("set_trap_table failed");
}

/* Describe a page fault's error code in words. */
static void pf_describe(uint32_t err, char *buf)
{
	strcpy(buf, err & 1 ? "protection violation" : "page not present");
	strcat(buf, err & 2 ? " on write" : err & 16 ? " on instruction fetch" : " on read");
	strcat(buf, err & 4 ? " from user mode" : " from kernel mode");
	if (err & 8)
		strcat(buf, ", reserved bit set");
}

/* An exception: kill the process, or panic if the kernel took it. */
static void fault(struct trapframe *tf, int user)
{
	char what[96];

	if (tf->trapno < 32)
		trap_counts[tf->trapno]++;
	/*T:530 Naming a page fault.
	 * The hypervisor delivers #PF with the processor's error code (present,
	 * write, user, reserved, fetch), except that it sets the user bit
	 * exactly when the fault came from ring 3, our processes, and not from
	 * ring 1, our kernel. The faulting address is in vcpu_info.arch.cr2:
	 * reading CR2 ourselves would be a privileged instruction, trapped and
	 * emulated at far greater cost. :*/
	if (tf->trapno == T_PGFLT) {
		pf_describe(tf->err, what);
		if (!user)
			panic("page fault at 0x%08x: %s, eip 0x%08x", vcpu->cr2, what, tf->eip);
		printf("pid %d (%s): page fault at 0x%08x: %s, eip 0x%08x; killed\n", cur->pid, cur->name, vcpu->cr2,
		       what, tf->eip);
	} else {
		const char *name = tf->trapno < 32 ? names[tf->trapno] : "unknown trap";
		if (!user)
			panic("%s (trap %d, err %x) at eip 0x%08x", name, tf->trapno, tf->err, tf->eip);
		printf("pid %d (%s): %s (trap %d, err %x) at eip 0x%08x; killed\n", cur->pid, cur->name, name,
		       tf->trapno, tf->err, tf->eip);
	}
	cur->killed = 1;
}

/* Every entry lands here (trapasm.S), with events masked except for system calls. */
void trap(struct trapframe *tf)
{
	int user = (tf->cs & 3) == 3;

	if (user)
		cur->tf = tf;
	switch (tf->trapno) {
	case T_SYSCALL:
		if (cur->killed)
			exit(-1);
		syscall(tf);
		break;
	case T_EVENT:
		evtchn_upcall();
		break;
	default:
		fault(tf, user);
		break;
	}
	if (!user)
		return;
	if (cur->killed)
		exit(-1);
	if (need_resched)
		yield();
	if (cur->killed)
		exit(-1);
}
