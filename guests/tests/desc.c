/*
 * desc: descriptor tables (ABI map 5.5, 6.8): set_gdt, update_descriptor and a
 * lazily mapped LDT (MMUEXT_SET_LDT), with what Xen refuses: writable GDT frames,
 * too many entries, system descriptors other than call gates, 64-bit code
 * segments, misaligned slots, page-table frames.
 *
 * Expected lines:
 *   OK set_gdt of a frame still mapped writable: -EINVAL
 *   OK set_gdt with more than 7168 entries: -EINVAL
 *   OK set_gdt of a frame holding a TSS descriptor: -EINVAL
 *   OK set_gdt
 *   OK a selector of the new GDT loads
 *   OK a DPL 0 descriptor is rewritten to DPL 1
 *   OK Xen's flat selectors still load after set_gdt
 *   OK update_descriptor writes a data descriptor
 *   OK the updated descriptor loads
 *   OK update_descriptor of a TSS descriptor: -EINVAL
 *   OK update_descriptor of a 64-bit code segment: -EINVAL
 *   OK update_descriptor of a call gate to FLAT_KERNEL_CS
 *   OK update_descriptor at a misaligned address: -EINVAL
 *   OK update_descriptor into a page table: -EINVAL
 *   OK update_descriptor into a plain page
 *   OK loading a selector past the GDT's end: #GP with the selector
 *   OK MMUEXT_SET_LDT
 *   OK an LDT selector loads (the LDT page is mapped on first use)
 *   OK an LDT whose page is writable: #PF with CR2 at the LDT
 */
#include "test.h"

#define DATA_DPL1 0x00cfb3000000ffffull
#define CODE_DPL1 0x00cfbb000000ffffull
#define DATA_DPL0 0x00cf93000000ffffull
#define TSS32     0x0000890000000067ull
#define CODE64    0x00afbb000000ffffull

static uint32_t load_fs(uint32_t sel)
{
	uint32_t got = 0;

	trap_clear();
	__asm__ volatile(TRAP_INSN("movl %1, %%fs") "movl %%fs, %0" : "=r" (got) : "r" (sel) : "memory");
	__asm__ volatile("movl %0, %%fs" :: "r" ((uint32_t)FLAT_KERNEL_DS));
	return got;
}

void test_main(void)
{
	uint64_t *gdt = alloc_page(), *bad = alloc_page(), *plain = alloc_page(), *ldt = alloc_page();
	uint32_t frames[1] = { va_to_mfn(gdt) }, badf[1] = { va_to_mfn(bad) };
	uint64_t gdt_ma = (uint64_t)frames[0] << 12;
	long rc;

	install_trap_catcher();
	map_shared_info();
	gdt[1] = DATA_DPL1;
	gdt[2] = CODE_DPL1;
	gdt[3] = DATA_DPL0;
	check_eq(HYPERVISOR_set_gdt(frames, 512), -XEN_EINVAL, "set_gdt of a frame still mapped writable: -EINVAL");
	set_page_rw(gdt, 0);
	check_eq(HYPERVISOR_set_gdt(frames, 7169), -XEN_EINVAL, "set_gdt with more than 7168 entries: -EINVAL");
	bad[5] = TSS32;
	set_page_rw(bad, 0);
	check_eq(HYPERVISOR_set_gdt(badf, 512), -XEN_EINVAL, "set_gdt of a frame holding a TSS descriptor: -EINVAL");
	rc = HYPERVISOR_set_gdt(frames, 512);
	check_eq(rc, 0, "set_gdt");
	check_eq(load_fs(0x09) & 0xffff, 0x09, "a selector of the new GDT loads");
	check_detail(((gdt[3] >> 45) & 3) == 1, "a DPL 0 descriptor is rewritten to DPL 1", "descriptor 0x%x%08x",
		     HI(gdt[3]), LO(gdt[3]));
	check(load_fs(FLAT_KERNEL_DS) == FLAT_KERNEL_DS && last_trap.vector == TRAP_NONE,
	      "Xen's flat selectors still load after set_gdt");

	check(HYPERVISOR_update_descriptor(gdt_ma + 4 * 8, DATA_DPL1) == 0 && gdt[4] == DATA_DPL1,
	      "update_descriptor writes a data descriptor");
	check_eq(load_fs(0x21) & 0xffff, 0x21, "the updated descriptor loads");
	check_eq(HYPERVISOR_update_descriptor(gdt_ma + 5 * 8, TSS32), -XEN_EINVAL, "update_descriptor of a TSS descriptor: -EINVAL");
	check_eq(HYPERVISOR_update_descriptor(gdt_ma + 5 * 8, CODE64), -XEN_EINVAL,
		 "update_descriptor of a 64-bit code segment: -EINVAL");
	/* 32-bit call gate (type 0xC), DPL 1, target FLAT_KERNEL_CS:0x1000. */
	uint64_t gate = ((uint64_t)0x0000ac00 << 32) | ((uint64_t)FLAT_KERNEL_CS << 16) | 0x1000;
	check_eq(HYPERVISOR_update_descriptor(gdt_ma + 6 * 8, gate), 0, "update_descriptor of a call gate to FLAT_KERNEL_CS");
	check_eq(HYPERVISOR_update_descriptor(gdt_ma + 4 * 8 + 4, DATA_DPL1), -XEN_EINVAL,
		 "update_descriptor at a misaligned address: -EINVAL");
	check_eq(HYPERVISOR_update_descriptor((uint64_t)va_to_mfn((void *)start_info->pt_base) << 12, DATA_DPL1), -XEN_EINVAL,
		 "update_descriptor into a page table: -EINVAL");
	check(HYPERVISOR_update_descriptor(((uint64_t)va_to_mfn(plain) << 12) + 8, DATA_DPL1) == 0 && plain[1] == DATA_DPL1,
	      "update_descriptor into a plain page");

	load_fs(0x1001);
	check_detail(last_trap.vector == 13 && last_trap.err == 0x1000, "loading a selector past the GDT's end: #GP with the selector",
		     "vector %u err 0x%x", last_trap.vector, last_trap.err);

	ldt[0] = DATA_DPL1;
	set_page_rw(ldt, 0);
	check_eq(mmuext1(MMUEXT_SET_LDT, (unsigned long)ldt, 512), 0, "MMUEXT_SET_LDT");
	check_eq(load_fs(0x05) & 0xffff, 0x05, "an LDT selector loads (the LDT page is mapped on first use)");

	uint64_t *wldt = alloc_page();
	wldt[1] = DATA_DPL1;
	mmuext1(MMUEXT_SET_LDT, (unsigned long)wldt, 512);
	load_fs(0x0d);
	check_detail(last_trap.vector == 14 && last_trap.cr2 >= (uint32_t)wldt && last_trap.cr2 < (uint32_t)wldt + 4096,
		     "an LDT whose page is writable: #PF with CR2 at the LDT", "vector %u cr2 0x%x", last_trap.vector,
		     last_trap.cr2);
	mmuext1(MMUEXT_SET_LDT, 0, 0);
	done();
}
