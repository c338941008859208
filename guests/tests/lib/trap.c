/*
 * Expected traps (see TRAP_INSN in test.h). traps.S hands every exception and
 * software interrupt to trap_dispatch with the bounce frame Xen built (ABI map
 * 6.9). A hooked vector goes to its hook first; otherwise a trap whose EIP is in
 * the fixup table is recorded and resumed: a fault (EIP at the instruction) resumes
 * after it, a trap (EIP already after it, as for INT n and INT3) where it is.
 * Anything else is an unexpected trap, which ends the test.
 */
#include "test.h"

struct trap_record last_trap = { .vector = TRAP_NONE };
unsigned trap_count;
static trap_fn hooks[256];

extern const uint32_t __fixup_start[], __fixup_end[];
extern const unsigned long trap_stubs[32];
extern const unsigned long trap_stubs_sw[];
void trap_unexpected(unsigned vector, unsigned err, unsigned eip);

void trap_clear(void)
{
	memset(&last_trap, 0, sizeof(last_trap));
	last_trap.vector = TRAP_NONE;
}

void trap_hook(unsigned vector, trap_fn fn)
{
	hooks[vector & 255] = fn;
}

static void record(const struct trap_frame *f)
{
	last_trap.vector = f->vector;
	last_trap.err = f->err;
	last_trap.eip = f->eip;
	last_trap.cs = f->cs;
	last_trap.eflags = f->eflags;
	last_trap.eax = f->eax;
	last_trap.esp = (f->cs & 2) ? f->esp : 0;
	last_trap.ss = (f->cs & 2) ? f->ss : 0;
	last_trap.cr2 = shared ? vcpu0->cr2 : 0;
	trap_count++;
}

void trap_dispatch(struct trap_frame *f)
{
	const uint32_t *p;

	if (hooks[f->vector & 255] && hooks[f->vector & 255](f))
		return;
	/*
	 * Software interrupts (INT3, INTO, INT n delivered as vector n) report the EIP
	 * after the instruction; every other vector here is a fault at it. Matching
	 * on the right column keeps back-to-back TRAP_INSNs apart.
	 */
	int after = f->vector == 3 || f->vector == 4 || f->vector >= 32;
	for (p = __fixup_start; p < __fixup_end; p += 2) {
		if (f->eip == p[after]) {
			record(f);
			f->eip = p[1];
			return;
		}
	}
	trap_unexpected(f->vector, f->err, f->eip);
}

long trap_set(unsigned vector, unsigned flags)
{
	struct trap_info t[2];
	unsigned long addr = 0;

	if (vector < 32)
		addr = trap_stubs[vector];
	for (const unsigned long *s = trap_stubs_sw; s[1]; s += 2)
		if (s[0] == vector)
			addr = s[1];
	memset(t, 0, sizeof(t));
	t[0].vector = vector;
	t[0].flags = flags;
	t[0].cs = FLAT_KERNEL_CS;
	t[0].address = addr;
	return HYPERVISOR_set_trap_table(t);
}

/* Called by failsafe_entry (traps.S): Xen could not reload our data segments. */
void failsafe_hit(void)
{
	printf("FAILED failsafe callback entered\n");
	shutdown(SHUTDOWN_crash);
}
