/*
 * Our own GDT: ring-3 code and data segments for processes, and the TLS
 * segment each process points %gs at. The kernel keeps the flat ring-1
 * selectors the hypervisor provides in every domain (FLAT_KERNEL_CS/DS), so
 * the trap table and callbacks never depend on this table.
 */
#include "defs.h"

static uint64_t gdt[PGSIZE / 8] __attribute__((aligned(PGSIZE)));
static uint32_t gdt_pfn;

/* A present, 4 GiB, 32-bit segment descriptor: type is 0xA (code) or 0x2 (data). */
static uint64_t segdesc(uint32_t base, int type, int dpl)
{
	uint32_t lo = 0xFFFF | (base << 16);
	uint32_t hi = ((base >> 16) & 0xFF) | (base & 0xFF000000) | 0x00CF0000 |
		      (1u << 15) | ((uint32_t)dpl << 13) | (1u << 12) | ((uint32_t)(type | 1) << 8);

	return ((uint64_t)hi << 32) | lo;
}

/* Load our GDT with set_gdt. */
void gdt_init(void)
{
	gdt[GDT_UCODE] = segdesc(0, 0xA, 3);
	gdt[GDT_UDATA] = segdesc(0, 0x2, 3);
	gdt[GDT_TLS] = segdesc(0, 0x2, 3);
	gdt_pfn = V2P(gdt);
	frame_use[gdt_pfn] = FR_GDT;
	/*T:510 set_gdt.
	 * The hypervisor must be sure no descriptor lets a guest reach ring 0,
	 * so a GDT frame is, like a page table, read-only to its owner and
	 * checked as a whole: set_gdt takes a list of mfns and the number of
	 * entries, validates every descriptor in those frames (DPL 0 becomes
	 * DPL 1; system descriptors other than call gates are refused), and
	 * refuses a frame we still have a writable mapping of. So first the
	 * frame's direct mapping becomes read-only (update_va_mapping), then
	 * set_gdt. The hypervisor's own descriptors, the flat selectors at
	 * 0xE000 and up, stay visible above ours. :*/
	mmu_set_va((uint32_t)gdt, ((uint64_t)p2m[gdt_pfn] << PGSHIFT) | PTE_KERN_RO);
	uint32_t mfn = p2m[gdt_pfn];
	if (hv_set_gdt(&mfn, NGDT))
		panic("set_gdt failed");
}

/* Point the TLS descriptor at base (queued: part of the context switch). */
void gdt_set_tls(uint32_t base)
{
	/*T:520 update_descriptor.
	 * With the GDT read-only, changing one descriptor is a hypercall: its
	 * machine address (the GDT frame's mfn plus the slot's offset) and the
	 * new 8 bytes, which are checked as set_gdt would check them. We change
	 * the TLS descriptor on every context switch, so that the same %gs
	 * selector finds each process's own thread-local area. A segment
	 * register caches its descriptor when loaded: the new base takes effect
	 * when trapret reloads %gs on the way back to ring 3. :*/
	mmu_descriptor(((uint64_t)p2m[gdt_pfn] << PGSHIFT) + GDT_TLS * 8, segdesc(base, 0x2, 3));
}
