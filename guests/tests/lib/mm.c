/*
 * Frames and mappings for test kernels. The builder maps the domain 1:1 from
 * VIRT_BASE up to a 4 MiB boundary at least 512 KiB past the boot stack (ABI map
 * 2.1, 2.2); the pages after the boot stack are free, and alloc_page hands them
 * out. Page tables are read through that mapping (the builder maps them
 * read-only) and changed only through the hypervisor: mmu_update with the
 * machine address of an entry, update_va_mapping for one VA (5.2, 5.4).
 * MFN -> VA goes through the hypervisor's read-only M2P table (6.3).
 */
#include "test.h"

#define PAGE 4096u

uint32_t *p2m;
uint64_t *cur_l3;
static unsigned long next_free_pfn, mapped_end_pfn;

unsigned long va_to_pfn(const void *va)
{
	return ((unsigned long)va - (unsigned long)VIRT_BASE) / PAGE;
}

void *pfn_to_va(unsigned long pfn)
{
	return VIRT_BASE + pfn * PAGE;
}

void mm_init(void)
{
	if (p2m)
		return;
	p2m = (uint32_t *)start_info->mfn_list;
	cur_l3 = (uint64_t *)start_info->pt_base;
	next_free_pfn = va_to_pfn((void *)boot_esp);
	/* The mapped area ends at the 4 MiB boundary after boot stack + 512 KiB (2.2). */
	mapped_end_pfn = va_to_pfn((void *)(((boot_esp + 0x80000) & ~0x3fffffUL) + 0x400000));
	if (mapped_end_pfn > start_info->nr_pages)
		mapped_end_pfn = start_info->nr_pages;
}

uint32_t va_to_mfn(const void *va)
{
	mm_init();
	return p2m[va_to_pfn(va)];
}

void *mfn_to_va(uint32_t mfn)
{
	return pfn_to_va(M2P[mfn]);
}

uint64_t *l2e_of(unsigned long va)
{
	uint64_t l3e;

	mm_init();
	l3e = cur_l3[va >> 30];
	if (!(l3e & _PAGE_PRESENT))
		return 0;
	return (uint64_t *)mfn_to_va((uint32_t)(l3e >> 12)) + ((va >> 21) & 511);
}

uint64_t l2e_maddr(unsigned long va)
{
	uint64_t l3e;

	mm_init();
	l3e = cur_l3[va >> 30];
	return ((l3e >> 12) << 12 & 0xffffffffff000ull) + ((va >> 21) & 511) * 8;
}

uint64_t *l1e_of(unsigned long va)
{
	uint64_t *l2e = l2e_of(va);

	if (!l2e || !(*l2e & _PAGE_PRESENT))
		return 0;
	return (uint64_t *)mfn_to_va((uint32_t)(*l2e >> 12)) + ((va >> 12) & 511);
}

uint64_t l1e_maddr(unsigned long va)
{
	uint64_t *l2e = l2e_of(va);

	if (!l2e || !(*l2e & _PAGE_PRESENT))
		return 0;
	return ((*l2e >> 12) << 12 & 0xffffffffff000ull) + ((va >> 12) & 511) * 8;
}

void *alloc_page(void)
{
	void *va;

	mm_init();
	if (next_free_pfn >= mapped_end_pfn) {
		printf("FAILED alloc_page: out of mapped memory\n");
		shutdown(SHUTDOWN_crash);
	}
	va = pfn_to_va(next_free_pfn++);
	memset(va, 0, PAGE);
	return va;
}

long set_page_rw(void *va, int rw)
{
	uint64_t pte = *l1e_of((unsigned long)va);

	pte = rw ? (pte | _PAGE_RW) : (pte & ~(uint64_t)_PAGE_RW);
	return HYPERVISOR_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);
}

void set_user(const void *start, const void *end)
{
	for (unsigned long va = (unsigned long)start & ~(PAGE - 1); va < (unsigned long)end; va += PAGE) {
		uint64_t pte = *l1e_of(va) | _PAGE_USER;
		long rc = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);
		if (rc)
			check_detail(0, "set_user", "update_va_mapping(0x%x) returned %d", (unsigned)va, (int)rc);
	}
}

long mmu_update1(uint64_t ptr, uint64_t val)
{
	struct mmu_update u = { .ptr = ptr, .val = val };

	return HYPERVISOR_mmu_update(&u, 1, 0, DOMID_SELF);
}

long mmuext1(unsigned cmd, unsigned long arg1, unsigned long arg2)
{
	struct mmuext_op op = { .cmd = cmd, .arg1 = arg1, .arg2 = arg2 };

	return HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
}
