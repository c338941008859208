/*
 * events: event channels and the upcall (ABI map 5.7, 5.16, 6.11, 3.6).
 * A loopback pair (alloc_unbound for ourselves + bind_interdomain to it), IPIs
 * and VIRQ bindings; pending/mask/selector bits in shared_info; the upcall frame;
 * callback registration; and every refusal of the 2-level ABI.
 *
 * Expected lines:
 *   OK set_callbacks
 *   OK callback_op register event
 *   OK callback_op register failsafe with mask_events
 *   OK callback_op unregister event: -EINVAL
 *   OK callback_op register syscall: -ENOSYS
 *   OK callback_op register nmi, unregister nmi
 *   OK callback_op bad command: -EINVAL
 *   OK alloc_unbound takes the lowest free port (3)
 *   OK status of an unbound port names our domain
 *   OK alloc_unbound for another domain: -EPERM
 *   OK bind_interdomain to our own unbound port
 *   OK bind_interdomain sets the new port pending
 *   OK status of the bound port: interdomain
 *   OK with events masked a send sets pending, selector and upcall_pending only
 *   OK enabling events delivers the pending upcall
 *   OK the upcall frame: FLAT_KERNEL_CS, saved mask 0, IF 1
 *   OK events are masked inside the upcall
 *   OK a masked port: send sets pending but no upcall
 *   OK unmask of a pending port delivers the upcall
 *   OK bind_ipi and send to ourselves
 *   OK bind_ipi to a vcpu that does not exist: -ENOENT
 *   OK bind_virq VIRQ_TIMER
 *   OK bind_virq VIRQ_TIMER again: -EEXIST
 *   OK bind_virq 24: -EINVAL
 *   OK bind_virq of a global VIRQ on vcpu 1: -EINVAL
 *   OK bind_virq of a global VIRQ we do not handle: -EBUSY
 *   OK bind_virq VIRQ_TIMER on a vcpu that does not exist: -ENOENT
 *   OK bind_vcpu of an interdomain port
 *   OK bind_vcpu of an IPI port: -EINVAL
 *   OK bind_vcpu of a per-vcpu VIRQ port: -EINVAL
 *   OK send to an unbound port is dropped silently
 *   OK close of one end reverts the other to unbound
 *   OK close of a closed port: -EINVAL
 *   OK close of port 0: -EINVAL
 *   OK send on a closed port: -EINVAL
 *   OK status of a port beyond the table: -EINVAL
 *   OK unmask of a port beyond the table: -EINVAL
 *   OK event_channel_op command 99: -ENOSYS
 *   OK event_channel_op with an unmapped argument: -EFAULT
 *   OK event_channel_op_compat alloc_unbound
 *   OK allocating every port ends with -ENOSPC at 1024
 *   OK SCHEDOP_poll on a pending port returns at once
 *   OK SCHEDOP_poll with more than 128 ports: -EINVAL
 */
#include "test.h"

extern char evtchn_upcall_entry[], failsafe_entry[];
static unsigned char mask_in_upcall = 0xff;

static void note_mask(unsigned port)
{
	(void)port;
	mask_in_upcall = vcpu0->evtchn_upcall_mask;
}

static int pending(unsigned port)
{
	return (shared->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

static void callback_checks(void)
{
	struct callback_register cb = { .type = CALLBACKTYPE_event, .cs = FLAT_KERNEL_CS, .eip = (uint32_t)evtchn_upcall_entry };
	struct callback_unregister un = { .type = CALLBACKTYPE_event };

	check_eq(HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, (unsigned long)evtchn_upcall_entry, FLAT_KERNEL_CS,
					  (unsigned long)failsafe_entry), 0, "set_callbacks");
	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0, "callback_op register event");
	cb.type = CALLBACKTYPE_failsafe;
	cb.flags = CALLBACKF_mask_events;
	cb.eip = (uint32_t)failsafe_entry;
	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), 0, "callback_op register failsafe with mask_events");
	check_eq(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), -XEN_EINVAL, "callback_op unregister event: -EINVAL");
	cb.type = CALLBACKTYPE_syscall;
	check_eq(HYPERVISOR_callback_op(CALLBACKOP_register, &cb), -XEN_ENOSYS, "callback_op register syscall: -ENOSYS");
	cb.type = CALLBACKTYPE_nmi;
	un.type = CALLBACKTYPE_nmi;
	check(HYPERVISOR_callback_op(CALLBACKOP_register, &cb) == 0 && HYPERVISOR_callback_op(CALLBACKOP_unregister, &un) == 0,
	      "callback_op register nmi, unregister nmi");
	check_eq(HYPERVISOR_callback_op(7, &cb), -XEN_EINVAL, "callback_op bad command: -EINVAL");
}

void test_main(void)
{
	unsigned p1, p2, ipi, virq, port, hits, me;
	long rc;

	install_trap_catcher();
	map_shared_info();
	callback_checks();
	me = self_domid();

	rc = evtchn_alloc_unbound(DOMID_SELF, &p1);
	check_detail(rc == 0 && p1 == 3, "alloc_unbound takes the lowest free port (3)", "rc %d port %u", (int)rc, p1);
	struct evtchn_status st = { .dom = DOMID_SELF, .port = p1 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	check(rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound_dom == me && me < DOMID_SELF,
	      "status of an unbound port names our domain");
	struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = DOMID_SELF };
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM, "alloc_unbound for another domain: -EPERM");

	struct evtchn_bind_interdomain bi = { .remote_dom = me, .remote_port = p1 };
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
	p2 = bi.local_port;
	check(rc == 0 && p2 == 4, "bind_interdomain to our own unbound port");
	check(pending(p2), "bind_interdomain sets the new port pending");
	shared->evtchn_pending[p2 / 32] &= ~(1u << (p2 % 32));
	st.port = p1;
	HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	check(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == me && st.u.interdomain.port == p2,
	      "status of the bound port: interdomain");

	evtchn_handler(p1, note_mask);
	vcpu0->evtchn_upcall_pending = 0;
	vcpu0->evtchn_pending_sel = 0;
	hits = evtchn_hits[p1];
	evtchn_send(p2);
	check(pending(p1) && (vcpu0->evtchn_pending_sel & 1) && vcpu0->evtchn_upcall_pending && evtchn_hits[p1] == hits,
	      "with events masked a send sets pending, selector and upcall_pending only");
	events_enable();
	check_eq(evtchn_hits[p1], hits + 1, "enabling events delivers the pending upcall");
	check(last_upcall.cs == FLAT_KERNEL_CS && (last_upcall.eflags & 0x200), "the upcall frame: FLAT_KERNEL_CS, saved mask 0, IF 1");
	check_eq(mask_in_upcall, 1, "events are masked inside the upcall");

	evtchn_mask(p1);
	hits = evtchn_hits[p1];
	evtchn_send(p2);
	check(pending(p1) && evtchn_hits[p1] == hits, "a masked port: send sets pending but no upcall");
	evtchn_unmask(p1);
	check_eq(evtchn_hits[p1], hits + 1, "unmask of a pending port delivers the upcall");

	rc = evtchn_bind_ipi(0, &ipi);
	hits = evtchn_hits[ipi];
	check(rc == 0 && evtchn_send(ipi) == 0 && evtchn_hits[ipi] == hits + 1, "bind_ipi and send to ourselves");
	check_eq(evtchn_bind_ipi(5, &port), -XEN_ENOENT, "bind_ipi to a vcpu that does not exist: -ENOENT");

	check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &virq), 0, "bind_virq VIRQ_TIMER");
	check_eq(evtchn_bind_virq(VIRQ_TIMER, 0, &port), -XEN_EEXIST, "bind_virq VIRQ_TIMER again: -EEXIST");
	check_eq(evtchn_bind_virq(24, 0, &port), -XEN_EINVAL, "bind_virq 24: -EINVAL");
	check_eq(evtchn_bind_virq(VIRQ_DOM_EXC, 1, &port), -XEN_EINVAL, "bind_virq of a global VIRQ on vcpu 1: -EINVAL");
	check_eq(evtchn_bind_virq(VIRQ_DOM_EXC, 0, &port), -XEN_EBUSY, "bind_virq of a global VIRQ we do not handle: -EBUSY");
	check_eq(evtchn_bind_virq(VIRQ_TIMER, 3, &port), -XEN_ENOENT, "bind_virq VIRQ_TIMER on a vcpu that does not exist: -ENOENT");

	struct evtchn_bind_vcpu bv = { .port = p1, .vcpu = 0 };
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), 0, "bind_vcpu of an interdomain port");
	bv.port = ipi;
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL, "bind_vcpu of an IPI port: -EINVAL");
	bv.port = virq;
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL, "bind_vcpu of a per-vcpu VIRQ port: -EINVAL");
	evtchn_close(virq);

	unsigned lone;
	evtchn_alloc_unbound(DOMID_SELF, &lone);
	check_eq(evtchn_send(lone), 0, "send to an unbound port is dropped silently");
	evtchn_close(lone);

	check_eq(evtchn_close(p2), 0, "close of one end reverts the other to unbound");
	st.port = p1;
	HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	if (st.status != EVTCHNSTAT_unbound)
		check_detail(0, "close of one end reverts the other to unbound", "status %u", st.status);
	check_eq(evtchn_close(p2), -XEN_EINVAL, "close of a closed port: -EINVAL");
	check_eq(evtchn_close(0), -XEN_EINVAL, "close of port 0: -EINVAL");
	check_eq(evtchn_send(p2), -XEN_EINVAL, "send on a closed port: -EINVAL");
	st.port = 5000;
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st), -XEN_EINVAL, "status of a port beyond the table: -EINVAL");
	check_eq(evtchn_unmask(5000), -XEN_EINVAL, "unmask of a port beyond the table: -EINVAL");
	check_eq(HYPERVISOR_event_channel_op(99, &st), -XEN_ENOSYS, "event_channel_op command 99: -ENOSYS");
	check_eq(HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)0x00200000), -XEN_EFAULT,
		 "event_channel_op with an unmapped argument: -EFAULT");

	struct evtchn_op op = { .cmd = EVTCHNOP_alloc_unbound };
	op.u.alloc_unbound.dom = DOMID_SELF;
	op.u.alloc_unbound.remote_dom = DOMID_SELF;
	rc = HYPERVISOR_event_channel_op_compat(&op);
	check(rc == 0 && op.u.alloc_unbound.port > 2, "event_channel_op_compat alloc_unbound");
	evtchn_close(op.u.alloc_unbound.port);

	/* Fill the 1024-port table. */
	unsigned n = 0, last = 0;
	while ((rc = evtchn_alloc_unbound(DOMID_SELF, &port)) == 0 && n < 2000) {
		n++;
		last = port;
	}
	check_detail(rc == -XEN_ENOSPC && last == 1023, "allocating every port ends with -ENOSPC at 1024",
		     "rc %d after %u ports, last %u", (int)rc, n, last);
	for (port = 5; port <= last; port++)
		evtchn_close(port);

	/* SCHEDOP_poll (5.9): a pending port in the list returns at once. */
	uint32_t ports[1] = { p1 };
	struct sched_poll poll = { .ports = (uint32_t)ports, .nr_ports = 1, .timeout = 0 };
	evtchn_mask(p1);
	shared->evtchn_pending[p1 / 32] |= 1u << (p1 % 32);
	check_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), 0, "SCHEDOP_poll on a pending port returns at once");
	poll.nr_ports = 129;
	check_eq(HYPERVISOR_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL, "SCHEDOP_poll with more than 128 ports: -EINVAL");
	done();
}
