/*
 * Events (ABI map 5.16, 6.11). shared_info is mapped at a .bss page by
 * update_va_mapping with start_info.shared_info's frame. The upcall
 * (evtchn_upcall_entry in traps.S) runs with events masked; like a real guest it
 * clears evtchn_upcall_pending, fetches and clears the selector word, and for each
 * set word handles the ports pending and not masked, clearing their pending bits.
 * A port's handler, if any, runs; every port counts its upcalls in evtchn_hits.
 */
#include "test.h"

struct shared_info *shared;
struct vcpu_info *vcpu0;
volatile unsigned evtchn_hits[EVTCHN_2L_NR_CHANNELS];
volatile unsigned upcall_count;
struct trap_frame last_upcall;
static evtchn_fn handlers[EVTCHN_2L_NR_CHANNELS];
static char shinfo_page[4096] __attribute__((aligned(4096)));

extern char evtchn_upcall_entry[], failsafe_entry[];

void map_shared_info(void)
{
	long rc;

	if (shared)
		return;
	rc = HYPERVISOR_update_va_mapping((unsigned long)shinfo_page,
					  make_pte(start_info->shared_info >> 12, PTE_KERNEL_RW), UVMF_INVLPG);
	if (rc) {
		printf("FAILED map shared_info: update_va_mapping returned %d\n", (int)rc);
		shutdown(SHUTDOWN_crash);
	}
	shared = (struct shared_info *)shinfo_page;
	vcpu0 = &shared->vcpu_info[0];
}

void events_init(void)
{
	long rc;

	map_shared_info();
	rc = HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, (unsigned long)evtchn_upcall_entry,
				      FLAT_KERNEL_CS, (unsigned long)failsafe_entry);
	if (rc)
		check_detail(0, "events_init", "set_callbacks returned %d", (int)rc);
}

void evtchn_handler(unsigned port, evtchn_fn fn)
{
	handlers[port % EVTCHN_2L_NR_CHANNELS] = fn;
}

void evtchn_do_upcall(struct trap_frame *f)
{
	struct vcpu_info *vi = vcpu0;

	last_upcall = *f;
	upcall_count++;
	vi->evtchn_upcall_pending = 0;
	uint32_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned w = __builtin_ctz(sel);
		sel &= sel - 1;
		uint32_t bits = shared->evtchn_pending[w] & ~shared->evtchn_mask[w];
		while (bits) {
			unsigned b = __builtin_ctz(bits), port = w * 32 + b;
			bits &= bits - 1;
			__atomic_and_fetch(&shared->evtchn_pending[w], ~(1u << b), __ATOMIC_SEQ_CST);
			evtchn_hits[port]++;
			if (handlers[port])
				handlers[port](port);
		}
	}
}

long evtchn_alloc_unbound(unsigned remote, unsigned *port)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	*port = a.port;
	return rc;
}

long evtchn_bind_virq(unsigned virq, unsigned vcpu, unsigned *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

	*port = b.port;
	return rc;
}

long evtchn_bind_ipi(unsigned vcpu, unsigned *port)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);

	*port = b.port;
	return rc;
}

long evtchn_send(unsigned port)
{
	struct evtchn_port_op p = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &p);
}

long evtchn_close(unsigned port)
{
	struct evtchn_port_op p = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &p);
}

long evtchn_unmask(unsigned port)
{
	struct evtchn_port_op p = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_unmask, &p);
}

void evtchn_mask(unsigned port)
{
	__atomic_or_fetch(&shared->evtchn_mask[port / 32], 1u << (port % 32), __ATOMIC_SEQ_CST);
}

void events_enable(void)
{
	__atomic_store_n(&vcpu0->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	/* Xen checks for pending events on every exit to the guest: take one now. */
	if (vcpu0->evtchn_upcall_pending)
		HYPERVISOR_xen_version(XENVER_version, 0);
}

void events_disable(void)
{
	__atomic_store_n(&vcpu0->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
}

unsigned self_domid(void)
{
	static unsigned id = 0xffffffffu;
	unsigned port;

	if (id != 0xffffffffu)
		return id;
	if (evtchn_alloc_unbound(DOMID_SELF, &port) == 0) {
		struct evtchn_status s = { .dom = DOMID_SELF, .port = port };
		if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &s) == 0)
			id = s.u.unbound_dom;
		evtchn_close(port);
	}
	return id;
}
