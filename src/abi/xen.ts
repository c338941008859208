// The Xen x86_32 PAE PV ABI as data: numbers from Xen's public headers
// (xen/include/public/*.h; see ../shared/docs/xen-pv32-abi.md for where each
// comes from). One source: guest headers are generated from this file.

/** Hypercall numbers (xen.h). */
export const HC = {
  set_trap_table: 0, mmu_update: 1, set_gdt: 2, stack_switch: 3, set_callbacks: 4,
  fpu_taskswitch: 5, sched_op_compat: 6, platform_op: 7, set_debugreg: 8, get_debugreg: 9,
  update_descriptor: 10, memory_op: 12, multicall: 13, update_va_mapping: 14, set_timer_op: 15,
  event_channel_op_compat: 16, xen_version: 17, console_io: 18, physdev_op_compat: 19,
  grant_table_op: 20, vm_assist: 21, update_va_mapping_otherdomain: 22, iret: 23, vcpu_op: 24,
  set_segment_base: 25, mmuext_op: 26, xsm_op: 27, nmi_op: 28, sched_op: 29, callback_op: 30,
  xenoprof_op: 31, event_channel_op: 32, physdev_op: 33, hvm_op: 34, sysctl: 35, domctl: 36,
  kexec_op: 37, tmem_op: 38, argo_op: 39, xenpmu_op: 40, dm_op: 41, hypfs_op: 42,
} as const;

/** Xen errno values (errno.h); hypercalls return them negated. */
export const E = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18,
  ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOSPC: 28, EROFS: 30,
  EMLINK: 31, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38,
  ENOTEMPTY: 39, ENODATA: 61, ETIME: 62, EBADMSG: 74, EOVERFLOW: 75, EILSEQ: 84, ERESTART: 85,
  ENOTSOCK: 88, EMSGSIZE: 90, EOPNOTSUPP: 95, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENOBUFS: 105,
  EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110, ECONNREFUSED: 111,
} as const;

/** Special domain ids (xen.h). */
export const DOMID_SELF = 0x7ff0, DOMID_IO = 0x7ff1, DOMID_XEN = 0x7ff2, DOMID_COW = 0x7ff3,
  DOMID_INVALID = 0x7ff4, DOMID_IDLE = 0x7fff;

/** The 32-bit guest's hypervisor hole and machine-to-phys table (64-bit Xen, compat). */
export const HYPERVISOR_VIRT_START = 0xf5800000;
export const MACH2PHYS_VIRT_START = 0xf5800000;
export const MACH2PHYS_VIRT_END = 0xffe00000;
export const MACH2PHYS_MAX_MFN = 0x0297ffff;
export const INVALID_M2P_ENTRY = 0xffffffff;
/** First L2 slot (of the L2 in L3 slot 3) that belongs to Xen. */
export const XEN_L2_FIRST_SLOT = 428;

/** Flat selectors in Xen's reserved GDT page (arch-x86/xen-x86_32.h). */
export const FLAT_RING1_CS = 0xe019, FLAT_RING1_DS = 0xe021, FLAT_RING1_SS = 0xe021,
  FLAT_RING3_CS = 0xe02b, FLAT_RING3_DS = 0xe033, FLAT_RING3_SS = 0xe033;
export const FLAT_KERNEL_CS = FLAT_RING1_CS, FLAT_KERNEL_DS = FLAT_RING1_DS, FLAT_KERNEL_SS = FLAT_RING1_SS;
export const FLAT_USER_CS = FLAT_RING3_CS, FLAT_USER_DS = FLAT_RING3_DS, FLAT_USER_SS = FLAT_RING3_SS;
export const FIRST_RESERVED_GDT_PAGE = 14;
export const FIRST_RESERVED_GDT_ENTRY = 7168;

/** Sizes and counts. */
export const PAGE_SIZE = 4096;
export const XEN_LEGACY_MAX_VCPUS = 32;
export const EVTCHN_2L_NR_CHANNELS = 1024;
export const NR_VIRQS = 24;
export const MAX_GUEST_CMDLINE = 1024;

/** shared_info (x86_32) offsets. */
export const SHINFO = {
  VCPU_INFO: 0, VCPU_INFO_SIZE: 64, EVTCHN_PENDING: 2048, EVTCHN_MASK: 2176, WC_VERSION: 2304,
  WC_SEC: 2308, WC_NSEC: 2312, ARCH_MAX_PFN: 2316, ARCH_P2M_LIST_LIST: 2320, ARCH_NMI_REASON: 2324,
  ARCH_P2M_CR3: 2328, ARCH_P2M_VADDR: 2332, ARCH_P2M_GENERATION: 2336, ARCH_WC_SEC_HI: 2340,
} as const;
/** vcpu_info (64 bytes) offsets. */
export const VCPUI = {
  UPCALL_PENDING: 0, UPCALL_MASK: 1, PAD: 2, PENDING_SEL: 4, CR2: 8, TIME: 32,
} as const;
/** vcpu_time_info (32 bytes) offsets. */
export const VTIME = {
  VERSION: 0, TSC_TIMESTAMP: 8, SYSTEM_TIME: 16, TSC_TO_SYSTEM_MUL: 24, TSC_SHIFT: 28, FLAGS: 29,
} as const;
/** start_info (x86_32) offsets. */
export const SI = {
  MAGIC: 0, NR_PAGES: 32, SHARED_INFO: 36, FLAGS: 40, STORE_MFN: 44, STORE_EVTCHN: 48,
  CONSOLE_MFN: 52, CONSOLE_EVTCHN: 56, PT_BASE: 60, NR_PT_FRAMES: 64, MFN_LIST: 68, MOD_START: 72,
  MOD_LEN: 76, CMD_LINE: 80, FIRST_P2M_PFN: 1104, NR_P2M_FRAMES: 1108, SIZE: 1112,
} as const;
export const SIF_PRIVILEGED = 1, SIF_INITDOMAIN = 2, SIF_MULTIBOOT_MOD = 4, SIF_MOD_START_PFN = 8;

/** VIRQs (xen.h). */
export const VIRQ = {
  TIMER: 0, DEBUG: 1, CONSOLE: 2, DOM_EXC: 3, TBUF: 4, DEBUGGER: 6, XENOPROF: 7, CON_RING: 8,
  PCPU_STATE: 9, MEM_EVENT: 10, ARGO: 11, ENOMEM: 12, XENPMU: 13,
} as const;
/** Per-vcpu VIRQs (the rest are global or per-domain). */
export const VIRQ_PER_VCPU = [VIRQ.TIMER, VIRQ.DEBUG, VIRQ.XENOPROF, VIRQ.XENPMU];

/** Shutdown reasons (sched.h). */
export const SHUTDOWN = { poweroff: 0, reboot: 1, suspend: 2, crash: 3, watchdog: 4, soft_reset: 5 } as const;

/** VM assists (xen.h). */
export const VMASST = {
  FOUR_GB_SEGMENTS: 0, FOUR_GB_SEGMENTS_NOTIFY: 1, WRITABLE_PAGETABLES: 2, PAE_EXTENDED_CR3: 3,
  ARCHITECTURAL_IOPL: 4, RUNSTATE_UPDATE_FLAG: 5,
} as const;
export const VMASST_VALID_PV32 = 0x3f;

/** Grant table (grant_table.h). */
export const GTF = {
  invalid: 0, permit_access: 1, accept_transfer: 2, transitive: 3, type_mask: 3, readonly: 4,
  reading: 8, writing: 16, PWT: 32, PCD: 64, PAT: 128, sub_page: 256,
} as const;
export const GNTST = {
  okay: 0, general_error: -1, bad_domain: -2, bad_gntref: -3, bad_handle: -4, bad_virt_addr: -5,
  bad_dev_addr: -6, no_device_space: -7, permission_denied: -8, bad_page: -9, bad_copy_arg: -10,
  address_too_big: -11, eagain: -12, no_space: -13,
} as const;
export const GNTMAP = { device_map: 1, host_map: 2, readonly: 4, application_map: 8, contains_pte: 16 } as const;
/** GNTTABOP_copy flags: the source / dest pointer is a grant reference rather than a frame. */
export const GNTCOPY = { source_gref: 1, dest_gref: 2 } as const;
export const GNTTABOP = {
  map_grant_ref: 0, unmap_grant_ref: 1, setup_table: 2, dump_table: 3, transfer: 4, copy: 5,
  query_size: 6, unmap_and_replace: 7, set_version: 8, get_status_frames: 9, get_version: 10,
  swap_grant_ref: 11, cache_flush: 12,
} as const;
export const GNTTAB_RESERVED_CONSOLE = 0, GNTTAB_RESERVED_XENSTORE = 1;

/** Event-channel ops and statuses (event_channel.h). */
export const EVTCHNOP = {
  bind_interdomain: 0, bind_virq: 1, bind_pirq: 2, close: 3, send: 4, status: 5, alloc_unbound: 6,
  bind_ipi: 7, bind_vcpu: 8, unmask: 9, reset: 10, init_control: 11, expand_array: 12, set_priority: 13,
} as const;
export const EVTCHNSTAT = { closed: 0, unbound: 1, interdomain: 2, pirq: 3, virq: 4, ipi: 5 } as const;

/** ELF note types a guest image carries in notes named "Xen" (elfnote.h). */
export const XEN_ELFNOTE = {
  INFO: 0, ENTRY: 1, HYPERCALL_PAGE: 2, VIRT_BASE: 3, PADDR_OFFSET: 4, XEN_VERSION: 5, GUEST_OS: 6,
  GUEST_VERSION: 7, LOADER: 8, PAE_MODE: 9, FEATURES: 10, BSD_SYMTAB: 11, HV_START_LOW: 12,
  L1_MFN_VALID: 13, SUSPEND_CANCEL: 14, INIT_P2M: 15, MOD_START_PFN: 16, SUPPORTED_FEATURES: 17,
  PHYS32_ENTRY: 18, PHYS32_RELOC: 19,
} as const;

/** XENFEAT bit numbers (features.h); submap 0 is the only one. */
export const XENFEAT = {
  writable_page_tables: 0, writable_descriptor_tables: 1, auto_translated_physmap: 2,
  supervisor_mode_kernel: 3, pae_pgdir_above_4gb: 4, mmu_pt_update_preserve_ad: 5, highmem_assist: 6,
  gnttab_map_avail_bits: 7, hvm_callback_vector: 8, hvm_safe_pvclock: 9, hvm_pirqs: 10, dom0: 11,
  memory_op_vnode_supported: 13, ARM_SMCCC_supported: 14, linux_rsdp_unrestricted: 15,
  not_direct_mapped: 16, direct_mapped: 17, runstate_phys_area: 18, vcpu_time_phys_area: 19,
  dm_msix_all_writes: 20,
} as const;
export const XENFEAT_NR_SUBMAPS = 1;

/** Hypercall page (4.2): one 32-byte stub per hypercall number. */
export const HYPERCALL_STUB_BYTES = 32, HYPERCALL_STUBS = 128;

/** sched_op commands (sched.h). */
export const SCHEDOP = {
  yield: 0, block: 1, shutdown: 2, poll: 3, remote_shutdown: 4, shutdown_code: 5, watchdog: 6,
  pin_override: 7,
} as const;

/** console_io commands (xen.h). */
export const CONSOLEIO = { write: 0, read: 1 } as const;

/** trap_info (8 bytes), the entries of set_trap_table's array (arch-x86/xen.h). */
export const TRAP_INFO = { VECTOR: 0, FLAGS: 1, CS: 2, ADDRESS: 4, SIZE: 8 } as const;

/** The console ring page, struct xencons_interface (io/console.h). */
export const XENCONS = {
  IN: 0, IN_SIZE: 1024, OUT: 1024, OUT_SIZE: 2048, IN_CONS: 3072, IN_PROD: 3076, OUT_CONS: 3080,
  OUT_PROD: 3084, CONNECTION: 3088,
} as const;
export const XENCONSOLE_CONNECTED = 0, XENCONSOLE_DISCONNECTED = 1;
