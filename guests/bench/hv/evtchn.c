/*
 * An event-channel round trip between two domains. Domain "ping" allocates an
 * unbound port for domain "peer" (the lowest free port, 3, after xenstore and
 * the console), waits until the peer has bound to it, then sends and waits
 * for the answer n times; "pong" binds to it and answers every event. Both
 * sleep in SCHEDOP_block between events, as a driver would.
 */
#include "bench.h"

static volatile unsigned got;
static void on_event(unsigned port) { (void)port; got++; }

static long evtchn_status_of(unsigned port, unsigned *status)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
	*status = st.status;
	return rc;
}

static long bind_interdomain(unsigned dom, unsigned rport, unsigned *lport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = dom, .remote_port = rport };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
	*lport = b.local_port;
	return rc;
}

static int answered(void) { return got != 0; }

void test_main(void)
{
	unsigned long n = bench_arg("n", 10000), peer = bench_arg("peer", 0);
	int ping = bench_arg("ping", 0) != 0;
	unsigned port = 0, status = 0;
	events_init();
	if (ping) {
		check_eq(evtchn_alloc_unbound(peer, &port), 0, "alloc_unbound for the peer");
		while (evtchn_status_of(port, &status) == 0 && status != EVTCHNSTAT_interdomain)
			HYPERVISOR_sched_op(SCHEDOP_yield, 0);
	} else {
		while (bind_interdomain(peer, bench_arg("port", 3), &port) != 0)
			HYPERVISOR_sched_op(SCHEDOP_yield, 0);
	}
	evtchn_handler(port, on_event);
	evtchn_unmask(port);
	events_enable();
	if (ping) {
		bench_mark("rtt-start", n);
		for (unsigned long i = 0; i < n; i++) {
			got = 0;
			evtchn_send(port);
			block_until(answered, ~0u);
		}
		bench_mark("rtt-end", n);
	} else {
		/* The bind left our port pending once (Xen raises a new interdomain port):
		 * events_enable() took that upcall; it is not a ping. */
		got = 0;
		for (unsigned long i = 0; i < n; i++) {
			while (!got)
				HYPERVISOR_sched_op(SCHEDOP_block, 0);
			got = 0;
			evtchn_send(port);
		}
	}
	done();
}
