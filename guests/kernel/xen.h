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

/* event_channel_op: interdomain channels. */
struct evtchn_alloc_unbound {
	uint16_t dom;		/* DOMID_SELF */
	uint16_t remote_dom;	/* who may bind the other end */
	uint32_t port;		/* out */
};
SIZE_IS(struct evtchn_alloc_unbound, 8);
struct evtchn_bind_interdomain {
	uint16_t remote_dom;
	uint16_t pad;
	uint32_t remote_port;
	uint32_t local_port;	/* out */
};
SIZE_IS(struct evtchn_bind_interdomain, 12);
struct evtchn_status {
	uint16_t dom;
	uint16_t pad;
	uint32_t port;
	uint32_t status;	/* out: EVTCHNSTAT_* */
	uint32_t vcpu;		/* out */
	uint16_t remote_dom;	/* out: unbound.dom or interdomain.dom */
	uint16_t pad2;
	uint32_t remote_port;	/* out: interdomain.port */
};
SIZE_IS(struct evtchn_status, 24);

/* grant_table_op, version 1. */
struct grant_entry_v1 {
	uint16_t flags;		/* GTF_*: written last by the granter; Xen sets reading/writing */
	uint16_t domid;		/* who may use it */
	uint32_t frame;		/* the mfn granted */
};
SIZE_IS(struct grant_entry_v1, 8);
#define GNTTAB_NR_RESERVED	8	/* entries 0-7 belong to the toolstack */
struct gnttab_setup_table {
	uint16_t dom;
	uint16_t pad;
	uint32_t nr_frames;
	int16_t status;		/* out: GNTST_* */
	uint16_t pad2;
	uint32_t frame_list;	/* pointer to uint32_t[nr_frames], filled with mfns */
};
SIZE_IS(struct gnttab_setup_table, 16);
struct gnttab_map_grant_ref {
	uint64_t host_addr;	/* where to map it (a linear address here) */
	uint32_t flags;		/* GNTMAP_* */
	uint32_t ref;
	uint16_t dom;		/* the granting domain */
	int16_t status;		/* out */
	uint32_t handle;	/* out: names the mapping for unmap */
	uint64_t dev_bus_addr;	/* out */
};
SIZE_IS(struct gnttab_map_grant_ref, 32);
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	uint32_t handle;
	int16_t status;		/* out */
	uint16_t pad;
};
SIZE_IS(struct gnttab_unmap_grant_ref, 24);

/* The xenstore ring page (start_info.store_mfn) and the messages on it. */
#define XENSTORE_RING_SIZE	1024
#define XENSTORE_PAYLOAD_MAX	4096
struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE];	/* guest -> xenstored */
	char rsp[XENSTORE_RING_SIZE];	/* xenstored -> guest: replies and watch events */
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
	uint32_t evtchn_port;
};
SIZE_IS(struct xenstore_domain_interface, 2080);
struct xsd_sockmsg {
	uint32_t type;		/* XS_* */
	uint32_t req_id;	/* echoed in the reply */
	uint32_t tx_id;		/* transaction, 0 for none */
	uint32_t len;		/* payload bytes that follow */
};
SIZE_IS(struct xsd_sockmsg, 16);
enum {
	XS_DIRECTORY = 1, XS_READ = 2, XS_WATCH = 4, XS_UNWATCH = 5, XS_WRITE = 11, XS_MKDIR = 12,
	XS_RM = 13, XS_SET_PERMS = 14, XS_WATCH_EVENT = 15, XS_ERROR = 16,
};

/* vcpu_op commands. */
#define VCPUOP_stop_periodic_timer	7

/* xen_version commands. */
#define XENVER_version	0

#endif
