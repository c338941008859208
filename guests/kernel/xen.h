/*
 * The parts of Xen's public interface pvos uses beyond the generated
 * <xen/abi.h>: page-table entry bits, the argument structures of the
 * hypercalls we make, and their sub-operation numbers. Layouts are the
 * x86_32 ones (8-byte fields only 4-byte aligned), checked at compile time.
 */
#ifndef PVOS_XEN_H
#define PVOS_XEN_H

#include <stddef.h>
#include <stdint.h>
#include <xen/abi.h>

#define SIZE_IS(t, n) _Static_assert(sizeof(t) == (n), "size of " #t)

/* PAE page-table entry bits. */
#define PTE_P		0x001u		/* present */
#define PTE_W		0x002u		/* writable */
#define PTE_U		0x004u		/* user */
#define PTE_A		0x020u		/* accessed */
#define PTE_D		0x040u		/* dirty */
#define PTE_KERN	(PTE_P | PTE_W | PTE_A | PTE_D)
#define PTE_KERN_RO	(PTE_P | PTE_A)
#define PTE_USER	(PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)
#define PTE_TABLE	(PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)	/* L3 and L2 entries */
#define PTE_ADDR(e)	((uint32_t)((e) >> 12) & 0xFFFFFFu)	/* the frame an entry names */

/* mmu_update: the request type sits in the low bits of ptr. */
#define MMU_NORMAL_PT_UPDATE	0
struct mmu_update {
	uint64_t ptr;		/* machine address of the entry | type */
	uint64_t val;		/* the new entry */
};
SIZE_IS(struct mmu_update, 16);

/* mmuext_op commands. */
#define MMUEXT_PIN_L3_TABLE	2
#define MMUEXT_UNPIN_TABLE	4
#define MMUEXT_NEW_BASEPTR	5
#define MMUEXT_TLB_FLUSH_LOCAL	6
struct mmuext_op {
	uint32_t cmd;
	uint32_t arg1;		/* an mfn or a linear address */
	uint32_t arg2;
};
SIZE_IS(struct mmuext_op, 12);

/* update_va_mapping flags. */
#define UVMF_INVLPG	2

struct multicall_entry {
	uint32_t op;
	int32_t result;
	uint32_t args[6];
};
SIZE_IS(struct multicall_entry, 32);

/* trap_info flags: DPL in bits 0-1, "mask events on entry" in bit 2. */
#define TI_DPL3		3
#define TI_MASK_EVENTS	4

/* event_channel_op arguments. */
struct evtchn_bind_virq {
	uint32_t virq, vcpu;
	uint32_t port;		/* out */
};
struct evtchn_port {
	uint32_t port;		/* EVTCHNOP_send, _unmask, _close */
};

/* sched_op arguments. */
struct sched_shutdown {
	uint32_t reason;
};
struct sched_poll {
	uint32_t ports;		/* pointer to uint32_t[] */
	uint32_t nr_ports;
	uint64_t timeout;
};
SIZE_IS(struct sched_poll, 16);

/* vcpu_op commands. */
#define VCPUOP_stop_periodic_timer	7

/* xen_version commands. */
#define XENVER_version	0

#endif
