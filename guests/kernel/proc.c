/*
 * Processes: the table, fork, exit, wait, kill, sleep and wakeup, and the
 * scheduler. proc[0] is the idle process, the boot thread: it owns no
 * address space and runs when nothing else can, blocking the vcpu in the
 * hypervisor. Scheduling is round robin; a process runs until it sleeps,
 * exits, or its 10 ms slice ends while another is runnable.
 */
#include "defs.h"

struct proc proc[NPROC];
struct proc *cur = &proc[0];
static struct proc *initproc, *dying;
static int nextpid = 1;
char kstacks[NPROC][KSTACKSIZE] __attribute__((aligned(16)));

static const char *const states[] = {
	[UNUSED] = "unused", [EMBRYO] = "embryo", [SLEEPING] = "sleep",
	[RUNNABLE] = "runble", [RUNNING] = "run", [ZOMBIE] = "zombie",
};

extern void swtch(struct context **old, struct context *new);
extern void trapret(void);
extern void trapret_to(struct trapframe *tf);

/* The boot thread becomes proc[0], idle. */
void proc_init(void)
{
	proc[0].state = RUNNING;
	proc[0].kstack = kstacks[0];
	strcpy(proc[0].name, "idle");
}

/* Where a new process's first swtch() lands: finish the switch, then return to user mode. */
static void forkret(void)
{
	finish_switch();
}

/* A process slot with a kernel stack laid out to start in forkret, then trapret. */
static struct proc *allocproc(void)
{
	int was = irq_save();
	struct proc *p;

	for (p = &proc[1]; p < &proc[NPROC]; p++)
		if (p->state == UNUSED)
			break;
	if (p == &proc[NPROC]) {
		irq_restore(was);
		return 0;
	}
	p->state = EMBRYO;
	p->pid = nextpid++;
	irq_restore(was);
	p->kstack = kstacks[p - proc];
	char *sp = p->kstack + KSTACKSIZE - sizeof(*p->tf);
	p->tf = (struct trapframe *)sp;
	memset(p->tf, 0, sizeof(*p->tf));
	sp -= 4;
	*(uint32_t *)sp = (uint32_t)trapret;
	sp -= sizeof(*p->context);
	p->context = (struct context *)sp;
	memset(p->context, 0, sizeof(*p->context));
	p->context->eip = (uint32_t)forkret;
	p->killed = 0;
	p->tls = 0;
	p->wake_at = 0;
	p->chan = 0;
	p->kfn = 0;
	memset(&p->pd, 0, sizeof(p->pd));
	return p;
}

/* The first process's first code: exec init, then enter ring 3. */
static void initret(void)
{
	static char *argv[] = { "init", 0 };

	finish_switch();
	if (kexec("init", 1, argv) < 0)
		panic("cannot exec init");
	trapret_to(cur->tf);
}

/* Make pid 1, which will exec init. */
void userinit(void)
{
	struct proc *p = allocproc();

	initproc = p;
	p->context->eip = (uint32_t)initret;
	strcpy(p->name, "init");
	p->state = RUNNABLE;
}

/* A kernel thread's first code: finish the switch, unmask events, run its function. */
static void kthreadret(void)
{
	finish_switch();
	irq_enable();
	cur->kfn();
	panic("kernel thread %s returned", cur->name);
}

/* Start a kernel thread: a process with no address space of its own that runs fn in ring 1. */
void kthread(const char *name, void (*fn)(void))
{
	struct proc *p = allocproc();

	if (!p)
		panic("no process slot for %s", name);
	p->kfn = fn;
	p->context->eip = (uint32_t)kthreadret;
	strcpy(p->name, name);
	p->state = RUNNABLE;
}

/* Copy the current process. Return the child's pid to the parent, 0 to the child. */
int fork(void)
{
	struct proc *np = allocproc();

	if (!np)
		return -1;
	/*T:550 fork, the PV way.
	 * A new address space is pinned (T:450), then each of the parent's pages
	 * is copied into a fresh frame through the direct map and entered in the
	 * child's L1 with mmu_update. In lazy mode all of it, a few dozen
	 * updates, goes to the hypervisor in a handful of multicalls; with
	 * `lazy off` it is one hypercall per update. :*/
	vm_create(&np->pd);
	vm_copy(&np->pd, &cur->pd);
	*np->tf = *cur->tf;
	np->tf->eax = 0;
	np->tls = cur->tls;
	np->parent = cur;
	strcpy(np->name, cur->name);
	int was = irq_save();
	np->state = RUNNABLE;
	irq_restore(was);
	return np->pid;
}

/* Wake every process sleeping on chan. Events masked. */
void wakeup(void *chan)
{
	for (struct proc *p = proc; p < &proc[NPROC]; p++)
		if (p->state == SLEEPING && p->chan == chan)
			p->state = RUNNABLE;
}

/* Sleep on chan until a wakeup(chan). Call with events masked. */
void sleep(void *chan)
{
	if (!irq_masked())
		panic("sleep with events enabled");
	cur->chan = chan;
	cur->state = SLEEPING;
	sched();
	cur->chan = 0;
}

/* End the current process; its parent collects status with wait(). */
void exit(int status)
{
	if (cur == initproc)
		panic("init exited");
	xs_exit(cur->pid);	/* its xenstore watches go before it does */
	irq_disable();
	for (struct proc *p = proc; p < &proc[NPROC]; p++) {
		if (p->parent == cur) {
			p->parent = initproc;
			if (p->state == ZOMBIE)
				wakeup(initproc);
		}
	}
	cur->xstate = status;
	cur->state = ZOMBIE;
	wakeup(cur->parent);
	dying = cur;	/* its page tables go once we have switched away */
	sched();
	panic("zombie ran");
}

/* Wait for a child to exit; return its pid and store its status. -1 if no children. */
int wait(int *status)
{
	int was = irq_save();

	for (;;) {
		int kids = 0;
		for (struct proc *p = proc; p < &proc[NPROC]; p++) {
			if (p->parent != cur)
				continue;
			kids = 1;
			if (p->state != ZOMBIE)
				continue;
			int pid = p->pid;
			*status = p->xstate;
			p->state = UNUSED;
			p->parent = 0;
			p->pid = 0;
			irq_restore(was);
			return pid;
		}
		if (!kids || cur->killed) {
			irq_restore(was);
			return -1;
		}
		sleep(cur);
	}
}

/* Mark pid killed; it exits when it next returns to user mode. */
int kill(int pid)
{
	int was = irq_save();

	for (struct proc *p = &proc[1]; p < &proc[NPROC]; p++) {
		if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE && !p->kfn) {
			p->killed = 1;
			if (p->state == SLEEPING)
				p->state = RUNNABLE;
			irq_restore(was);
			return 0;
		}
	}
	irq_restore(was);
	return -1;
}

static char anything;	/* the channel of wait_for() */

/* Something a wait_for() caller may be waiting for has happened. Events masked. */
void wakeup_waiters(void)
{
	wakeup(&anything);
}

/*
 * Sleep until done(arg) holds (0), a whole line is typed on the console or
 * we are killed (-XEN_EINTR), or ms milliseconds pass (-XEN_ETIMEDOUT; ms 0:
 * no limit). Whoever may make done() true calls wakeup_waiters().
 */
int wait_for(int (*done)(void *), void *arg, uint32_t ms)
{
	int was = irq_save(), rc = 0;
	uint64_t until = ms ? now_ns() + (uint64_t)ms * 1000000u : 0;

	while (!done(arg)) {
		if (cur->killed || console_line_ready()) {
			rc = -XEN_EINTR;
			break;
		}
		if (until && now_ns() >= until) {
			rc = -XEN_ETIMEDOUT;
			break;
		}
		cur->wake_at = until;
		timer_rearm();
		sleep(&anything);
	}
	cur->wake_at = 0;
	irq_restore(was);
	return rc;
}

/* Give up the vcpu to any other runnable process. */
void yield(void)
{
	int was = irq_save();

	cur->state = RUNNABLE;
	sched();
	irq_restore(was);
}

/* The next process to run: round robin over proc[1..], else idle. */
static struct proc *pick(void)
{
	int at = cur - proc;

	for (int i = 1; i <= NPROC; i++) {
		struct proc *p = &proc[(at + i) % NPROC];
		if (p != &proc[0] && p->state == RUNNABLE)
			return p;
	}
	return &proc[0];
}

/* Run from the new process's stack after every switch. */
void finish_switch(void)
{
	if (dying && dying != cur) {
		vm_free(&dying->pd);
		dying = 0;
	}
	timer_rearm();
}

/* Switch to another process. Call with events masked and cur->state already changed. */
void sched(void)
{
	if (!irq_masked())
		panic("sched with events enabled");
	if (lazy_depth())
		panic("sched inside a lazy MMU batch");
	need_resched = 0;
	struct proc *next = pick(), *prev = cur;
	if (next == prev) {
		cur->state = RUNNING;
		return;
	}
	/*T:540 The context switch: one multicall.
	 * Three things about the processor belong to the hypervisor and must
	 * change when we change processes: the page-table base
	 * (MMUEXT_NEW_BASEPTR), the ring-1 stack the hypervisor will put a trap
	 * frame on when the next process traps from ring 3 (stack_switch, the PV
	 * form of the TSS's esp1), and the TLS descriptor in the GDT
	 * (update_descriptor). In lazy mode they go as a single multicall, one
	 * entry into the hypervisor; then swtch() changes kernel stacks, which
	 * is ours alone and needs no hypercall. :*/
	lazy_enter();
	vm_switch(&next->pd);
	mmu_stack_switch((uint32_t)next->kstack + KSTACKSIZE);
	gdt_set_tls(next->tls);
	lazy_leave();
	next->state = RUNNING;
	cur = next;
	swtch(&prev->context, next->context);
	finish_switch();
}

/* The idle loop: run whatever is runnable; otherwise block until an event. */
void idle(void)
{
	for (;;) {
		irq_disable();
		if (pick() != &proc[0]) {
			yield();
			continue;
		}
		/*T:560 Idling.
		 * A PV kernel does not HLT (it is a privileged instruction; the
		 * hypervisor would fault it). SCHEDOP_block tells the hypervisor
		 * this vcpu has nothing to do until an event arrives, and it clears
		 * the event mask as it blocks, in the same step, so an event that
		 * arrives between our check above and the block cannot be lost: the
		 * hypervisor sees it pending and returns at once. The upcall runs
		 * on the way back from the block, and its handlers make processes
		 * runnable. :*/
		hv_sched_op(SCHEDOP_block, 0);
	}
}

/* Called by the timer handler: wake sleepers whose time has come; end the slice. */
void proc_tick(uint64_t now)
{
	int others = 0;

	for (struct proc *p = &proc[1]; p < &proc[NPROC]; p++) {
		if (p->state == SLEEPING && p->wake_at && p->wake_at <= now) {
			p->wake_at = 0;
			p->state = RUNNABLE;
		}
		if (p->state == RUNNABLE)
			others = 1;
	}
	if (others && cur != &proc[0])
		need_resched = 1;
}

/* The next time the timer should fire: a sleeper's wake-up, or the end of the slice. */
uint64_t proc_deadline(uint64_t now, uint64_t slice)
{
	uint64_t next = 0;
	int others = 0;

	for (struct proc *p = &proc[1]; p < &proc[NPROC]; p++) {
		if (p->state == SLEEPING && p->wake_at && (!next || p->wake_at < next))
			next = p->wake_at;
		if (p->state == RUNNABLE)
			others = 1;
	}
	if (others && cur != &proc[0] && (!next || now + slice < next))
		next = now + slice;
	return next;
}

/* Sleep for ms milliseconds of system time. */
int sleep_ms(uint32_t ms)
{
	int was = irq_save();
	uint64_t until = now_ns() + (uint64_t)ms * 1000000u;

	while (now_ns() < until && !cur->killed) {
		cur->wake_at = until;
		timer_rearm();
		sleep(&cur->wake_at);
	}
	cur->wake_at = 0;
	irq_restore(was);
	return cur->killed ? -1 : 0;
}

/* The shell's ps command. */
void proc_dump(void)
{
	printf("  pid state  pages  L3 mfn   name\n");
	for (struct proc *p = proc; p < &proc[NPROC]; p++) {
		if (p->state == UNUSED)
			continue;
		printf("  %3d %-6s %5d  %-8x %s%s\n", p->pid, states[p->state], p->pd.l3 ? vm_pages(&p->pd) : 0,
		       p->pd.l3 ? p2m[p->pd.l3] : 0, p->name, p == cur ? " (this shell)" : p->kfn ? " (kernel thread)" : "");
	}
}

/* The current process's address space, for the pt command. */
void proc_pt_dump(void)
{
	printf("page tables of pid %d (%s):\n", cur->pid, cur->name);
	vm_dump(&cur->pd);
}
