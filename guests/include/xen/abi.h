/* GENERATED FILE: do not edit. Made by `npm run genheaders` (tools/genheaders.ts) from src/abi/xen.ts. */
/*
 * The Xen x86_32 PAE PV ABI as 64-bit Xen presents it to 32-bit guests: numbers and
 * struct layouts shared with the TypeScript hypervisor. Usable from C and, outside
 * the __ASSEMBLER__ block, from assembly.
 */
#ifndef PVPLAY_XEN_ABI_H
#define PVPLAY_XEN_ABI_H

/* Single values */
#define DOMID_COW 0x7FF3
#define DOMID_IDLE 0x7FFF
#define DOMID_INVALID 0x7FF4
#define DOMID_IO 0x7FF1
#define DOMID_SELF 0x7FF0
#define DOMID_XEN 0x7FF2
#define EVTCHN_2L_NR_CHANNELS 1024
#define FIRST_RESERVED_GDT_ENTRY 0x1C00
#define FIRST_RESERVED_GDT_PAGE 14
#define FLAT_KERNEL_CS 0xE019
#define FLAT_KERNEL_DS 0xE021
#define FLAT_KERNEL_SS 0xE021
#define FLAT_RING1_CS 0xE019
#define FLAT_RING1_DS 0xE021
#define FLAT_RING1_SS 0xE021
#define FLAT_RING3_CS 0xE02B
#define FLAT_RING3_DS 0xE033
#define FLAT_RING3_SS 0xE033
#define FLAT_USER_CS 0xE02B
#define FLAT_USER_DS 0xE033
#define FLAT_USER_SS 0xE033
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1
#define HYPERCALL_STUBS 128
#define HYPERCALL_STUB_BYTES 32
#define HYPERVISOR_VIRT_START 0xF5800000
#define INVALID_M2P_ENTRY 0xFFFFFFFF
#define MACH2PHYS_MAX_MFN 0x297FFFF
#define MACH2PHYS_VIRT_END 0xFFE00000
#define MACH2PHYS_VIRT_START 0xF5800000
#define MAX_GUEST_CMDLINE 1024
#define NR_VIRQS 24
#define PAGE_SIZE 0x1000
#define SIF_INITDOMAIN 2
#define SIF_MOD_START_PFN 8
#define SIF_MULTIBOOT_MOD 4
#define SIF_PRIVILEGED 1
#define VMASST_VALID_PV32 63
#define XENCONSOLE_CONNECTED 0
#define XENCONSOLE_DISCONNECTED 1
#define XENFEAT_NR_SUBMAPS 1
#define XEN_L2_FIRST_SLOT 428
#define XEN_LEGACY_MAX_VCPUS 32

/* CONSOLEIO */
#define CONSOLEIO_write 0
#define CONSOLEIO_read 1

/* E */
#define XEN_EPERM 1
#define XEN_ENOENT 2
#define XEN_ESRCH 3
#define XEN_EINTR 4
#define XEN_EIO 5
#define XEN_ENXIO 6
#define XEN_E2BIG 7
#define XEN_ENOEXEC 8
#define XEN_EBADF 9
#define XEN_ECHILD 10
#define XEN_EAGAIN 11
#define XEN_ENOMEM 12
#define XEN_EACCES 13
#define XEN_EFAULT 14
#define XEN_EBUSY 16
#define XEN_EEXIST 17
#define XEN_EXDEV 18
#define XEN_ENODEV 19
#define XEN_ENOTDIR 20
#define XEN_EISDIR 21
#define XEN_EINVAL 22
#define XEN_ENFILE 23
#define XEN_EMFILE 24
#define XEN_ENOSPC 28
#define XEN_EROFS 30
#define XEN_EMLINK 31
#define XEN_EDOM 33
#define XEN_ERANGE 34
#define XEN_EDEADLK 35
#define XEN_ENAMETOOLONG 36
#define XEN_ENOLCK 37
#define XEN_ENOSYS 38
#define XEN_ENOTEMPTY 39
#define XEN_ENODATA 61
#define XEN_ETIME 62
#define XEN_EBADMSG 74
#define XEN_EOVERFLOW 75
#define XEN_EILSEQ 84
#define XEN_ERESTART 85
#define XEN_ENOTSOCK 88
#define XEN_EMSGSIZE 90
#define XEN_EOPNOTSUPP 95
#define XEN_EADDRINUSE 98
#define XEN_EADDRNOTAVAIL 99
#define XEN_ENOBUFS 105
#define XEN_EISCONN 106
#define XEN_ENOTCONN 107
#define XEN_ETIMEDOUT 110
#define XEN_ECONNREFUSED 111

/* EVTCHNOP */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13

/* EVTCHNSTAT */
#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

/* GNTCOPY */
#define GNTCOPY_source_gref 1
#define GNTCOPY_dest_gref 2

/* GNTMAP */
#define GNTMAP_device_map 1
#define GNTMAP_host_map 2
#define GNTMAP_readonly 4
#define GNTMAP_application_map 8
#define GNTMAP_contains_pte 16

/* GNTST */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

/* GNTTABOP */
#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12

/* GTF */
#define GTF_invalid 0
#define GTF_permit_access 1
#define GTF_accept_transfer 2
#define GTF_transitive 3
#define GTF_type_mask 3
#define GTF_readonly 4
#define GTF_reading 8
#define GTF_writing 16
#define GTF_PWT 32
#define GTF_PCD 64
#define GTF_PAT 128
#define GTF_sub_page 256

/* HC */
#define __HYPERVISOR_set_trap_table 0
#define __HYPERVISOR_mmu_update 1
#define __HYPERVISOR_set_gdt 2
#define __HYPERVISOR_stack_switch 3
#define __HYPERVISOR_set_callbacks 4
#define __HYPERVISOR_fpu_taskswitch 5
#define __HYPERVISOR_sched_op_compat 6
#define __HYPERVISOR_platform_op 7
#define __HYPERVISOR_set_debugreg 8
#define __HYPERVISOR_get_debugreg 9
#define __HYPERVISOR_update_descriptor 10
#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_multicall 13
#define __HYPERVISOR_update_va_mapping 14
#define __HYPERVISOR_set_timer_op 15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version 17
#define __HYPERVISOR_console_io 18
#define __HYPERVISOR_physdev_op_compat 19
#define __HYPERVISOR_grant_table_op 20
#define __HYPERVISOR_vm_assist 21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret 23
#define __HYPERVISOR_vcpu_op 24
#define __HYPERVISOR_set_segment_base 25
#define __HYPERVISOR_mmuext_op 26
#define __HYPERVISOR_xsm_op 27
#define __HYPERVISOR_nmi_op 28
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_callback_op 30
#define __HYPERVISOR_xenoprof_op 31
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_physdev_op 33
#define __HYPERVISOR_hvm_op 34
#define __HYPERVISOR_sysctl 35
#define __HYPERVISOR_domctl 36
#define __HYPERVISOR_kexec_op 37
#define __HYPERVISOR_tmem_op 38
#define __HYPERVISOR_argo_op 39
#define __HYPERVISOR_xenpmu_op 40
#define __HYPERVISOR_dm_op 41
#define __HYPERVISOR_hypfs_op 42

/* SCHEDOP */
#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6
#define SCHEDOP_pin_override 7

/* SHINFO */
#define SHINFO_VCPU_INFO 0
#define SHINFO_VCPU_INFO_SIZE 64
#define SHINFO_EVTCHN_PENDING 2048
#define SHINFO_EVTCHN_MASK 2176
#define SHINFO_WC_VERSION 2304
#define SHINFO_WC_SEC 2308
#define SHINFO_WC_NSEC 2312
#define SHINFO_ARCH_MAX_PFN 2316
#define SHINFO_ARCH_P2M_LIST_LIST 2320
#define SHINFO_ARCH_NMI_REASON 2324
#define SHINFO_ARCH_P2M_CR3 2328
#define SHINFO_ARCH_P2M_VADDR 2332
#define SHINFO_ARCH_P2M_GENERATION 2336
#define SHINFO_ARCH_WC_SEC_HI 2340

/* SHUTDOWN */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5

/* SI */
#define SI_MAGIC 0
#define SI_NR_PAGES 32
#define SI_SHARED_INFO 36
#define SI_FLAGS 40
#define SI_STORE_MFN 44
#define SI_STORE_EVTCHN 48
#define SI_CONSOLE_MFN 52
#define SI_CONSOLE_EVTCHN 56
#define SI_PT_BASE 60
#define SI_NR_PT_FRAMES 64
#define SI_MFN_LIST 68
#define SI_MOD_START 72
#define SI_MOD_LEN 76
#define SI_CMD_LINE 80
#define SI_FIRST_P2M_PFN 1104
#define SI_NR_P2M_FRAMES 1108
#define SI_SIZE 1112

/* TRAP_INFO */
#define TRAP_INFO_VECTOR 0
#define TRAP_INFO_FLAGS 1
#define TRAP_INFO_CS 2
#define TRAP_INFO_ADDRESS 4
#define TRAP_INFO_SIZE 8

/* VCPUI */
#define VCPUI_UPCALL_PENDING 0
#define VCPUI_UPCALL_MASK 1
#define VCPUI_PAD 2
#define VCPUI_PENDING_SEL 4
#define VCPUI_CR2 8
#define VCPUI_TIME 32

/* VIRQ */
#define VIRQ_TIMER 0
#define VIRQ_DEBUG 1
#define VIRQ_CONSOLE 2
#define VIRQ_DOM_EXC 3
#define VIRQ_TBUF 4
#define VIRQ_DEBUGGER 6
#define VIRQ_XENOPROF 7
#define VIRQ_CON_RING 8
#define VIRQ_PCPU_STATE 9
#define VIRQ_MEM_EVENT 10
#define VIRQ_ARGO 11
#define VIRQ_ENOMEM 12
#define VIRQ_XENPMU 13

/* VMASST */
#define VMASST_TYPE_FOUR_GB_SEGMENTS 0
#define VMASST_TYPE_FOUR_GB_SEGMENTS_NOTIFY 1
#define VMASST_TYPE_WRITABLE_PAGETABLES 2
#define VMASST_TYPE_PAE_EXTENDED_CR3 3
#define VMASST_TYPE_ARCHITECTURAL_IOPL 4
#define VMASST_TYPE_RUNSTATE_UPDATE_FLAG 5

/* VTIME */
#define VTIME_VERSION 0
#define VTIME_TSC_TIMESTAMP 8
#define VTIME_SYSTEM_TIME 16
#define VTIME_TSC_TO_SYSTEM_MUL 24
#define VTIME_TSC_SHIFT 28
#define VTIME_FLAGS 29

/* XENCONS */
#define XENCONS_IN 0
#define XENCONS_IN_SIZE 1024
#define XENCONS_OUT 1024
#define XENCONS_OUT_SIZE 2048
#define XENCONS_IN_CONS 3072
#define XENCONS_IN_PROD 3076
#define XENCONS_OUT_CONS 3080
#define XENCONS_OUT_PROD 3084
#define XENCONS_CONNECTION 3088

/* XENFEAT */
#define XENFEAT_writable_page_tables 0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_supervisor_mode_kernel 3
#define XENFEAT_pae_pgdir_above_4gb 4
#define XENFEAT_mmu_pt_update_preserve_ad 5
#define XENFEAT_highmem_assist 6
#define XENFEAT_gnttab_map_avail_bits 7
#define XENFEAT_hvm_callback_vector 8
#define XENFEAT_hvm_safe_pvclock 9
#define XENFEAT_hvm_pirqs 10
#define XENFEAT_dom0 11
#define XENFEAT_memory_op_vnode_supported 13
#define XENFEAT_ARM_SMCCC_supported 14
#define XENFEAT_linux_rsdp_unrestricted 15
#define XENFEAT_not_direct_mapped 16
#define XENFEAT_direct_mapped 17
#define XENFEAT_runstate_phys_area 18
#define XENFEAT_vcpu_time_phys_area 19
#define XENFEAT_dm_msix_all_writes 20

/* XEN_ELFNOTE */
#define XEN_ELFNOTE_INFO 0
#define XEN_ELFNOTE_ENTRY 1
#define XEN_ELFNOTE_HYPERCALL_PAGE 2
#define XEN_ELFNOTE_VIRT_BASE 3
#define XEN_ELFNOTE_PADDR_OFFSET 4
#define XEN_ELFNOTE_XEN_VERSION 5
#define XEN_ELFNOTE_GUEST_OS 6
#define XEN_ELFNOTE_GUEST_VERSION 7
#define XEN_ELFNOTE_LOADER 8
#define XEN_ELFNOTE_PAE_MODE 9
#define XEN_ELFNOTE_FEATURES 10
#define XEN_ELFNOTE_BSD_SYMTAB 11
#define XEN_ELFNOTE_HV_START_LOW 12
#define XEN_ELFNOTE_L1_MFN_VALID 13
#define XEN_ELFNOTE_SUSPEND_CANCEL 14
#define XEN_ELFNOTE_INIT_P2M 15
#define XEN_ELFNOTE_MOD_START_PFN 16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define XEN_ELFNOTE_PHYS32_RELOC 19

/* Not representable as #defines: VIRQ_PER_VCPU. */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* per-vCPU time (3.5); seqlock on version */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad1[2];
};
_Static_assert(offsetof(struct vcpu_time_info, version) == 0, "vcpu_time_info.version");
_Static_assert(offsetof(struct vcpu_time_info, pad0) == 4, "vcpu_time_info.pad0");
_Static_assert(offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "vcpu_time_info.tsc_timestamp");
_Static_assert(offsetof(struct vcpu_time_info, system_time) == 16, "vcpu_time_info.system_time");
_Static_assert(offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "vcpu_time_info.tsc_to_system_mul");
_Static_assert(offsetof(struct vcpu_time_info, tsc_shift) == 28, "vcpu_time_info.tsc_shift");
_Static_assert(offsetof(struct vcpu_time_info, flags) == 29, "vcpu_time_info.flags");
_Static_assert(offsetof(struct vcpu_time_info, pad1) == 30, "vcpu_time_info.pad1");
_Static_assert(sizeof(struct vcpu_time_info) == 32, "sizeof vcpu_time_info");

/* one per vCPU in shared_info (3.4) */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	uint8_t pad[2];
	uint32_t evtchn_pending_sel;
	uint32_t cr2;
	uint32_t arch_pad[5];
	struct vcpu_time_info time;
};
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_pending) == 0, "vcpu_info.evtchn_upcall_pending");
_Static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "vcpu_info.evtchn_upcall_mask");
_Static_assert(offsetof(struct vcpu_info, pad) == 2, "vcpu_info.pad");
_Static_assert(offsetof(struct vcpu_info, evtchn_pending_sel) == 4, "vcpu_info.evtchn_pending_sel");
_Static_assert(offsetof(struct vcpu_info, cr2) == 8, "vcpu_info.cr2");
_Static_assert(offsetof(struct vcpu_info, arch_pad) == 12, "vcpu_info.arch_pad");
_Static_assert(offsetof(struct vcpu_info, time) == 32, "vcpu_info.time");
_Static_assert(sizeof(struct vcpu_info) == 64, "sizeof vcpu_info");

/* the shared_info page (3.3); arch fields flattened */
struct shared_info {
	struct vcpu_info vcpu_info[32];
	uint32_t evtchn_pending[32];
	uint32_t evtchn_mask[32];
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t max_pfn;
	uint32_t pfn_to_mfn_frame_list_list;
	uint32_t nmi_reason;
	uint32_t p2m_cr3;
	uint32_t p2m_vaddr;
	uint32_t p2m_generation;
	uint32_t wc_sec_hi;
};
_Static_assert(offsetof(struct shared_info, vcpu_info) == 0, "shared_info.vcpu_info");
_Static_assert(offsetof(struct shared_info, evtchn_pending) == 2048, "shared_info.evtchn_pending");
_Static_assert(offsetof(struct shared_info, evtchn_mask) == 2176, "shared_info.evtchn_mask");
_Static_assert(offsetof(struct shared_info, wc_version) == 2304, "shared_info.wc_version");
_Static_assert(offsetof(struct shared_info, wc_sec) == 2308, "shared_info.wc_sec");
_Static_assert(offsetof(struct shared_info, wc_nsec) == 2312, "shared_info.wc_nsec");
_Static_assert(offsetof(struct shared_info, max_pfn) == 2316, "shared_info.max_pfn");
_Static_assert(offsetof(struct shared_info, pfn_to_mfn_frame_list_list) == 2320, "shared_info.pfn_to_mfn_frame_list_list");
_Static_assert(offsetof(struct shared_info, nmi_reason) == 2324, "shared_info.nmi_reason");
_Static_assert(offsetof(struct shared_info, p2m_cr3) == 2328, "shared_info.p2m_cr3");
_Static_assert(offsetof(struct shared_info, p2m_vaddr) == 2332, "shared_info.p2m_vaddr");
_Static_assert(offsetof(struct shared_info, p2m_generation) == 2336, "shared_info.p2m_generation");
_Static_assert(offsetof(struct shared_info, wc_sec_hi) == 2340, "shared_info.wc_sec_hi");
_Static_assert(sizeof(struct shared_info) == 2344, "sizeof shared_info");

/* what ESI points at on entry (3.1); console.domU flattened */
struct start_info {
	char magic[32];
	uint32_t nr_pages;
	uint32_t shared_info;
	uint32_t flags;
	uint32_t store_mfn;
	uint32_t store_evtchn;
	uint32_t console_mfn;
	uint32_t console_evtchn;
	uint32_t pt_base;
	uint32_t nr_pt_frames;
	uint32_t mfn_list;
	uint32_t mod_start;
	uint32_t mod_len;
	char cmd_line[1024];
	uint32_t first_p2m_pfn;
	uint32_t nr_p2m_frames;
};
_Static_assert(offsetof(struct start_info, magic) == 0, "start_info.magic");
_Static_assert(offsetof(struct start_info, nr_pages) == 32, "start_info.nr_pages");
_Static_assert(offsetof(struct start_info, shared_info) == 36, "start_info.shared_info");
_Static_assert(offsetof(struct start_info, flags) == 40, "start_info.flags");
_Static_assert(offsetof(struct start_info, store_mfn) == 44, "start_info.store_mfn");
_Static_assert(offsetof(struct start_info, store_evtchn) == 48, "start_info.store_evtchn");
_Static_assert(offsetof(struct start_info, console_mfn) == 52, "start_info.console_mfn");
_Static_assert(offsetof(struct start_info, console_evtchn) == 56, "start_info.console_evtchn");
_Static_assert(offsetof(struct start_info, pt_base) == 60, "start_info.pt_base");
_Static_assert(offsetof(struct start_info, nr_pt_frames) == 64, "start_info.nr_pt_frames");
_Static_assert(offsetof(struct start_info, mfn_list) == 68, "start_info.mfn_list");
_Static_assert(offsetof(struct start_info, mod_start) == 72, "start_info.mod_start");
_Static_assert(offsetof(struct start_info, mod_len) == 76, "start_info.mod_len");
_Static_assert(offsetof(struct start_info, cmd_line) == 80, "start_info.cmd_line");
_Static_assert(offsetof(struct start_info, first_p2m_pfn) == 1104, "start_info.first_p2m_pfn");
_Static_assert(offsetof(struct start_info, nr_p2m_frames) == 1108, "start_info.nr_p2m_frames");
_Static_assert(sizeof(struct start_info) == 1112, "sizeof start_info");

/* one set_trap_table entry (5.1); the array ends with address 0 */
struct trap_info {
	uint8_t vector;
	uint8_t flags;
	uint16_t cs;
	uint32_t address;
};
_Static_assert(offsetof(struct trap_info, vector) == 0, "trap_info.vector");
_Static_assert(offsetof(struct trap_info, flags) == 1, "trap_info.flags");
_Static_assert(offsetof(struct trap_info, cs) == 2, "trap_info.cs");
_Static_assert(offsetof(struct trap_info, address) == 4, "trap_info.address");
_Static_assert(sizeof(struct trap_info) == 8, "sizeof trap_info");

/* the console ring page (7.1) */
struct xencons_interface {
	char in[1024];
	char out[2048];
	uint32_t in_cons;
	uint32_t in_prod;
	uint32_t out_cons;
	uint32_t out_prod;
	uint8_t connection;
};
_Static_assert(offsetof(struct xencons_interface, in) == 0, "xencons_interface.in");
_Static_assert(offsetof(struct xencons_interface, out) == 1024, "xencons_interface.out");
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "xencons_interface.in_cons");
_Static_assert(offsetof(struct xencons_interface, in_prod) == 3076, "xencons_interface.in_prod");
_Static_assert(offsetof(struct xencons_interface, out_cons) == 3080, "xencons_interface.out_cons");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "xencons_interface.out_prod");
_Static_assert(offsetof(struct xencons_interface, connection) == 3088, "xencons_interface.connection");
_Static_assert(sizeof(struct xencons_interface) == 3092, "sizeof xencons_interface");

#endif /* __ASSEMBLER__ */

#endif /* PVPLAY_XEN_ABI_H */
