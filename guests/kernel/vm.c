/*
 * Address spaces. Each process has its own PAE page tables: an L3 of four
 * entries, an L2 for user space (slot 0) with one L1 under it, and a private
 * copy of the kernel's L2 (slot 3) whose entries point at the kernel's shared
 * L1 tables. We build and change them only through the hypervisor
 * (mmu_update, update_va_mapping, mmuext_op, via mmu.c); we read them
 * directly, since every page-table frame stays mapped read-only at KERNBASE.
 */
#include "defs.h"

static uint32_t kl3_pfn, kl2_pfn;	/* the builder's tables: the idle process's */

/* Machine address of entry i of the table in frame pfn. */
static uint64_t maddr(uint32_t pfn, uint32_t i)
{
	return ((uint64_t)p2m[pfn] << PGSHIFT) + i * 8;
}

/* A page-table entry naming frame pfn's mfn with flags. */
static uint64_t entry(uint32_t mfn_of_pfn, uint32_t flags)
{
	return ((uint64_t)p2m[mfn_of_pfn] << PGSHIFT) | flags;
}

/* Find the builder's L3 and kernel L2; return how many pfns its L1s map. */
uint32_t vm_init(void)
{
	kl3_pfn = V2P(si->pt_base);
	uint64_t *l3 = P2V(kl3_pfn);
	kl2_pfn = M2P[PTE_ADDR(l3[3])];
	uint64_t *l2 = P2V(kl2_pfn);
	uint32_t n = 0;
	while (n < 428 && (l2[n] & PTE_P))
		n++;
	return n * 512;
}

/* Machine address of the kernel L2 entry that maps va. */
uint64_t kernel_l2e_maddr(uint32_t va)
{
	return maddr(kl2_pfn, (va >> 21) & 511);
}

/* A frame for a page table: zeroed, then its direct mapping made read-only. */
static uint32_t pt_alloc(void)
{
	uint32_t pfn = kzalloc(FR_PT);

	mmu_set_va((uint32_t)P2V(pfn), entry(pfn, PTE_KERN_RO));
	return pfn;
}

/* Make a fresh address space holding only the kernel; pin it. */
void vm_create(struct pgdir *pd)
{
	memset(pd, 0, sizeof(*pd));
	lazy_enter();
	uint32_t l3 = kzalloc(FR_PT), l2k = kzalloc(FR_PT);
	/*T:440 A new L3, and why it is written directly once.
	 * Xen's rule for a 32-bit guest: the L2 under L3 slot 3 holds the
	 * hypervisor's own mappings (the M2P table) in its top 84 entries, which
	 * the hypervisor fills in itself, so slot 3 must be present whenever the
	 * L3 is validated, and may never change afterwards. That L2 must also
	 * belong to this L3 alone. So before the L3 becomes a page table, while
	 * it is still an ordinary frame we may write, we store its one
	 * unchangeable entry: slot 3 -> a fresh, empty L2. Then both frames
	 * lose their writable mappings. :*/
	((uint64_t *)P2V(l3))[3] = entry(l2k, PTE_TABLE);
	mmu_set_va((uint32_t)P2V(l3), entry(l3, PTE_KERN_RO));
	mmu_set_va((uint32_t)P2V(l2k), entry(l2k, PTE_KERN_RO));
	/*T:450 Pinning.
	 * MMUEXT_PIN_L3_TABLE asks the hypervisor to validate the frame as an L3
	 * now (and, through it, the L2 under slot 3) and to keep it validated
	 * until we unpin it, even while no vcpu uses it as its base pointer.
	 * Without the pin the hypervisor would forget a table's type as soon as
	 * its last use went away and validate it again on the next use; with it,
	 * switching to this address space costs no validation. Every change from
	 * here on is checked as it is made. :*/
	mmu_ext(MMUEXT_PIN_L3_TABLE, p2m[l3]);
	/*T:460 Sharing the kernel.
	 * The kernel half of every address space is the same: entries of our
	 * private slot-3 L2 pointing at the kernel's L1 tables, one per 2 MiB of
	 * the direct map. Each is an mmu_update; the hypervisor accepts an L1
	 * referenced from many L2s and counts the references. :*/
	uint64_t *kl2 = P2V(kl2_pfn);
	for (int i = 0; i < 428; i++)
		if (kl2[i] & PTE_P)
			mmu_set(maddr(l2k, i), kl2[i]);
	lazy_leave();
	pd->l3 = l3;
	pd->l2[3] = l2k;
	pd->pinned = 1;
}

/* The L1 (pfn) that maps va in pd, creating it (and its L2) if create; 0 if none. */
static uint32_t l1_for(struct pgdir *pd, uint32_t va, int create)
{
	uint32_t region = va & ~0x1FFFFFu, slot = va >> 30;

	for (int i = 0; i < pd->nl1; i++)
		if (pd->l1va[i] == region)
			return pd->l1[i];
	if (!create)
		return 0;
	if (pd->nl1 == MAXPT)
		panic("vm: too many L1 tables");
	/*T:470 Growing a tree top-down.
	 * A new table is linked in by an mmu_update of its parent's entry. The
	 * hypervisor then validates the new table (a zeroed frame, so there is
	 * nothing in it to check) and from then on treats the frame as a page
	 * table: it refuses any writable mapping of it, and every later write
	 * must come through mmu_update. Order matters, and the batch keeps it:
	 * the read-only remap of the frame comes before the entry that makes it
	 * a table. :*/
	if (!pd->l2[slot]) {
		pd->l2[slot] = pt_alloc();
		mmu_set(maddr(pd->l3, slot), entry(pd->l2[slot], PTE_TABLE));
	}
	uint32_t l1 = pt_alloc();
	mmu_set(maddr(pd->l2[slot], (va >> 21) & 511), entry(l1, PTE_TABLE));
	pd->l1[pd->nl1] = l1;
	pd->l1va[pd->nl1++] = region;
	return l1;
}

/* Map the page at user address va to frame pfn. */
void vm_map(struct pgdir *pd, uint32_t va, uint32_t pfn)
{
	uint32_t l1 = l1_for(pd, va, 1);

	mmu_set(maddr(l1, (va >> 12) & 511), entry(pfn, PTE_USER));
}

/* The L1 entry for user address va (0 if none). Sends any queued updates first. */
uint64_t vm_lookup(struct pgdir *pd, uint32_t va)
{
	uint32_t l1 = l1_for(pd, va, 0);

	/*T:480 Reading page tables is free.
	 * Page-table frames stay mapped, read-only, in the direct map, so
	 * looking at an entry is a plain load, no hypercall. The one catch is
	 * lazy mode: an update still in the queue has not happened yet, so
	 * before trusting what we read we send the queue. :*/
	if (lazy_depth())
		mmu_flush();
	return l1 ? ((uint64_t *)P2V(l1))[(va >> 12) & 511] : 0;
}

/* Give dst a copy of every user page of src. */
void vm_copy(struct pgdir *dst, struct pgdir *src)
{
	lazy_enter();
	for (int i = 0; i < src->nl1; i++) {
		uint64_t *pte = P2V(src->l1[i]);
		for (int k = 0; k < 512; k++) {
			if (!(pte[k] & PTE_P))
				continue;
			uint32_t pfn = kalloc(FR_USER);
			memcpy(P2V(pfn), P2V(M2P[PTE_ADDR(pte[k])]), PGSIZE);
			vm_map(dst, src->l1va[i] + k * PGSIZE, pfn);
		}
	}
	lazy_leave();
}

/* Make pd the current address space (queued if in lazy mode). */
void vm_switch(struct pgdir *pd)
{
	/*T:490 Switching address spaces.
	 * MMUEXT_NEW_BASEPTR is the PV MOV to CR3: it names the L3 by mfn; the
	 * hypervisor checks that the frame is (or validates it as) an L3 of
	 * ours, installs it, and flushes the TLB. The idle process has no
	 * address space of its own and runs on the builder's tables. :*/
	mmu_ext(MMUEXT_NEW_BASEPTR, p2m[pd->l3 ? pd->l3 : kl3_pfn]);
}

/* Tear pd down: unpin it and free every frame it used. pd must not be current. */
void vm_free(struct pgdir *pd)
{
	if (!pd->l3)
		return;
	lazy_enter();
	/*T:495 Unpinning.
	 * MMUEXT_UNPIN_TABLE drops the pin's reference. If nothing else uses the
	 * L3 (it is no vcpu's base pointer: we switched away first), the
	 * hypervisor un-validates it and, level by level, the tables under it:
	 * they become ordinary frames again, and the user frames they mapped lose
	 * those references. Only then may we map the table frames writable once
	 * more and reuse them; the remaps are queued after the unpin so they
	 * happen after it. :*/
	mmu_ext(MMUEXT_UNPIN_TABLE, p2m[pd->l3]);
	uint32_t pts[4 + MAXPT];
	int n = 0;
	pts[n++] = pd->l3;
	for (int s = 0; s < 4; s++)
		if (pd->l2[s])
			pts[n++] = pd->l2[s];
	for (int i = 0; i < pd->nl1; i++)
		pts[n++] = pd->l1[i];
	for (int i = 0; i < n; i++)
		mmu_set_va((uint32_t)P2V(pts[i]), entry(pts[i], PTE_KERN));
	lazy_leave();
	for (int i = 0; i < pd->nl1; i++) {
		uint64_t *pte = P2V(pd->l1[i]);
		for (int k = 0; k < 512; k++)
			if (pte[k] & PTE_P)
				kfree(M2P[PTE_ADDR(pte[k])]);
	}
	for (int i = 0; i < n; i++)
		kfree(pts[i]);
	memset(pd, 0, sizeof(*pd));
}

/* Is [va, va+n) user memory mapped in pd (and writable, if write)? */
int vm_user_ok(struct pgdir *pd, uint32_t va, uint32_t n, int write)
{
	if (va < USERBASE || va >= USERTOP || n > USERTOP - va)
		return 0;
	for (uint32_t p = PGROUNDDOWN(va); p < va + n; p += PGSIZE) {
		uint64_t e = vm_lookup(pd, p);
		if (!(e & PTE_P) || !(e & PTE_U) || (write && !(e & PTE_W)))
			return 0;
	}
	return 1;
}

/* Count the pages mapped in pd. */
int vm_pages(struct pgdir *pd)
{
	int n = 0;

	for (int i = 0; i < pd->nl1; i++)
		for (int k = 0; k < 512; k++)
			n += !!(((uint64_t *)P2V(pd->l1[i]))[k] & PTE_P);
	return n;
}

/* The shell's pt command: pd's tables and what is pinned. */
void vm_dump(struct pgdir *pd)
{
	if (!pd->l3) {
		printf("no address space of its own\n");
		return;
	}
	uint64_t *l3 = P2V(pd->l3);
	printf("L3 mfn %x (%s, read-only to us; changed only by mmu_update)\n", p2m[pd->l3],
	       pd->pinned ? "pinned" : "not pinned");
	for (int s = 0; s < 4; s++) {
		if (!(l3[s] & PTE_P))
			continue;
		printf("  slot %d -> L2 mfn %x %s\n", s, PTE_ADDR(l3[s]),
		       s == 3 ? "(kernel + hypervisor; private to this L3)" : "(user)");
	}
	for (int i = 0; i < pd->nl1; i++) {
		uint64_t *pte = P2V(pd->l1[i]);
		printf("    L1 mfn %x maps 0x%08x-0x%08x:", p2m[pd->l1[i]], pd->l1va[i], pd->l1va[i] + 0x1FFFFF);
		for (int k = 0; k < 512; k++) {
			if (!(pte[k] & PTE_P))
				continue;
			int e = k;
			while (e + 1 < 512 && (pte[e + 1] & PTE_P))
				e++;
			printf(" 0x%08x+%d", pd->l1va[i] + k * PGSIZE, e - k + 1);
			k = e;
		}
		printf(" pages\n");
	}
	uint64_t *kl2 = P2V(pd->l2[3]);
	int shared = 0;
	for (int i = 0; i < 428; i++)
		shared += !!(kl2[i] & PTE_P);
	printf("  kernel: %d shared L1 tables (direct map), hypervisor: L2 slots 428-511\n", shared);
}
