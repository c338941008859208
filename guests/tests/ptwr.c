/*
 * ptwr: writable page tables (ABI map 5.14, 6.6). Without the assist a ring-1
 * write to an L1 page (mapped read-only, as every page table must be) faults;
 * with VMASST_TYPE_writable_pagetables Xen emulates the write and validates the
 * new entry as mmu_update would, delivering the #PF when validation fails.
 * L2 and L3 pages are never writable this way.
 *
 * Expected lines:
 *   OK without the assist a write to an L1 entry faults: #PF error 3
 *   OK vm_assist enable writable_pagetables
 *   OK a direct write to an L1 entry is emulated
 *   OK the entry written directly maps the page
 *   OK CMPXCHG on an L1 entry is emulated
 *   OK a direct write of an invalid L1 entry (a writable page table): #PF error 3
 *   OK the refused write left the entry unchanged
 *   OK a direct write to an L2 entry: #PF error 3
 *   OK vm_assist disable writable_pagetables
 *   OK after disabling, a write to an L1 entry faults again
 */
#include "test.h"

static char alias[4096] __attribute__((aligned(4096)));

static volatile uint32_t *l1_words(unsigned long va)
{
	return (volatile uint32_t *)l1e_of(va);
}

void test_main(void)
{
	char *data = alloc_page();
	uint32_t dmfn = va_to_mfn(data), l3mfn = va_to_mfn((void *)start_info->pt_base);
	volatile uint32_t *e;
	uint32_t newlo = (dmfn << 12) | PTE_KERNEL_RO, old;

	install_trap_catcher();
	map_shared_info();
	data[9] = 0x42;
	e = l1_words((unsigned long)alias);

	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %1, (%0)") :: "r" (e), "r" (newlo) : "memory");
	check_detail(last_trap.vector == 14 && last_trap.err == 3 && last_trap.cr2 == (uint32_t)e,
		     "without the assist a write to an L1 entry faults: #PF error 3", "vector %u err 0x%x cr2 0x%x",
		     last_trap.vector, last_trap.err, last_trap.cr2);

	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_WRITABLE_PAGETABLES), 0,
		 "vm_assist enable writable_pagetables");

	trap_clear();
	e[1] = 0;
	__asm__ volatile(TRAP_INSN("movl %1, (%0)") :: "r" (e), "r" (newlo) : "memory");
	check_eq(last_trap.vector, TRAP_NONE, "a direct write to an L1 entry is emulated");
	mmuext1(MMUEXT_INVLPG_LOCAL, (unsigned long)alias, 0);
	check(rd32(e) == newlo && rd8(&alias[9]) == 0x42, "the entry written directly maps the page");

	old = newlo;
	trap_clear();
	uint32_t want = 0;
	__asm__ volatile(TRAP_INSN("lock cmpxchgl %2, (%3)") : "=a" (want) : "0" (old), "r" (0u), "r" (e) : "memory");
	check(last_trap.vector == TRAP_NONE && want == old && rd32(e) == 0, "CMPXCHG on an L1 entry is emulated");

	__asm__ volatile("movl %1, (%0)" :: "r" (e), "r" (newlo) : "memory");
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %1, (%0)") :: "r" (e), "r" ((l3mfn << 12) | PTE_KERNEL_RW) : "memory");
	check_detail(last_trap.vector == 14 && last_trap.err == 3,
		     "a direct write of an invalid L1 entry (a writable page table): #PF error 3", "vector %u err 0x%x",
		     last_trap.vector, last_trap.err);
	check_eq(rd32(e), newlo, "the refused write left the entry unchanged");

	volatile uint32_t *l2 = (volatile uint32_t *)l2e_of(0xe0000000);
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %1, (%0)") :: "r" (l2), "r" (0u) : "memory");
	check(last_trap.vector == 14 && last_trap.err == 3, "a direct write to an L2 entry: #PF error 3");

	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_WRITABLE_PAGETABLES), 0,
		 "vm_assist disable writable_pagetables");
	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %1, (%0)") :: "r" (e), "r" (0u) : "memory");
	check(last_trap.vector == 14 && last_trap.err == 3, "after disabling, a write to an L1 entry faults again");
	done();
}
