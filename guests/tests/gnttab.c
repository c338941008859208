/*
 * gnttab: grant tables v1 (ABI map 5.17, 2.5). The domain grants itself pages,
 * so one kernel exercises both the granting and the mapping side: query_size,
 * setup_table (then mapping the table frame), the tool-seeded entries, copy by
 * frame and by grant reference, map/unmap of a grant with the flags Xen sets
 * while mapped, versions, and the per-op status codes of the refusals.
 *
 * Expected lines:
 *   OK query_size: 1 frame in use, a maximum of at least 1
 *   OK query_size with count 2: -EINVAL
 *   OK setup_table returns the table's frame
 *   OK setup_table beyond the maximum: GNTST_general_error
 *   OK setup_table for another domain: GNTST_permission_denied
 *   OK the table frame maps, and entry 0 grants the console page to domain 0
 *   OK entry 1 grants the xenstore page to domain 0
 *   OK get_version is 1
 *   OK set_version 1
 *   OK copy between two of our frames
 *   OK copy from a grant reference
 *   OK copy from a grant reference beyond the table: GNTST_bad_gntref
 *   OK copy across the end of a page: GNTST_bad_copy_arg
 *   OK map_grant_ref of our own grant
 *   OK the grant mapping shows the granted page
 *   OK while mapped writable the entry has GTF_writing
 *   OK unmap_grant_ref
 *   OK unmap_grant_ref of a stale handle: GNTST_bad_handle
 *   OK map_grant_ref without host_map or device_map: GNTST_bad_gntref
 *   OK map_grant_ref of a reference beyond the table: GNTST_bad_gntref
 *   OK map_grant_ref writable of a read-only grant: GNTST_general_error
 *   OK map_grant_ref of a grant for another domain: GNTST_general_error
 *   OK grant_table_op command 99: -ENOSYS
 *   OK grant_table_op with an unmapped argument: -EFAULT
 */
#include "test.h"

static char table_va[4096] __attribute__((aligned(4096)));
static char map_va[4096] __attribute__((aligned(4096)));

void test_main(void)
{
	struct gnttab_query_size qs[2] = { { .dom = DOMID_SELF }, { .dom = DOMID_SELF } };
	uint32_t frames[2] = { 0, 0 };
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = (uint32_t)frames };
	struct grant_entry_v1 *gt = (struct grant_entry_v1 *)table_va;
	char *src = alloc_page(), *dst = alloc_page();
	unsigned me;
	long rc;

	install_trap_catcher();
	map_shared_info();
	me = self_domid();

	rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, qs, 1);
	check(rc == 0 && qs[0].status == GNTST_okay && qs[0].nr_frames == 1 && qs[0].max_nr_frames >= 1,
	      "query_size: 1 frame in use, a maximum of at least 1");
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_query_size, qs, 2), -XEN_EINVAL, "query_size with count 2: -EINVAL");

	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
	check(rc == 0 && st.status == GNTST_okay && frames[0] != 0, "setup_table returns the table's frame");
	struct gnttab_setup_table big = { .dom = DOMID_SELF, .nr_frames = qs[0].max_nr_frames + 1, .frame_list = (uint32_t)frames };
	uint32_t f0 = frames[0];
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &big, 1);
	check_eq(big.status, GNTST_general_error, "setup_table beyond the maximum: GNTST_general_error");
	struct gnttab_setup_table other = { .dom = 0, .nr_frames = 1, .frame_list = (uint32_t)frames };
	HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &other, 1);
	check_eq(other.status, GNTST_permission_denied, "setup_table for another domain: GNTST_permission_denied");

	rc = HYPERVISOR_update_va_mapping((unsigned long)table_va, make_pte(f0, PTE_KERNEL_RW), UVMF_INVLPG);
	check(rc == 0 && (gt[0].flags & GTF_type_mask) == GTF_permit_access && gt[0].domid == 0 &&
	      gt[0].frame == start_info->console_mfn, "the table frame maps, and entry 0 grants the console page to domain 0");
	check(gt[1].flags == GTF_permit_access && gt[1].domid == 0 && gt[1].frame == start_info->store_mfn,
	      "entry 1 grants the xenstore page to domain 0");

	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	check(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1) == 0 && gv.version == 1, "get_version is 1");
	struct gnttab_set_version sv = { .version = 1 };
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1), 0, "set_version 1");

	memset(src, 0x5c, 4096);
	struct gnttab_copy cp = {
		.source = { .u = va_to_mfn(src), .domid = DOMID_SELF, .offset = 16 },
		.dest = { .u = va_to_mfn(dst), .domid = DOMID_SELF, .offset = 32 },
		.len = 100,
	};
	rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1);
	check(rc == 0 && cp.status == GNTST_okay && dst[32] == 0x5c && dst[131] == 0x5c && dst[132] == 0 && dst[31] == 0,
	      "copy between two of our frames");

	/* Grant 10: src, read-only, to ourselves (domid, frame, barrier, then flags). */
	gt[10].domid = me;
	gt[10].frame = va_to_mfn(src);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gt[10].flags = GTF_permit_access | GTF_readonly;
	src[0] = 0x77;
	cp.source.u = 10;
	cp.source.offset = 0;
	cp.dest.offset = 0;
	cp.len = 1;
	cp.flags = GNTCOPY_source_gref;
	rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1);
	check(rc == 0 && cp.status == GNTST_okay && dst[0] == 0x77, "copy from a grant reference");
	cp.source.u = 5000;
	HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1);
	check_eq((uint16_t)cp.status, (uint16_t)GNTST_bad_gntref, "copy from a grant reference beyond the table: GNTST_bad_gntref");
	cp.source.u = va_to_mfn(src);
	cp.flags = 0;
	cp.source.offset = 4000;
	cp.len = 200;
	HYPERVISOR_grant_table_op(GNTTABOP_copy, &cp, 1);
	check_eq((uint16_t)cp.status, (uint16_t)GNTST_bad_copy_arg, "copy across the end of a page: GNTST_bad_copy_arg");

	/* Grant 11: dst, writable. */
	gt[11].domid = me;
	gt[11].frame = va_to_mfn(dst);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gt[11].flags = GTF_permit_access;
	dst[7] = 0x19;
	struct gnttab_map_grant_ref m = { .host_addr = (uint32_t)map_va, .flags = GNTMAP_host_map, .ref = 11, .dom = me };
	rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	check_detail(rc == 0 && m.status == GNTST_okay, "map_grant_ref of our own grant", "rc %d status %d", (int)rc, m.status);
	check_eq(rd8(map_va + 7), 0x19, "the grant mapping shows the granted page");
	check(gt[11].flags & GTF_writing, "while mapped writable the entry has GTF_writing");
	struct gnttab_unmap_grant_ref u = { .host_addr = (uint32_t)map_va, .handle = m.handle };
	rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
	check(rc == 0 && u.status == GNTST_okay && !(gt[11].flags & (GTF_writing | GTF_reading)), "unmap_grant_ref");
	HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
	check_eq((uint16_t)u.status, (uint16_t)GNTST_bad_handle, "unmap_grant_ref of a stale handle: GNTST_bad_handle");

	m.flags = 0;
	HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	check_eq((uint16_t)m.status, (uint16_t)GNTST_bad_gntref, "map_grant_ref without host_map or device_map: GNTST_bad_gntref");
	m.flags = GNTMAP_host_map;
	m.ref = 5000;
	HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	check_eq((uint16_t)m.status, (uint16_t)GNTST_bad_gntref, "map_grant_ref of a reference beyond the table: GNTST_bad_gntref");
	m.ref = 10;
	HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	check_eq((uint16_t)m.status, (uint16_t)GNTST_general_error, "map_grant_ref writable of a read-only grant: GNTST_general_error");
	gt[12].domid = me + 1;
	gt[12].frame = va_to_mfn(dst);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	gt[12].flags = GTF_permit_access;
	m.ref = 12;
	HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	check_eq((uint16_t)m.status, (uint16_t)GNTST_general_error, "map_grant_ref of a grant for another domain: GNTST_general_error");

	check_eq(HYPERVISOR_grant_table_op(99, &m, 1), -XEN_ENOSYS, "grant_table_op command 99: -ENOSYS");
	check_eq(HYPERVISOR_grant_table_op(GNTTABOP_query_size, (void *)0x00200000, 1), -XEN_EFAULT,
		 "grant_table_op with an unmapped argument: -EFAULT");
	done();
}
