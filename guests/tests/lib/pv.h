/*
 * The rest of the x86_32 PV ABI the test kernels use, beyond <xen/abi.h>: sub-op
 * numbers and argument structures of each hypercall family, with their x86_32
 * layouts checked by _Static_assert (ABI map sections in the comments), and one
 * inline wrapper per hypercall. Each #define is guarded, so if the generated
 * header later grows the same name with the same value nothing breaks.
 */
#ifndef TESTS_LIB_PV_H
#define TESTS_LIB_PV_H

#include <stddef.h>
#include <stdint.h>
#include <xen/abi.h>
#include "hypercall.h"

#define CHECK_SIZE(type, n) _Static_assert(sizeof(type) == (n), "sizeof " #type)
#define CHECK_OFF(type, field, n) _Static_assert(offsetof(type, field) == (n), #type "." #field)

/* Page-table entry bits (6.2). */
#define _PAGE_PRESENT	0x001u
#define _PAGE_RW	0x002u
#define _PAGE_USER	0x004u
#define _PAGE_PWT	0x008u
#define _PAGE_PCD	0x010u
#define _PAGE_ACCESSED	0x020u
#define _PAGE_DIRTY	0x040u
#define _PAGE_PSE	0x080u
#define _PAGE_GLOBAL	0x100u
#define PTE_KERNEL_RW	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PTE_KERNEL_RO	(_PAGE_PRESENT | _PAGE_ACCESSED)
#define PTE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

/* mmu_update (5.2): the command is in the low 3 bits of ptr. */
#define MMU_NORMAL_PT_UPDATE		0
#define MMU_MACHPHYS_UPDATE		1
#define MMU_PT_UPDATE_PRESERVE_AD	2
#define MMU_PT_UPDATE_NO_TRANSLATE	3
struct mmu_update {
	uint64_t ptr;
	uint64_t val;
};
CHECK_SIZE(struct mmu_update, 16);

/* mmuext_op (5.3). */
#define MMUEXT_PIN_L1_TABLE	0
#define MMUEXT_PIN_L2_TABLE	1
#define MMUEXT_PIN_L3_TABLE	2
#define MMUEXT_PIN_L4_TABLE	3
#define MMUEXT_UNPIN_TABLE	4
#define MMUEXT_NEW_BASEPTR	5
#define MMUEXT_TLB_FLUSH_LOCAL	6
#define MMUEXT_INVLPG_LOCAL	7
#define MMUEXT_TLB_FLUSH_MULTI	8
#define MMUEXT_INVLPG_MULTI	9
#define MMUEXT_TLB_FLUSH_ALL	10
#define MMUEXT_INVLPG_ALL	11
#define MMUEXT_FLUSH_CACHE	12
#define MMUEXT_SET_LDT		13
#define MMUEXT_NEW_USER_BASEPTR	15
#define MMUEXT_CLEAR_PAGE	16
#define MMUEXT_COPY_PAGE	17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER	19
#define MMUEXT_UNMARK_SUPER	20
struct mmuext_op {
	uint32_t cmd;
	uint32_t arg1;	/* mfn or linear_addr */
	uint32_t arg2;	/* nr_ents, vcpumask pointer or src_mfn */
};
CHECK_SIZE(struct mmuext_op, 12);

/* update_va_mapping flags (5.4). */
#define UVMF_NONE		0
#define UVMF_TLB_FLUSH		1
#define UVMF_INVLPG		2
#define UVMF_LOCAL		0
#define UVMF_ALL		4

/* multicall (5.19). */
struct multicall_entry {
	uint32_t op;
	uint32_t result;
	uint32_t args[6];
};
CHECK_SIZE(struct multicall_entry, 32);

/* xen_version (5.13). */
#define XENVER_version			0
#define XENVER_extraversion		1
#define XENVER_compile_info		2
#define XENVER_capabilities		3
#define XENVER_changeset		4
#define XENVER_platform_parameters	5
#define XENVER_get_features		6
#define XENVER_pagesize			7
#define XENVER_guest_handle		8
#define XENVER_commandline		9
struct xen_feature_info {
	uint32_t submap_idx;
	uint32_t submap;
};
struct xen_platform_parameters {
	uint32_t virt_start;
};

/* vm_assist (5.14). */
#define VMASST_CMD_enable	0
#define VMASST_CMD_disable	1

/* memory_op (5.15). */
#define XENMEM_increase_reservation	0
#define XENMEM_decrease_reservation	1
#define XENMEM_maximum_ram_page		2
#define XENMEM_current_reservation	3
#define XENMEM_maximum_reservation	4
#define XENMEM_machphys_mfn_list	5
#define XENMEM_populate_physmap		6
#define XENMEM_add_to_physmap		7
#define XENMEM_memory_map		9
#define XENMEM_machphys_mapping		12
struct xen_memory_reservation {
	uint32_t extent_start;	/* pointer to uint32_t[] */
	uint32_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	uint16_t domid;
};
CHECK_SIZE(struct xen_memory_reservation, 20);
struct xen_memory_map {
	uint32_t nr_entries;
	uint32_t buffer;
};
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
CHECK_SIZE(struct e820_entry, 20);
struct xen_machphys_mapping {
	uint32_t v_start, v_end, max_mfn;
};
struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint32_t idx;
	uint32_t gpfn;
};
CHECK_SIZE(struct xen_add_to_physmap, 16);

/* event_channel_op (5.16). */
struct evtchn_alloc_unbound {
	uint16_t dom, remote_dom;
	uint32_t port;
};
CHECK_SIZE(struct evtchn_alloc_unbound, 8);
struct evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint16_t pad;
	uint32_t remote_port;
	uint32_t local_port;
};
CHECK_SIZE(struct evtchn_bind_interdomain, 12);
struct evtchn_bind_virq {
	uint32_t virq, vcpu, port;
};
struct evtchn_bind_ipi {
	uint32_t vcpu, port;
};
struct evtchn_port_op {	/* close, send, unmask */
	uint32_t port;
};
struct evtchn_bind_vcpu {
	uint32_t port, vcpu;
};
struct evtchn_status {
	uint16_t dom;
	uint16_t pad;
	uint32_t port;
	uint32_t status;
	uint32_t vcpu;
	union {
		uint16_t unbound_dom;
		struct { uint16_t dom; uint16_t pad; uint32_t port; } interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};
CHECK_SIZE(struct evtchn_status, 24);
CHECK_OFF(struct evtchn_status, u, 16);
/* The legacy event_channel_op_compat argument: {cmd, union}. */
struct evtchn_op {
	uint32_t cmd;
	union {
		struct evtchn_alloc_unbound alloc_unbound;
		struct evtchn_port_op port;
		struct evtchn_status status;
	} u;
};
CHECK_SIZE(struct evtchn_op, 28);

/* grant_table_op (5.17). */
struct grant_entry_v1 {
	uint16_t flags;
	uint16_t domid;
	uint32_t frame;
};
struct gnttab_setup_table {
	uint16_t dom;
	uint32_t nr_frames;
	int16_t status;
	uint32_t frame_list;	/* pointer to uint32_t[] */
};
CHECK_SIZE(struct gnttab_setup_table, 16);
CHECK_OFF(struct gnttab_setup_table, frame_list, 12);
struct gnttab_query_size {
	uint16_t dom;
	uint32_t nr_frames;
	uint32_t max_nr_frames;
	int16_t status;
};
CHECK_SIZE(struct gnttab_query_size, 16);
struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags;
	uint32_t ref;
	uint16_t dom;
	int16_t status;
	uint32_t handle;
	uint64_t dev_bus_addr;
};
CHECK_SIZE(struct gnttab_map_grant_ref, 32);
CHECK_OFF(struct gnttab_map_grant_ref, status, 18);
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	uint32_t handle;
	int16_t status;
};
CHECK_SIZE(struct gnttab_unmap_grant_ref, 24);
struct gnttab_copy_ptr {
	uint32_t u;	/* grant ref or gmfn */
	uint16_t domid;
	uint16_t offset;
};
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags;
	int16_t status;
};
CHECK_SIZE(struct gnttab_copy, 24);
CHECK_OFF(struct gnttab_copy, status, 20);
#ifndef GNTCOPY_source_gref
#define GNTCOPY_source_gref 1
#define GNTCOPY_dest_gref 2
#endif
struct gnttab_set_version {
	uint32_t version;
};
struct gnttab_get_version {
	uint16_t dom;
	uint16_t pad;
	uint32_t version;
};

/* sched_op (5.9). */
struct sched_poll {
	uint32_t ports;	/* pointer to uint32_t[] */
	uint32_t nr_ports;
	uint64_t timeout;
};
CHECK_SIZE(struct sched_poll, 16);

/* vcpu_op (5.11). */
#define VCPUOP_initialise			0
#define VCPUOP_up				1
#define VCPUOP_down				2
#define VCPUOP_is_up				3
#define VCPUOP_get_runstate_info		4
#define VCPUOP_register_runstate_memory_area	5
#define VCPUOP_set_periodic_timer		6
#define VCPUOP_stop_periodic_timer		7
#define VCPUOP_set_singleshot_timer		8
#define VCPUOP_stop_singleshot_timer		9
#define VCPUOP_register_vcpu_info		10
#define VCPUOP_send_nmi				11
#define RUNSTATE_running	0
#define RUNSTATE_runnable	1
#define RUNSTATE_blocked	2
#define RUNSTATE_offline	3
struct vcpu_runstate_info {
	int32_t state;
	uint64_t state_entry_time;
	uint64_t time[4];
};
CHECK_SIZE(struct vcpu_runstate_info, 44);
struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;
};
CHECK_SIZE(struct vcpu_set_singleshot_timer, 12);
struct vcpu_register_vcpu_info {
	uint64_t mfn;
	uint32_t offset;
	uint32_t rsvd;
};
CHECK_SIZE(struct vcpu_register_vcpu_info, 16);
struct vcpu_register_runstate_memory_area {
	uint64_t addr;	/* guest VA in the low 32 bits */
};

/* callback_op (5.7). */
#define CALLBACKOP_register	0
#define CALLBACKOP_unregister	1
#define CALLBACKTYPE_event	0
#define CALLBACKTYPE_failsafe	1
#define CALLBACKTYPE_syscall	2
#define CALLBACKTYPE_nmi	4
#define CALLBACKTYPE_sysenter	5
#define CALLBACKTYPE_syscall32	7
#define CALLBACKF_mask_events	1
struct callback_register {
	uint16_t type;
	uint16_t flags;
	uint32_t cs;
	uint32_t eip;
};
CHECK_SIZE(struct callback_register, 12);
struct callback_unregister {
	uint16_t type;
	uint16_t pad;
};

/* physdev_op (5.18). */
#define PHYSDEVOP_irq_status_query	5
#define PHYSDEVOP_set_iopl		6
#define PHYSDEVOP_set_iobitmap		7
#define PHYSDEVOP_map_pirq		13
struct physdev_set_iopl {
	uint32_t iopl;
};
struct physdev_set_iobitmap {
	uint32_t bitmap;	/* pointer */
	uint32_t nr_ports;
};

/* trap_info flags (5.1). */
#define TI_DPL(n)	((n) & 3)
#define TI_SET_IF	4

/* Wrappers: one per hypercall, the arguments as the ABI passes them (4.5). */
static inline long HYPERVISOR_mmu_update(struct mmu_update *req, unsigned count, unsigned *done, unsigned dom)
{
	return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, dom);
}
static inline long HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned count, unsigned *done, unsigned dom)
{
	return _hypercall4(__HYPERVISOR_mmuext_op, op, count, done, dom);
}
static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return _hypercall4(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags);
}
static inline long HYPERVISOR_update_va_mapping_otherdomain(unsigned long va, uint64_t pte, unsigned long flags,
							    unsigned dom)
{
	return _hypercall5(__HYPERVISOR_update_va_mapping_otherdomain, va, (uint32_t)pte, (uint32_t)(pte >> 32),
			   flags, dom);
}
static inline long HYPERVISOR_set_gdt(uint32_t *frames, unsigned entries)
{
	return _hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}
static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
	return _hypercall4(__HYPERVISOR_update_descriptor, (uint32_t)maddr, (uint32_t)(maddr >> 32),
			   (uint32_t)desc, (uint32_t)(desc >> 32));
}
static inline long HYPERVISOR_stack_switch(unsigned ss, unsigned long esp)
{
	return _hypercall2(__HYPERVISOR_stack_switch, ss, esp);
}
static inline long HYPERVISOR_set_callbacks(unsigned ecs, unsigned long eeip, unsigned fcs, unsigned long feip)
{
	return _hypercall4(__HYPERVISOR_set_callbacks, ecs, eeip, fcs, feip);
}
static inline long HYPERVISOR_callback_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}
static inline long HYPERVISOR_fpu_taskswitch(int set)
{
	return _hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}
static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
	return _hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)timeout, (uint32_t)(timeout >> 32));
}
static inline long HYPERVISOR_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
	return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}
static inline long HYPERVISOR_vm_assist(unsigned cmd, unsigned type)
{
	return _hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}
static inline long HYPERVISOR_memory_op(unsigned cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}
static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}
static inline long HYPERVISOR_event_channel_op_compat(struct evtchn_op *op)
{
	return _hypercall1(__HYPERVISOR_event_channel_op_compat, op);
}
static inline long HYPERVISOR_grant_table_op(unsigned cmd, void *uop, unsigned count)
{
	return _hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}
static inline long HYPERVISOR_physdev_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}
static inline long HYPERVISOR_multicall(struct multicall_entry *list, unsigned count)
{
	return _hypercall2(__HYPERVISOR_multicall, list, count);
}
static inline long HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
	return _hypercall2(__HYPERVISOR_set_debugreg, reg, value);
}
static inline long HYPERVISOR_get_debugreg(int reg)
{
	return _hypercall1(__HYPERVISOR_get_debugreg, reg);
}
static inline long HYPERVISOR_sched_op_compat(int cmd, unsigned long arg)
{
	return _hypercall2(__HYPERVISOR_sched_op_compat, cmd, arg);
}
static inline long HYPERVISOR_nmi_op(int cmd, void *arg)
{
	return _hypercall2(__HYPERVISOR_nmi_op, cmd, arg);
}

#endif
