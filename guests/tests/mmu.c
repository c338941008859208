/*
 * mmu: page-table hypercalls (ABI map 5.2-5.4, 6.1-6.5): update_va_mapping,
 * update_va_mapping_otherdomain, mmu_update (normal and M2P updates, batches and
 * their done count), mmuext_op (pin/unpin at each level, new base pointer,
 * flushes, LDT, clear/copy page) and what Xen refuses.
 *
 * Expected lines:
 *   OK update_va_mapping maps a second VA of a page
 *   OK the alias reads what the first VA wrote
 *   OK update_va_mapping clears the alias
 *   OK the cleared alias faults: #PF error 0, CR2
 *   OK update_va_mapping of a VA without an L1: -EINVAL
 *   OK update_va_mapping with PCD|PWT: -EINVAL
 *   OK update_va_mapping with PSE in an L1 entry: -EINVAL
 *   OK a writable mapping of a page table: refused with -EBUSY
 *   OK a read-only mapping of a page table is allowed
 *   OK a mapping of a frame the domain does not own: -EBUSY
 *   OK update_va_mapping_otherdomain DOMID_SELF maps
 *   OK update_va_mapping_otherdomain naming ourselves: -ESRCH
 *   OK update_va_mapping_otherdomain of an unknown domain: -ESRCH
 *   OK mmu_update batch of 2 writes both L1 entries, done = 2
 *   OK mmu_update stops at the first failure: -EBUSY, done = 1
 *   OK mmu_update with command 4: -ENOSYS
 *   OK mmu_update of a plain page writes the value unchecked
 *   OK MMU_MACHPHYS_UPDATE changes the M2P entry
 *   OK MMU_MACHPHYS_UPDATE of a frame we do not own: refused
 *   OK mmu_update with an unmapped request pointer: -EFAULT
 *   OK PIN_L1_TABLE of a page still mapped writable: -EINVAL
 *   OK PIN_L1_TABLE of a table with a bad entry: -EINVAL
 *   OK PIN_L1_TABLE of a good table
 *   OK PIN_L1_TABLE again: -EINVAL
 *   OK a pinned L1 cannot be mapped writable
 *   OK mmu_update hooks the new L1 into the L2
 *   OK the VA mapped by the new L1 reads the data page
 *   OK UNPIN_TABLE of the L1 in use
 *   OK UNPIN_TABLE of a table that is not pinned: -EINVAL
 *   OK mmu_update of an L2 entry with PSE: -EINVAL
 *   OK mmu_update of an L2 slot in Xen's range: -EPERM
 *   OK PIN_L2_TABLE of a good table
 *   OK PIN_L3_TABLE without slot 3: -EINVAL
 *   OK PIN_L3_TABLE whose slot-3 L2 is already another L3's: -EINVAL
 *   OK PIN_L3_TABLE of a new L3
 *   OK PIN_L4_TABLE is ignored for a 32-bit guest
 *   OK NEW_BASEPTR switches to the new L3
 *   OK MOV from CR3 shows the new L3
 *   OK the kernel still runs on the new page tables
 *   OK NEW_BASEPTR back to the boot L3
 *   OK mmu_update of L3 slot 3: -EINVAL
 *   OK UNPIN the new L3 and L2
 *   OK TLB_FLUSH_LOCAL, INVLPG_LOCAL, TLB_FLUSH_ALL, INVLPG_ALL, TLB_FLUSH_MULTI
 *   OK FLUSH_CACHE without I/O resources: -EACCES
 *   OK SET_LDT with a misaligned base: -EINVAL
 *   OK SET_LDT with more than 8192 entries: -EINVAL
 *   OK SET_LDT with 0 entries
 *   OK CLEAR_PAGE zeroes a frame
 *   OK COPY_PAGE copies a frame
 *   OK CLEAR_PAGE of a page table: -EINVAL
 *   OK mmuext_op command 14: -ENOSYS
 *   OK MARK_SUPER: -EOPNOTSUPP
 *   OK mmuext_op batch stops at the failure: done = 1
 *   OK mmuext_op flush naming an unknown foreign domain: -ESRCH
 */
#include "test.h"

#define PAGE 4096u

static char alias[PAGE] __attribute__((aligned(4096)));
static char alias2[PAGE] __attribute__((aligned(4096)));

static uint64_t pte_of(const void *va)
{
	return *l1e_of((unsigned long)va);
}

/* A frame the domain does not own: one of the machine's frames outside our P2M, not shared_info. */
static uint32_t foreign_mfn(void)
{
	long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, 0);
	uint32_t shinfo = start_info->shared_info >> 12;

	for (uint32_t m = 0; max > 0 && m < (uint32_t)max; m++) {
		uint32_t pfn = rd32(&M2P[m]);
		if (m != shinfo && (pfn >= start_info->nr_pages || p2m[pfn] != m))
			return m;
	}
	return 0xffffffffu;
}

static void va_mapping_checks(void)
{
	char *page = alloc_page();
	uint32_t mfn = va_to_mfn(page), fmfn;
	long rc;

	rc = HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO), UVMF_INVLPG);
	check_eq(rc, 0, "update_va_mapping maps a second VA of a page");
	page[100] = 0x5a;
	check_eq(rd8(&alias[100]), 0x5a, "the alias reads what the first VA wrote");
	rc = HYPERVISOR_update_va_mapping((unsigned long)alias, 0, UVMF_INVLPG);
	check_eq(rc, 0, "update_va_mapping clears the alias");
	trap_clear();
	__asm__ volatile(TRAP_INSN("movb (%0), %%al") :: "r" (alias + 8) : "eax", "memory");
	check(last_trap.vector == 14 && last_trap.err == 0 && last_trap.cr2 == (uint32_t)alias + 8,
	      "the cleared alias faults: #PF error 0, CR2");

	check_eq(HYPERVISOR_update_va_mapping(0x00400000, make_pte(mfn, PTE_KERNEL_RO), UVMF_INVLPG), -XEN_EINVAL,
		 "update_va_mapping of a VA without an L1: -EINVAL");
	check_eq(HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO | _PAGE_PCD | _PAGE_PWT),
					      UVMF_INVLPG), -XEN_EINVAL, "update_va_mapping with PCD|PWT: -EINVAL");
	check_eq(HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO | _PAGE_PSE), UVMF_INVLPG),
		 -XEN_EINVAL, "update_va_mapping with PSE in an L1 entry: -EINVAL");

	uint32_t l3mfn = va_to_mfn((void *)start_info->pt_base);
	check_eq(HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(l3mfn, PTE_KERNEL_RW), UVMF_INVLPG),
		 -XEN_EBUSY, "a writable mapping of a page table: refused with -EBUSY");
	check_eq(HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(l3mfn, PTE_KERNEL_RO), UVMF_INVLPG), 0,
		 "a read-only mapping of a page table is allowed");
	HYPERVISOR_update_va_mapping((unsigned long)alias, 0, UVMF_INVLPG);

	fmfn = foreign_mfn();
	rc = HYPERVISOR_update_va_mapping((unsigned long)alias, make_pte(fmfn, PTE_KERNEL_RO), UVMF_INVLPG);
	check_detail(fmfn != 0xffffffffu && rc == -XEN_EBUSY, "a mapping of a frame the domain does not own: -EBUSY",
		     "mfn 0x%x rc %d", fmfn, (int)rc);

	check_eq(HYPERVISOR_update_va_mapping_otherdomain((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO), UVMF_INVLPG,
							  DOMID_SELF), 0,
		 "update_va_mapping_otherdomain DOMID_SELF maps");
	check_eq(HYPERVISOR_update_va_mapping_otherdomain((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO), UVMF_INVLPG,
							  self_domid()), -XEN_ESRCH,
		 "update_va_mapping_otherdomain naming ourselves: -ESRCH");
	check_eq(HYPERVISOR_update_va_mapping_otherdomain((unsigned long)alias, make_pte(mfn, PTE_KERNEL_RO), UVMF_INVLPG,
							  0x7000), -XEN_ESRCH,
		 "update_va_mapping_otherdomain of an unknown domain: -ESRCH");
	HYPERVISOR_update_va_mapping((unsigned long)alias, 0, UVMF_INVLPG);
}

static void mmu_update_checks(void)
{
	char *page = alloc_page(), *plain = alloc_page();
	uint32_t mfn = va_to_mfn(page), l3mfn = va_to_mfn((void *)start_info->pt_base);
	struct mmu_update u[2];
	unsigned done = 99;
	long rc;

	u[0].ptr = l1e_maddr((unsigned long)alias) | MMU_NORMAL_PT_UPDATE;
	u[0].val = make_pte(mfn, PTE_KERNEL_RO);
	u[1].ptr = l1e_maddr((unsigned long)alias2) | MMU_NORMAL_PT_UPDATE;
	u[1].val = make_pte(mfn, PTE_KERNEL_RO);
	rc = HYPERVISOR_mmu_update(u, 2, &done, DOMID_SELF);
	HYPERVISOR_mmuext_op(&(struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, 1, 0, DOMID_SELF);
	page[5] = 0x77;
	check(rc == 0 && done == 2 && rd8(&alias[5]) == 0x77 && rd8(&alias2[5]) == 0x77,
	      "mmu_update batch of 2 writes both L1 entries, done = 2");

	u[0].val = 0;
	u[1].val = make_pte(l3mfn, PTE_KERNEL_RW);
	done = 99;
	rc = HYPERVISOR_mmu_update(u, 2, &done, DOMID_SELF);
	check_detail(rc == -XEN_EBUSY && done == 1 && pte_of(alias) == 0, "mmu_update stops at the first failure: -EBUSY, done = 1",
		     "rc %d done %u", (int)rc, done);
	mmu_update1(l1e_maddr((unsigned long)alias2), 0);
	HYPERVISOR_mmuext_op(&(struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, 1, 0, DOMID_SELF);

	check_eq(mmu_update1(l1e_maddr((unsigned long)alias) | 4, 0), -XEN_ENOSYS, "mmu_update with command 4: -ENOSYS");

	/* A frame that is not a page table takes a raw 8-byte write (5.2). */
	rc = mmu_update1(((uint64_t)va_to_mfn(plain) << 12) + 16, 0x1122334455667788ull);
	check(rc == 0 && *(uint64_t *)(plain + 16) == 0x1122334455667788ull,
	      "mmu_update of a plain page writes the value unchecked");

	uint32_t pfn = rd32(&M2P[mfn]);
	rc = mmu_update1(((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, 0x1234);
	check(rc == 0 && rd32(&M2P[mfn]) == 0x1234, "MMU_MACHPHYS_UPDATE changes the M2P entry");
	mmu_update1(((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE, pfn);
	rc = mmu_update1(((uint64_t)foreign_mfn() << 12) | MMU_MACHPHYS_UPDATE, 0x1234);
	check_detail(rc < 0, "MMU_MACHPHYS_UPDATE of a frame we do not own: refused", "rc %d", (int)rc);

	check_eq(HYPERVISOR_mmu_update((struct mmu_update *)0x00200000, 1, 0, DOMID_SELF), -XEN_EFAULT,
		 "mmu_update with an unmapped request pointer: -EFAULT");
}

/* Build an L2 for L3 slot 3 that maps what the current one maps below Xen's slots. */
static uint64_t *copy_slot3_l2(void)
{
	uint64_t *l2 = alloc_page(), *cur = l2e_of(0xc0000000);

	for (unsigned i = 0; i < XEN_L2_FIRST_SLOT; i++)
		l2[i] = cur[i];
	return l2;
}

static void pin_checks(void)
{
	uint64_t *l1 = alloc_page(), *bad = alloc_page();
	char *data = alloc_page();
	uint32_t l1mfn = va_to_mfn(l1), dmfn = va_to_mfn(data);
	unsigned long va = 0xe0000000;	/* in the slot-3 L2, below Xen's slots, unused */
	long rc;

	l1[0] = make_pte(dmfn, PTE_KERNEL_RW);
	data[0] = 0x3c;
	check_eq(mmuext1(MMUEXT_PIN_L1_TABLE, l1mfn, 0), -XEN_EINVAL, "PIN_L1_TABLE of a page still mapped writable: -EINVAL");
	bad[3] = make_pte(dmfn, PTE_KERNEL_RO | _PAGE_PCD);
	set_page_rw(bad, 0);
	check_eq(mmuext1(MMUEXT_PIN_L1_TABLE, va_to_mfn(bad), 0), -XEN_EINVAL, "PIN_L1_TABLE of a table with a bad entry: -EINVAL");

	set_page_rw(l1, 0);
	check_eq(mmuext1(MMUEXT_PIN_L1_TABLE, l1mfn, 0), 0, "PIN_L1_TABLE of a good table");
	check_eq(mmuext1(MMUEXT_PIN_L1_TABLE, l1mfn, 0), -XEN_EINVAL, "PIN_L1_TABLE again: -EINVAL");
	check_eq(set_page_rw(l1, 1), -XEN_EBUSY, "a pinned L1 cannot be mapped writable");

	rc = mmu_update1(l2e_maddr(va), make_pte(l1mfn, PTE_TABLE));
	check_eq(rc, 0, "mmu_update hooks the new L1 into the L2");
	check_eq(rd8((void *)va), 0x3c, "the VA mapped by the new L1 reads the data page");
	check_eq(mmuext1(MMUEXT_UNPIN_TABLE, l1mfn, 0), 0, "UNPIN_TABLE of the L1 in use");
	check_eq(mmuext1(MMUEXT_UNPIN_TABLE, l1mfn, 0), -XEN_EINVAL, "UNPIN_TABLE of a table that is not pinned: -EINVAL");
	check_eq(mmu_update1(l2e_maddr(va + 0x200000), make_pte(dmfn, PTE_TABLE | _PAGE_PSE)), -XEN_EINVAL,
		 "mmu_update of an L2 entry with PSE: -EINVAL");
	check_eq(mmu_update1(l2e_maddr(0xf6000000), make_pte(l1mfn, PTE_TABLE)), -XEN_EPERM,
		 "mmu_update of an L2 slot in Xen's range: -EPERM");

	/* A whole new address space: L3 -> fresh slot-3 L2 -> the existing L1s. */
	uint64_t *l2 = copy_slot3_l2(), *l3 = alloc_page(), *l3b = alloc_page();
	uint32_t l2mfn = va_to_mfn(l2), l3mfn = va_to_mfn(l3), boot_l3 = va_to_mfn((void *)start_info->pt_base);
	set_page_rw(l2, 0);
	check_eq(mmuext1(MMUEXT_PIN_L2_TABLE, l2mfn, 0), 0, "PIN_L2_TABLE of a good table");
	mmuext1(MMUEXT_UNPIN_TABLE, l2mfn, 0);	/* a plain L2 cannot be the slot-3 L2 while pinned as such */

	l3b[0] = 0;
	set_page_rw(l3b, 0);
	check_eq(mmuext1(MMUEXT_PIN_L3_TABLE, va_to_mfn(l3b), 0), -XEN_EINVAL, "PIN_L3_TABLE without slot 3: -EINVAL");
	set_page_rw(l3b, 1);
	l3b[3] = cur_l3[3];
	set_page_rw(l3b, 0);
	check_eq(mmuext1(MMUEXT_PIN_L3_TABLE, va_to_mfn(l3b), 0), -XEN_EINVAL,
		 "PIN_L3_TABLE whose slot-3 L2 is already another L3's: -EINVAL");

	l3[3] = make_pte(l2mfn, _PAGE_PRESENT);
	set_page_rw(l3, 0);
	rc = mmuext1(MMUEXT_PIN_L3_TABLE, l3mfn, 0);
	check_eq(rc, 0, "PIN_L3_TABLE of a new L3");
	check_eq(mmuext1(MMUEXT_PIN_L4_TABLE, l3mfn, 0), 0, "PIN_L4_TABLE is ignored for a 32-bit guest");
	rc = mmuext1(MMUEXT_NEW_BASEPTR, l3mfn, 0);
	check_eq(rc, 0, "NEW_BASEPTR switches to the new L3");
	if (rc == 0) {
		uint32_t cr3;
		cur_l3 = l3;
		__asm__ volatile("movl %%cr3, %0" : "=r" (cr3));
		check_eq(cr3, (l3mfn << 12) | (l3mfn >> 20), "MOV from CR3 shows the new L3");
		check_eq(rd8((void *)va), 0x3c, "the kernel still runs on the new page tables");
		check_eq(mmuext1(MMUEXT_NEW_BASEPTR, boot_l3, 0), 0, "NEW_BASEPTR back to the boot L3");
		cur_l3 = (uint64_t *)start_info->pt_base;
	}
	check_eq(mmu_update1(((uint64_t)l3mfn << 12) + 3 * 8, make_pte(l2mfn, _PAGE_PRESENT)), -XEN_EINVAL,
		 "mmu_update of L3 slot 3: -EINVAL");
	check(mmuext1(MMUEXT_UNPIN_TABLE, l3mfn, 0) == 0, "UNPIN the new L3 and L2");
}

static void mmuext_misc_checks(void)
{
	uint32_t mask = 1;
	struct mmuext_op ops[5] = {
		{ .cmd = MMUEXT_TLB_FLUSH_LOCAL },
		{ .cmd = MMUEXT_INVLPG_LOCAL, .arg1 = (uint32_t)alias },
		{ .cmd = MMUEXT_TLB_FLUSH_ALL },
		{ .cmd = MMUEXT_INVLPG_ALL, .arg1 = (uint32_t)alias },
		{ .cmd = MMUEXT_TLB_FLUSH_MULTI, .arg2 = (uint32_t)&mask },
	};
	unsigned done = 0;
	char *a = alloc_page(), *b = alloc_page();
	long rc;

	rc = HYPERVISOR_mmuext_op(ops, 5, &done, DOMID_SELF);
	check(rc == 0 && done == 5, "TLB_FLUSH_LOCAL, INVLPG_LOCAL, TLB_FLUSH_ALL, INVLPG_ALL, TLB_FLUSH_MULTI");
	check_eq(mmuext1(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES, "FLUSH_CACHE without I/O resources: -EACCES");
	check_eq(mmuext1(MMUEXT_SET_LDT, (unsigned long)a + 8, 1), -XEN_EINVAL, "SET_LDT with a misaligned base: -EINVAL");
	check_eq(mmuext1(MMUEXT_SET_LDT, (unsigned long)a, 8193), -XEN_EINVAL, "SET_LDT with more than 8192 entries: -EINVAL");
	check_eq(mmuext1(MMUEXT_SET_LDT, 0, 0), 0, "SET_LDT with 0 entries");

	memset(a, 0xaa, PAGE);
	memset(b, 0x55, PAGE);
	rc = mmuext1(MMUEXT_CLEAR_PAGE, va_to_mfn(a), 0);
	check(rc == 0 && a[0] == 0 && a[PAGE - 1] == 0, "CLEAR_PAGE zeroes a frame");
	rc = mmuext1(MMUEXT_COPY_PAGE, va_to_mfn(a), va_to_mfn(b));
	check(rc == 0 && a[0] == 0x55 && a[PAGE - 1] == 0x55, "COPY_PAGE copies a frame");
	check_eq(mmuext1(MMUEXT_CLEAR_PAGE, va_to_mfn((void *)start_info->pt_base), 0), -XEN_EINVAL,
		 "CLEAR_PAGE of a page table: -EINVAL");
	check_eq(mmuext1(14, 0, 0), -XEN_ENOSYS, "mmuext_op command 14: -ENOSYS");
	check_eq(mmuext1(MMUEXT_MARK_SUPER, va_to_mfn(a), 0), -XEN_EOPNOTSUPP, "MARK_SUPER: -EOPNOTSUPP");

	struct mmuext_op two[2] = { { .cmd = MMUEXT_TLB_FLUSH_LOCAL }, { .cmd = MMUEXT_UNPIN_TABLE, .arg1 = va_to_mfn(a) } };
	done = 0;
	rc = HYPERVISOR_mmuext_op(two, 2, &done, DOMID_SELF);
	check_detail(rc == -XEN_EINVAL && done == 1, "mmuext_op batch stops at the failure: done = 1", "rc %d done %u",
		     (int)rc, done);
	check_eq(HYPERVISOR_mmuext_op(ops, 1, 0, 0x7000), -XEN_ESRCH,
		 "mmuext_op flush naming an unknown foreign domain: -ESRCH");
}

void test_main(void)
{
	install_trap_catcher();
	map_shared_info();
	va_mapping_checks();
	mmu_update_checks();
	pin_checks();
	mmuext_misc_checks();
	done();
}
