/*
 * Frames. Our memory is pfns 0 .. nr_pages-1; the P2M list the builder left
 * us (start_info.mfn_list) gives the machine frame behind each. The builder
 * mapped only the first few MiB; kvm_init() maps the rest at KERNBASE, and
 * the allocator hands out whole frames from a free list threaded through
 * them. frame_use[] records what each frame is for (the shell's mem command).
 */
#include "defs.h"

uint32_t *p2m;
uint32_t nr_pages;
uint8_t frame_use[MAXPAGES];

struct run {
	struct run *next;
};
static struct run *freelist;
static uint32_t nfree;

static const char *use_names[] = {
	[FR_FREE] = "free", [FR_KERNEL] = "kernel", [FR_PT] = "page tables",
	[FR_USER] = "user", [FR_GDT] = "gdt", [FR_GRANT] = "granted",
};

/* Put pfn back on the free list. */
void kfree(uint32_t pfn)
{
	struct run *r = P2V(pfn);

	if (pfn >= nr_pages || frame_use[pfn] == FR_FREE)
		panic("kfree: pfn %x", pfn);
	r->next = freelist;
	freelist = r;
	frame_use[pfn] = FR_FREE;
	nfree++;
}

/* Take a free frame for use; its contents are whatever it held. */
uint32_t kalloc(int use)
{
	int was = irq_save();
	struct run *r = freelist;

	if (!r)
		panic("out of memory");
	freelist = r->next;
	nfree--;
	irq_restore(was);
	uint32_t pfn = V2P(r);
	frame_use[pfn] = use;
	return pfn;
}

/* kalloc, then zero the frame. */
uint32_t kzalloc(int use)
{
	uint32_t pfn = kalloc(use);

	memset(P2V(pfn), 0, PGSIZE);
	return pfn;
}

/* How many frames are free. */
uint32_t kfree_count(void)
{
	return nfree;
}

/* Free every frame in [lo, hi). */
static void kfree_range(uint32_t lo, uint32_t hi)
{
	for (uint32_t pfn = hi; pfn-- > lo;) {
		frame_use[pfn] = FR_KERNEL;
		kfree(pfn);
	}
}

/* The boot-time map: frames below first_free belong to the image and the builder. */
void kinit(uint32_t first_free, uint32_t mapped_end)
{
	p2m = (uint32_t *)si->mfn_list;
	nr_pages = si->nr_pages < MAXPAGES ? si->nr_pages : MAXPAGES;
	for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
		frame_use[pfn] = FR_KERNEL;
	for (uint32_t i = 0; i < si->nr_pt_frames; i++)
		frame_use[V2P(si->pt_base) + i] = FR_PT;
	kfree_range(first_free, mapped_end);
}

/* Map every remaining frame at KERNBASE + pfn * 4096 and free it. */
void kvm_init(uint32_t mapped_end)
{
	uint32_t end = nr_pages, per_l1 = 512;

	/*T:400 Extending the kernel's map.
	 * The builder mapped the image and a little padding, up to a 4 MiB
	 * boundary; the rest of our frames are allocated to us but mapped
	 * nowhere. To map them we add L1 tables to the kernel's L2 (the one in
	 * L3 slot 3). Each new L1 is first an ordinary frame we fill with
	 * entries (pfn's mfn | present | writable); then we take away our
	 * writable mapping of it with update_va_mapping, because the hypervisor
	 * will not let a frame become a page table while any writable mapping
	 * of it exists; then mmu_update writes the L2 entry. At that moment the
	 * hypervisor validates the L1: every entry must name a frame this domain
	 * owns, with flags it allows. The whole sequence is batched (T:410). :*/
	lazy_enter();
	for (uint32_t pfn = mapped_end; pfn < end; pfn += per_l1) {
		uint32_t l1 = kalloc(FR_PT);
		uint64_t *pte = P2V(l1);
		for (uint32_t i = 0; i < per_l1; i++)
			pte[i] = pfn + i < end ? ((uint64_t)p2m[pfn + i] << PGSHIFT) | PTE_KERN : 0;
		mmu_set_va((uint32_t)P2V(l1), ((uint64_t)p2m[l1] << PGSHIFT) | PTE_KERN_RO);
		mmu_set(kernel_l2e_maddr(KERNBASE + pfn * PGSIZE), ((uint64_t)p2m[l1] << PGSHIFT) | PTE_TABLE);
	}
	lazy_leave();
	kfree_range(mapped_end, end);
}

/* The shell's mem command. */
void mem_dump(void)
{
	uint32_t count[FR_NUSE] = { 0 };

	for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
		count[frame_use[pfn]]++;
	printf("memory: %u frames of 4 KiB (pfn -> mfn through the P2M list at 0x%08x)\n", nr_pages, (uint32_t)p2m);
	for (int u = 0; u < FR_NUSE; u++)
		printf("  %-12s %5u\n", use_names[u], count[u]);
}
