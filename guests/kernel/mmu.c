/*
 * Lazy MMU mode: page-table changes queued and sent as one multicall.
 *
 * Every change to a page table, and every other hypercall the memory and
 * process code makes in bulk (pin, unpin, new base pointer, stack switch,
 * descriptor update), goes through the functions here. Between lazy_enter()
 * and the matching lazy_leave() they are queued; lazy_leave() sends the queue
 * as one multicall. With `lazy off` (lazy_mmu = 0) each is sent at once, as
 * its own hypercall, so the two can be compared with the hcalls command.
 */
#include "defs.h"

#define MAXCALLS 64
#define MAXREQS 256
#define MAXEXT 32

int lazy_mmu = 1;
static int depth;

static struct multicall_entry calls[MAXCALLS];
static int ncalls;
static struct mmu_update reqs[MAXREQS];
static int nreqs;
static struct mmuext_op exts[MAXEXT];
static int nexts;

unsigned hcall_count[64];	/* hypercalls made, by number (hypercall.h) */
unsigned hcall_batched[64];	/* calls that rode inside a multicall, by number */

static const char *hcall_names[64] = {
	[__HYPERVISOR_set_trap_table] = "set_trap_table", [__HYPERVISOR_mmu_update] = "mmu_update",
	[__HYPERVISOR_set_gdt] = "set_gdt", [__HYPERVISOR_stack_switch] = "stack_switch",
	[__HYPERVISOR_set_callbacks] = "set_callbacks", [__HYPERVISOR_update_descriptor] = "update_descriptor",
	[__HYPERVISOR_multicall] = "multicall", [__HYPERVISOR_update_va_mapping] = "update_va_mapping",
	[__HYPERVISOR_set_timer_op] = "set_timer_op", [__HYPERVISOR_xen_version] = "xen_version",
	[__HYPERVISOR_console_io] = "console_io", [__HYPERVISOR_iret] = "iret",
	[__HYPERVISOR_vcpu_op] = "vcpu_op", [__HYPERVISOR_mmuext_op] = "mmuext_op",
	[__HYPERVISOR_sched_op] = "sched_op", [__HYPERVISOR_event_channel_op] = "event_channel_op",
	[__HYPERVISOR_grant_table_op] = "grant_table_op",
};

/* Are calls being queued rather than sent? */
static int queueing(void)
{
	return lazy_mmu && depth > 0;
}

/* Send one entry's call directly (lazy mode off, or a batch of one). */
static long issue(struct multicall_entry *e)
{
	uint32_t *a = e->args;

	switch (e->op) {
	case __HYPERVISOR_mmu_update:
		return hv_mmu_update((struct mmu_update *)a[0], a[1]);
	case __HYPERVISOR_mmuext_op:
		return hv_mmuext_op((struct mmuext_op *)a[0], a[1]);
	case __HYPERVISOR_update_va_mapping:
		return hv_update_va_mapping(a[0], ((uint64_t)a[2] << 32) | a[1], a[3]);
	case __HYPERVISOR_stack_switch:
		return hv_stack_switch(a[0], a[1]);
	case __HYPERVISOR_update_descriptor:
		return hv_update_descriptor(((uint64_t)a[1] << 32) | a[0], ((uint64_t)a[3] << 32) | a[2]);
	}
	panic("mmu: cannot issue hypercall %d", e->op);
}

/* A failed page-table or descriptor call is a kernel bug: panic, naming it. */
static void check(struct multicall_entry *e, long rc)
{
	if (rc)
		panic("%s failed: %d", hcall_names[e->op & 63], (int)rc);
}

/* Send everything queued. */
void mmu_flush(void)
{
	int was = irq_save();

	if (ncalls == 1) {
		check(&calls[0], issue(&calls[0]));
	} else if (ncalls > 1) {
		/*T:410 The multicall.
		 * multicall(list, n) runs n hypercalls, in order, for the price of
		 * one entry into the hypervisor: each entry holds a hypercall number
		 * and its arguments, and gets its own result written back. The
		 * multicall itself returns 0 even when an entry failed, so we check
		 * every result. Pointers inside the entries (an array of mmu_update
		 * requests, for example) must stay valid until the call returns,
		 * which is why the requests live in static arrays here and not on a
		 * caller's stack. On this machine a hypercall costs a trap and a
		 * return; in Xen it also costs a world switch, which is what made
		 * batching worth the trouble. :*/
		if (hv_multicall(calls, ncalls))
			panic("multicall failed");
		for (int i = 0; i < ncalls; i++) {
			hcall_batched[calls[i].op & 63]++;
			check(&calls[i], calls[i].result);
		}
	}
	ncalls = nreqs = nexts = 0;
	irq_restore(was);
}

/* Add a call to the queue (or send it now when not batching). */
static void queue(uint32_t op, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
	struct multicall_entry e = { .op = op, .args = { a0, a1, a2, a3 } };

	if (!queueing()) {
		check(&e, issue(&e));
		return;
	}
	if (ncalls == MAXCALLS)
		mmu_flush();
	calls[ncalls++] = e;
}

/* Start (or nest) a batch: calls queue until the matching lazy_leave(). */
void lazy_enter(void)
{
	depth++;
}

/* End a batch; the outermost one sends the queue. */
void lazy_leave(void)
{
	if (depth <= 0)
		panic("lazy_leave without lazy_enter");
	if (--depth == 0)
		mmu_flush();
}

/* How deeply batches are nested (0: not batching). */
int lazy_depth(void)
{
	return depth;
}

/* Write the page-table entry at machine address maddr (validated by the hypervisor). */
void mmu_set(uint64_t maddr, uint64_t val)
{
	/*T:420 mmu_update.
	 * A PV guest's page tables are read-only to it: it reads them freely,
	 * but every write is a request to the hypervisor, which checks it
	 * against the rules for that table's level and then makes it. A request
	 * is (machine address of the entry | type, new value); type 0 is "a
	 * normal, validated update". The hypervisor looks at which frame the
	 * address falls in: if it is an L1, the new entry must name a frame we
	 * own, and if writable, one that is not itself a page table; if an L2
	 * or L3, the frame it names must validate as the next level down. Runs
	 * of requests are merged into one mmu_update call. :*/
	if (queueing()) {
		if (nreqs == MAXREQS || ncalls == MAXCALLS)
			mmu_flush();
		struct multicall_entry *last = ncalls ? &calls[ncalls - 1] : 0;
		if (last && last->op == __HYPERVISOR_mmu_update &&
			 (struct mmu_update *)last->args[0] + last->args[1] == &reqs[nreqs]) {
			reqs[nreqs++] = (struct mmu_update){ maddr | MMU_NORMAL_PT_UPDATE, val };
			last->args[1]++;
			return;
		}
		reqs[nreqs] = (struct mmu_update){ maddr | MMU_NORMAL_PT_UPDATE, val };
		queue(__HYPERVISOR_mmu_update, (uint32_t)&reqs[nreqs], 1, 0, DOMID_SELF);
		nreqs++;
		return;
	}
	struct mmu_update u = { maddr | MMU_NORMAL_PT_UPDATE, val };
	struct multicall_entry e = { .op = __HYPERVISOR_mmu_update };
	check(&e, hv_mmu_update(&u, 1));
}

/* Change the mapping of kernel virtual address va in the current page tables. */
void mmu_set_va(uint32_t va, uint64_t pte)
{
	/*T:430 update_va_mapping.
	 * The same as an mmu_update of the L1 entry that maps va, but named by
	 * the virtual address: the hypervisor walks our current page tables to
	 * find the entry. We use it for the direct map, which is shared by all
	 * address spaces, so "current" does not matter. UVMF_INVLPG asks it to
	 * flush that one address from the TLB afterwards. :*/
	queue(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), UVMF_INVLPG);
}

/* An mmuext_op: pin, unpin, new base pointer. */
void mmu_ext(uint32_t cmd, uint32_t arg1)
{
	if (queueing()) {
		if (nexts == MAXEXT || ncalls == MAXCALLS)
			mmu_flush();
		struct multicall_entry *last = ncalls ? &calls[ncalls - 1] : 0;
		if (last && last->op == __HYPERVISOR_mmuext_op &&
			 (struct mmuext_op *)last->args[0] + last->args[1] == &exts[nexts]) {
			exts[nexts++] = (struct mmuext_op){ cmd, arg1, 0 };
			last->args[1]++;
			return;
		}
		exts[nexts] = (struct mmuext_op){ cmd, arg1, 0 };
		queue(__HYPERVISOR_mmuext_op, (uint32_t)&exts[nexts], 1, 0, DOMID_SELF);
		nexts++;
		return;
	}
	struct mmuext_op op = { cmd, arg1, 0 };
	struct multicall_entry e = { .op = __HYPERVISOR_mmuext_op };
	check(&e, hv_mmuext_op(&op, 1));
}

/* Name the ring-1 stack for traps from ring 3. */
void mmu_stack_switch(uint32_t esp)
{
	queue(__HYPERVISOR_stack_switch, KDATA_SEL, esp, 0, 0);
}

/* Write one GDT descriptor at machine address maddr. */
void mmu_descriptor(uint64_t maddr, uint64_t desc)
{
	queue(__HYPERVISOR_update_descriptor, (uint32_t)maddr, (uint32_t)(maddr >> 32), (uint32_t)desc,
	      (uint32_t)(desc >> 32));
}

/* Total hypercalls made so far (a multicall counts once). */
uint32_t hcall_total(void)
{
	uint32_t n = 0;

	for (int i = 0; i < 64; i++)
		n += hcall_count[i];
	return n;
}

/* The shell's hcalls command. */
void hcall_dump(void)
{
	printf("hypercalls by kind (lazy mmu %s): made / carried in multicalls\n", lazy_mmu ? "on" : "off");
	for (int i = 0; i < 64; i++)
		if (hcall_count[i] || hcall_batched[i])
			printf("  %-18s %6u / %u\n", hcall_names[i] ? hcall_names[i] : "?", hcall_count[i],
			       hcall_batched[i]);
	printf("  total %u\n", hcall_total());
}
