// Sub-operation numbers of the multiplexed hypercalls that xen.ts does not carry,
// from Xen's public headers (mmuext_op: xen.h; memory_op: memory.h; vcpu_op:
// vcpu.h; xen_version: version.h; physdev_op: physdev.h; callback_op: callback.h;
// nmi_op: nmi.h; update_va_mapping flags: xen.h). The hypercall handlers use them,
// and the trace formatter names them. Kept out of xen.ts on purpose: the guests'
// own headers define these names, and genheaders turns every export of xen.ts
// into a #define.

export const MMUEXT = {
  PIN_L1_TABLE: 0, PIN_L2_TABLE: 1, PIN_L3_TABLE: 2, PIN_L4_TABLE: 3, UNPIN_TABLE: 4, NEW_BASEPTR: 5,
  TLB_FLUSH_LOCAL: 6, INVLPG_LOCAL: 7, TLB_FLUSH_MULTI: 8, INVLPG_MULTI: 9, TLB_FLUSH_ALL: 10,
  INVLPG_ALL: 11, FLUSH_CACHE: 12, SET_LDT: 13, NEW_USER_BASEPTR: 15, CLEAR_PAGE: 16, COPY_PAGE: 17,
  FLUSH_CACHE_GLOBAL: 18, MARK_SUPER: 19, UNMARK_SUPER: 20,
} as const;

export const XENMEM = {
  increase_reservation: 0, decrease_reservation: 1, maximum_ram_page: 2, current_reservation: 3,
  maximum_reservation: 4, machphys_mfn_list: 5, populate_physmap: 6, add_to_physmap: 7,
  memory_map: 9, machine_memory_map: 10, exchange: 11, machphys_mapping: 12, set_memory_map: 13,
  maximum_gpfn: 14, remove_from_physmap: 15, machphys_compat_mfn_list: 25,
} as const;

export const VCPUOP = {
  initialise: 0, up: 1, down: 2, is_up: 3, get_runstate_info: 4, register_runstate_memory_area: 5,
  set_periodic_timer: 6, stop_periodic_timer: 7, set_singleshot_timer: 8, stop_singleshot_timer: 9,
  register_vcpu_info: 10, send_nmi: 11, get_physid: 12, register_vcpu_time_memory_area: 13,
} as const;

export const XENVER = {
  version: 0, extraversion: 1, compile_info: 2, capabilities: 3, changeset: 4, platform_parameters: 5,
  get_features: 6, pagesize: 7, guest_handle: 8, commandline: 9, build_id: 10,
} as const;

export const PHYSDEVOP = {
  irq_status_query: 5, set_iopl: 6, set_iobitmap: 7, apic_read: 8, apic_write: 9, alloc_irq_vector: 10,
  free_irq_vector: 11, eoi: 12, map_pirq: 13, unmap_pirq: 14, manage_pci_add: 15, manage_pci_remove: 16,
  pirq_eoi_gmfn_v1: 17, restore_msi: 19, manage_pci_add_ext: 20, setup_gsi: 21, get_free_pirq: 23,
  pci_mmcfg_reserved: 24, pirq_eoi_gmfn_v2: 28,
} as const;

export const CALLBACKOP = { register: 0, unregister: 1 } as const;
export const XENNMI = { register_callback: 0, unregister_callback: 1 } as const;
export const VMASST_CMD = { enable: 0, disable: 1 } as const;

/** update_va_mapping flags: the flush type in bits 0-1, then LOCAL (0), ALL (4) or a vcpu-bitmap pointer. */
export const UVMF = { NONE: 0, TLB_FLUSH: 1, INVLPG: 2, FLUSHTYPE_MASK: 3, LOCAL: 0, ALL: 4 } as const;

/** memory_op's command word: the command in the low bits, a continuation's start extent above. */
export const MEMOP_EXTENT_SHIFT = 6;
