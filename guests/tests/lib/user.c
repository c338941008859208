/*
 * Ring 3 (ABI map 5.6, 5.20, 6.9): before entering user mode we name the ring-1
 * stack Xen switches to on a trap from ring 3 (stack_switch), then enter with
 * HYPERVISOR_iret (user_run_asm in traps.S). The user code's pages need the User
 * bit (set_user). The user code returns with int $0x80, EAX = USER_EXIT, EBX =
 * value: vector 0x80 is installed with DPL 3, so Xen bounces it straight to us.
 */
#include "test.h"

static char trap_stack[8192] __attribute__((aligned(16)));
int user_run_asm(void (*fn)(void), void *user_stack_top);

trap_fn user_int80_hook;

static int int80(struct trap_frame *f)
{
	if ((f->cs & 3) == 3 && f->eax == USER_EXIT)
		user_longjmp((int)f->ebx);
	return user_int80_hook ? user_int80_hook(f) : 0;
}

int user_run(void (*fn)(void), void *user_stack_top)
{
	long rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)(trap_stack + sizeof(trap_stack)));

	if (rc)
		check_detail(0, "stack_switch", "returned %d", (int)rc);
	trap_hook(0x80, int80);
	rc = trap_set(0x80, TI_DPL(3));
	if (rc)
		check_detail(0, "trap_set 0x80", "returned %d", (int)rc);
	return user_run_asm(fn, user_stack_top);
}
