/*
 * misc: the small families (ABI map 5.12-5.15, 5.18, 5.19, 5.21, 4.4):
 * xen_version, vm_assist, console_io, memory_op, physdev_op, multicall,
 * set/get_debugreg, and unknown or 64-bit-only hypercall numbers.
 *
 * Expected lines:
 *   OK XENVER_version is 4.x
 *   OK XENVER_extraversion is a string
 *   OK XENVER_capabilities lists xen-3.0-x86_32p
 *   OK XENVER_platform_parameters: hypervisor start 0xf5800000
 *   OK XENVER_get_features submap 0 has pae_pgdir_above_4gb, not writable_page_tables
 *   OK XENVER_get_features submap 1: -EINVAL
 *   OK XENVER_pagesize is 4096
 *   OK XENVER_compile_info, changeset, guest_handle, commandline
 *   OK xen_version command 99: -ENOSYS
 *   OK vm_assist enable 4gb_segments
 *   OK vm_assist of type 32 (m2p_strict, 64-bit only): -EINVAL
 *   OK vm_assist command 2: -ENOSYS
 *   OK console_io write
 *   OK console_io command 7: -ENOSYS
 *   OK console_io write from an unmapped buffer: -EFAULT
 *   OK XENMEM_maximum_ram_page
 *   OK XENMEM_current_reservation is nr_pages
 *   OK XENMEM_maximum_reservation is at least nr_pages
 *   OK XENMEM_machphys_mapping: 0xf5800000, 0xffe00000, 0x297ffff
 *   OK XENMEM_memory_map: one RAM entry
 *   OK XENMEM_add_to_physmap for a PV guest: -EACCES
 *   OK XENMEM_decrease_reservation gives a frame back
 *   OK XENMEM_populate_physmap gets a frame and sets its M2P entry
 *   OK XENMEM_increase_reservation
 *   OK memory_op command 99: -ENOSYS
 *   OK physdev_op irq_status_query for a domU: refused
 *   OK physdev_op command 99: -ENOSYS
 *   OK set_debugreg DR0, get_debugreg DR0
 *   OK set_debugreg DR7 with a reserved bit: -EINVAL
 *   OK get_debugreg 8: -ENODEV
 *   OK multicall runs each entry and writes its result
 *   OK multicall: a failing entry does not stop the batch
 *   OK multicall nested in a multicall: -EINVAL in its entry
 *   OK multicall with an unmapped list: -EFAULT
 *   OK hypercall 11 (unused): -ENOSYS
 *   OK set_segment_base (64-bit only): -ENOSYS
 *   OK hypercall 60: -ENOSYS
 *   OK platform_op from a domU: refused
 */
#include "test.h"

static int memchr_nul(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!s[i])
			return 1;
	return 0;
}

static int has(const char *s, const char *sub)
{
	for (; *s; s++) {
		unsigned i = 0;
		while (sub[i] && s[i] == sub[i])
			i++;
		if (!sub[i])
			return 1;
	}
	return 0;
}

static void version_checks(void)
{
	static char buf[1024];
	struct xen_platform_parameters pp;
	struct xen_feature_info fi = { .submap_idx = 0 };
	long v = HYPERVISOR_xen_version(XENVER_version, 0);

	check_detail((v >> 16) == 4, "XENVER_version is 4.x", "0x%x", (unsigned)v);
	memset(buf, 0xff, 16);
	check(HYPERVISOR_xen_version(XENVER_extraversion, buf) == 0 && memchr_nul(buf, 16), "XENVER_extraversion is a string");
	check(HYPERVISOR_xen_version(XENVER_capabilities, buf) == 0 && has(buf, "xen-3.0-x86_32p"),
	      "XENVER_capabilities lists xen-3.0-x86_32p");
	check(HYPERVISOR_xen_version(XENVER_platform_parameters, &pp) == 0 && pp.virt_start == 0xf5800000,
	      "XENVER_platform_parameters: hypervisor start 0xf5800000");
	long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);
	check_detail(rc == 0 && (fi.submap & (1u << XENFEAT_pae_pgdir_above_4gb)) &&
		     !(fi.submap & (1u << XENFEAT_writable_page_tables)),
		     "XENVER_get_features submap 0 has pae_pgdir_above_4gb, not writable_page_tables", "0x%x", fi.submap);
	fi.submap_idx = 1;
	check_eq(HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL, "XENVER_get_features submap 1: -EINVAL");
	check_eq(HYPERVISOR_xen_version(XENVER_pagesize, 0), 4096, "XENVER_pagesize is 4096");
	check(HYPERVISOR_xen_version(XENVER_compile_info, buf) == 0 && HYPERVISOR_xen_version(XENVER_changeset, buf) == 0 &&
	      HYPERVISOR_xen_version(XENVER_guest_handle, buf) == 0 && HYPERVISOR_xen_version(XENVER_commandline, buf) == 0,
	      "XENVER_compile_info, changeset, guest_handle, commandline");
	check_eq(HYPERVISOR_xen_version(99, buf), -XEN_ENOSYS, "xen_version command 99: -ENOSYS");
}

static void assist_console_checks(void)
{
	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_FOUR_GB_SEGMENTS), 0, "vm_assist enable 4gb_segments");
	check_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable, 32), -XEN_EINVAL, "vm_assist of type 32 (m2p_strict, 64-bit only): -EINVAL");
	check_eq(HYPERVISOR_vm_assist(2, VMASST_TYPE_FOUR_GB_SEGMENTS), -XEN_ENOSYS, "vm_assist command 2: -ENOSYS");
	check_eq(HYPERVISOR_console_io(CONSOLEIO_write, 6, "hello\n"), 0, "console_io write");
	check_eq(HYPERVISOR_console_io(7, 0, ""), -XEN_ENOSYS, "console_io command 7: -ENOSYS");
	check_eq(HYPERVISOR_console_io(CONSOLEIO_write, 4, (const char *)0x00200000), -XEN_EFAULT,
		 "console_io write from an unmapped buffer: -EFAULT");
}

static void memory_checks(void)
{
	uint16_t dom = DOMID_SELF;
	struct xen_machphys_mapping mp;
	static struct e820_entry map[8];
	struct xen_memory_map mm = { .nr_entries = 8, .buffer = (uint32_t)map };
	struct xen_add_to_physmap atp = { .domid = DOMID_SELF, .space = 0, .idx = 0, .gpfn = 0 };
	long rc, max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, 0);

	check_detail(max > 0 && (unsigned long)max > p2m[0], "XENMEM_maximum_ram_page", "%d", (int)max);
	check_eq(HYPERVISOR_memory_op(XENMEM_current_reservation, &dom), start_info->nr_pages,
		 "XENMEM_current_reservation is nr_pages");
	rc = HYPERVISOR_memory_op(XENMEM_maximum_reservation, &dom);
	check(rc >= (long)start_info->nr_pages, "XENMEM_maximum_reservation is at least nr_pages");
	check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mp) == 0 && mp.v_start == 0xf5800000 &&
	      mp.v_end == 0xffe00000 && mp.max_mfn == 0x297ffff, "XENMEM_machphys_mapping: 0xf5800000, 0xffe00000, 0x297ffff");
	rc = HYPERVISOR_memory_op(XENMEM_memory_map, &mm);
	check_detail(rc == 0 && mm.nr_entries == 1 && map[0].addr == 0 && map[0].type == 1 &&
		     map[0].size >= (uint64_t)start_info->nr_pages * 4096, "XENMEM_memory_map: one RAM entry",
		     "rc %d entries %u", (int)rc, mm.nr_entries);
	check_eq(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &atp), -XEN_EACCES, "XENMEM_add_to_physmap for a PV guest: -EACCES");

	/* Give back the last page of our memory (unmapped, unused), then take a frame back for that PFN. */
	uint32_t pfn = start_info->nr_pages - 1;
	uint64_t *pte = l1e_of((unsigned long)pfn_to_va(pfn));
	if (pte && (*pte & _PAGE_PRESENT))
		HYPERVISOR_update_va_mapping((unsigned long)pfn_to_va(pfn), 0, UVMF_INVLPG);
	uint32_t ext[1] = { p2m[pfn] };
	struct xen_memory_reservation r = { .extent_start = (uint32_t)ext, .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF };
	rc = HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	check_detail(rc == 1 && HYPERVISOR_memory_op(XENMEM_current_reservation, &dom) == start_info->nr_pages - 1,
		     "XENMEM_decrease_reservation gives a frame back", "rc %d", (int)rc);
	ext[0] = pfn;
	rc = HYPERVISOR_memory_op(XENMEM_populate_physmap, &r);
	check_detail(rc == 1 && rd32(&M2P[ext[0]]) == pfn, "XENMEM_populate_physmap gets a frame and sets its M2P entry", "rc %d mfn 0x%x",
		     (int)rc, ext[0]);
	p2m[pfn] = ext[0];
	rc = HYPERVISOR_memory_op(XENMEM_increase_reservation, &r);
	check_detail(rc == 0 || rc == 1, "XENMEM_increase_reservation", "rc %d", (int)rc);
	if (rc == 1) {
		r.nr_extents = 1;
		HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r);
	}
	check_eq(HYPERVISOR_memory_op(99, 0), -XEN_ENOSYS, "memory_op command 99: -ENOSYS");
}

static void physdev_debugreg_checks(void)
{
	uint32_t arg[2] = { 1, 0 };
	long rc = HYPERVISOR_physdev_op(PHYSDEVOP_irq_status_query, arg);

	check_detail(rc < 0, "physdev_op irq_status_query for a domU: refused", "rc %d", (int)rc);
	check_eq(HYPERVISOR_physdev_op(99, arg), -XEN_ENOSYS, "physdev_op command 99: -ENOSYS");
	check(HYPERVISOR_set_debugreg(0, 0xc0001000) == 0 && (unsigned long)HYPERVISOR_get_debugreg(0) == 0xc0001000,
	      "set_debugreg DR0, get_debugreg DR0");
	check_eq(HYPERVISOR_set_debugreg(7, 0x8000), -XEN_EINVAL, "set_debugreg DR7 with a reserved bit: -EINVAL");
	check_eq(HYPERVISOR_get_debugreg(8), -XEN_ENODEV, "get_debugreg 8: -ENODEV");
}

static void multicall_checks(void)
{
	static struct multicall_entry mc[4], inner[1];
	static struct xen_platform_parameters pp;
	long rc;

	memset(mc, 0, sizeof(mc));
	mc[0].op = __HYPERVISOR_xen_version;
	mc[0].args[0] = XENVER_pagesize;
	mc[1].op = __HYPERVISOR_xen_version;
	mc[1].args[0] = XENVER_platform_parameters;
	mc[1].args[1] = (uint32_t)&pp;
	mc[2].op = __HYPERVISOR_vm_assist;
	mc[2].args[0] = VMASST_CMD_enable;
	mc[2].args[1] = 32;
	mc[3].op = __HYPERVISOR_multicall;
	mc[3].args[0] = (uint32_t)inner;
	mc[3].args[1] = 1;
	inner[0].op = __HYPERVISOR_xen_version;
	rc = HYPERVISOR_multicall(mc, 2);
	check(rc == 0 && mc[0].result == 4096 && mc[1].result == 0 && pp.virt_start == 0xf5800000,
	      "multicall runs each entry and writes its result");
	rc = HYPERVISOR_multicall(mc, 4);
	check_detail(rc == 0 && mc[2].result == (uint32_t)-XEN_EINVAL && mc[0].result == 4096,
		     "multicall: a failing entry does not stop the batch", "rc %d result 0x%x", (int)rc, mc[2].result);
	check_eq(mc[3].result, (uint32_t)-XEN_EINVAL, "multicall nested in a multicall: -EINVAL in its entry");
	check_eq(HYPERVISOR_multicall((struct multicall_entry *)0x00200000, 1), -XEN_EFAULT, "multicall with an unmapped list: -EFAULT");
}

void test_main(void)
{
	install_trap_catcher();
	map_shared_info();
	version_checks();
	assist_console_checks();
	memory_checks();
	physdev_debugreg_checks();
	multicall_checks();
	check_eq(_hypercall1(11, 0), -XEN_ENOSYS, "hypercall 11 (unused): -ENOSYS");
	check_eq(_hypercall2(__HYPERVISOR_set_segment_base, 0, 0), -XEN_ENOSYS, "set_segment_base (64-bit only): -ENOSYS");
	check_eq(_hypercall1(60, 0), -XEN_ENOSYS, "hypercall 60: -ENOSYS");
	long rc = _hypercall1(__HYPERVISOR_platform_op, 0);
	check_detail(rc < 0, "platform_op from a domU: refused", "rc %d", (int)rc);
	done();
}
