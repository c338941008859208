/*
 * Event channels: the PV guest's interrupts. A port is a numbered channel
 * (1023 of them); something at the other end (a virtual IRQ such as the
 * timer, another domain, the console backend) sets the port pending, and the
 * hypervisor calls us back at upcall_entry. This file maps shared_info,
 * registers the upcall, scans the two-level pending bitmap, calls each port's
 * handler, and keeps the virtual interrupt flag (irq_disable and friends).
 */
#include "defs.h"

struct shared_info *shinfo;
struct vcpu_info *vcpu;
static char shinfo_page[PGSIZE] __attribute__((aligned(PGSIZE)));

struct port {
	void (*fn)(int port);
	const char *name;
	unsigned count;
};
static struct port ports[EVTCHN_2L_NR_CHANNELS];
unsigned upcalls;

extern char upcall_entry[], failsafe_entry[];

/* Map shared_info and register the upcall; events stay masked. */
void evtchn_init(void)
{
	/*T:110 Mapping shared_info.
	 * shared_info is the page the hypervisor and the guest both write: the
	 * pending and mask bitmaps of the event channels, each vcpu's
	 * vcpu_info (event mask, selector, time), and the wall clock. It is a
	 * hypervisor frame, not one of ours, so it is not in the direct map;
	 * start_info gives its machine address and we map it over a page of our
	 * .bss with update_va_mapping. The hypervisor accepts the mapping
	 * because it made the frame writable by this domain when it built it.
	 * (The .bss frame underneath is simply no longer mapped there.) :*/
	if (hv_update_va_mapping((uint32_t)shinfo_page, (uint64_t)si->shared_info | PTE_KERN, UVMF_INVLPG))
		panic("cannot map shared_info");
	shinfo = (struct shared_info *)shinfo_page;
	vcpu = &shinfo->vcpu_info[0];

	/*T:111 Registering the upcall.
	 * set_callbacks names the code segment and address of the upcall
	 * (T:100) and of the failsafe callback (T:102). Until this is done
	 * events must stay masked: the hypervisor crashes a domain whose
	 * upcall it would have to deliver to address 0. We were started
	 * masked, and stay so until main() calls irq_enable(). :*/
	if (hv_set_callbacks(KCODE_SEL, upcall_entry, KCODE_SEL, failsafe_entry))
		panic("set_callbacks failed");
}

/* Give port a handler and unmask it. */
void evtchn_bind(int port, void (*fn)(int), const char *name)
{
	struct evtchn_port op = { .port = port };

	ports[port].fn = fn;
	ports[port].name = name;
	/*T:112 Unmasking a port.
	 * Each port has a mask bit in shared_info next to its pending bit. We
	 * could clear it ourselves, but an event that arrived while it was set
	 * would then sit pending without the selector bit and
	 * evtchn_upcall_pending that make it visible; EVTCHNOP_unmask clears
	 * the bit and, if the port is pending, raises those too. :*/
	if (hv_event_channel_op(EVTCHNOP_unmask, &op))
		panic("unmask port %d failed", port);
}

/* Bind virtual IRQ virq on vcpu 0 to a new port with handler fn; return the port. */
int evtchn_bind_virq(int virq, void (*fn)(int), const char *name)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };

	/*T:113 Binding a virtual IRQ.
	 * Virtual IRQs are the hypervisor's own event sources: VIRQ_TIMER for
	 * this vcpu's timers, VIRQ_DEBUG and so on. EVTCHNOP_bind_virq
	 * allocates the lowest free port and connects it; until a VIRQ is bound,
	 * the hypervisor drops its events. :*/
	if (hv_event_channel_op(EVTCHNOP_bind_virq, &b))
		panic("bind_virq %d failed", virq);
	evtchn_bind(b.port, fn, name);
	return b.port;
}

/* A fresh port that domain remote may bind to; its handler is fn. Returns the port or -errno. */
int evtchn_alloc_unbound(int remote, void (*fn)(int), const char *name)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };

	/*T:850 Offering a channel to another domain.
	 * An interdomain channel is made in two halves. EVTCHNOP_alloc_unbound
	 * takes the lowest free port of ours and leaves it unbound, waiting for
	 * one named domain (remote_dom) to connect; nobody else may. Until then
	 * a send on it is quietly dropped. The port number means nothing to the
	 * other domain's kernel, so we must tell it, and xenstore is where
	 * domains tell each other such things (T:740). :*/
	int was = irq_save();
	long rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
	if (!rc)
		evtchn_bind(a.port, fn, name);
	irq_restore(was);
	return rc ? rc : (long)a.port;
}

/* Connect a new port of ours to port rport of domain remote. Returns the port or -errno. */
int evtchn_bind_interdomain(int remote, int rport, void (*fn)(int), const char *name)
{
	struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = rport };

	/*T:851 Binding the other half.
	 * EVTCHNOP_bind_interdomain names the other domain and its unbound
	 * port; the hypervisor checks that the port is waiting for us, allocates
	 * a port of ours and joins the two. From now on a send on either end
	 * sets the other pending. The hypervisor also sets our new port pending
	 * at once, so a binder that checks can never miss an event sent before
	 * it bound. Nothing could have been sent yet (sends on an unbound port
	 * are dropped), so we clear that event, with events masked so that
	 * no upcall sees the port before it has its handler. :*/
	int was = irq_save();
	long rc = hv_event_channel_op(EVTCHNOP_bind_interdomain, &b);
	if (!rc) {
		evtchn_clear(b.local_port);
		evtchn_bind(b.local_port, fn, name);
	}
	irq_restore(was);
	return rc ? rc : (long)b.local_port;
}

/* EVTCHNSTAT_* of our port, and (interdomain) the remote domain in *remote; -errno on error. */
int evtchn_status(int port, int *remote)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

	/*T:852 Asking what a port is connected to.
	 * EVTCHNOP_status reports a port's state: closed, unbound (and for whom),
	 * interdomain (and to which domain and port), virq, ipi. Only the
	 * hypervisor knows when the other side has bound our unbound port, since
	 * binding does not notify us; this is how we find out. :*/
	long rc = hv_event_channel_op(EVTCHNOP_status, &st);
	if (rc)
		return rc;
	if (remote)
		*remote = st.remote_dom;
	return st.status;
}

/* Close port and forget its handler. */
void evtchn_close(int port)
{
	struct evtchn_port op = { .port = port };

	/*T:853 Closing a port.
	 * EVTCHNOP_close frees our end. If it was joined to another domain,
	 * that domain's end goes back to unbound, waiting for us again, rather
	 * than vanishing under it; it is the other side's to close. :*/
	hv_event_channel_op(EVTCHNOP_close, &op);
	ports[port].fn = 0;
	ports[port].name = 0;
	ports[port].count = 0;
}

/* Tell the other end of port that something changed. */
void evtchn_notify(int port)
{
	struct evtchn_port op = { .port = port };

	hv_event_channel_op(EVTCHNOP_send, &op);
}

/* Clear port's pending bit (a driver about to wait for the next event on it). */
void evtchn_clear(int port)
{
	__atomic_and_fetch(&shinfo->evtchn_pending[port / 32], ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

/* Called from trap() for T_EVENT, events masked: run the handler of every pending port. */
void evtchn_upcall(void)
{
	upcalls++;
	/*T:120 Two-level scanning.
	 * The hypervisor marks an event in three places: the port's bit in
	 * evtchn_pending, bit port/32 of this vcpu's evtchn_pending_sel (which
	 * words to look at), and evtchn_upcall_pending (whether to look at
	 * all). It never clears them; that is our job. We clear
	 * upcall_pending first, then take the selector with an atomic exchange,
	 * so that anything the hypervisor sets after either step is seen by the
	 * next pass or the next upcall rather than lost. Within each selected
	 * word we handle the bits that are pending and not masked, clearing each
	 * pending bit before calling the handler: a new event on the same port
	 * during the handler then makes the port pending again instead of
	 * vanishing. :*/
	while (vcpu->evtchn_upcall_pending) {
		vcpu->evtchn_upcall_pending = 0;
		uint32_t sel = __atomic_exchange_n(&vcpu->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel) {
			int w = __builtin_ctz(sel);
			sel &= sel - 1;
			uint32_t bits;
			while ((bits = shinfo->evtchn_pending[w] & ~shinfo->evtchn_mask[w]) != 0) {
				int port = w * 32 + __builtin_ctz(bits);
				evtchn_clear(port);
				ports[port].count++;
				if (ports[port].fn)
					ports[port].fn(port);
			}
		}
	}
	timer_rearm();
}

/*T:130 The virtual interrupt flag.
 * A ring-1 kernel cannot execute CLI and STI to any effect (the hypervisor
 * treats them as no-ops or faults). Its interrupt flag is the byte
 * evtchn_upcall_mask in vcpu_info: while it is 1 the hypervisor does not
 * deliver upcalls, it only sets evtchn_upcall_pending. So disabling is one
 * store. Enabling is a store too, but an event may have arrived while we were
 * masked, and nothing will deliver it until we next enter the hypervisor. So
 * after unmasking we look at evtchn_upcall_pending and, if it is set, make a
 * cheap hypercall (xen_version): the hypervisor checks for deliverable events
 * on every return to the guest, and the upcall runs before the hypercall
 * returns. Linux's paravirt irq_enable does the same. :*/
void irq_disable(void)
{
	vcpu->evtchn_upcall_mask = 1;
	barrier();
}

/* Unmask events; take any that arrived while masked (T:130). */
void irq_enable(void)
{
	barrier();
	vcpu->evtchn_upcall_mask = 0;
	mb();	/* the unmask must be visible before we look at pending */
	if (vcpu->evtchn_upcall_pending)
		hv_xen_version(XENVER_version, 0);
}

/* Mask events; return whether they were masked before. */
int irq_save(void)
{
	if (!vcpu)
		return 1;	/* before evtchn_init: masked since boot */
	int was = vcpu->evtchn_upcall_mask;

	irq_disable();
	return was;
}

/* Undo an irq_save(). */
void irq_restore(int was)
{
	if (!was)
		irq_enable();
}

/* Are events masked now? */
int irq_masked(void)
{
	return vcpu->evtchn_upcall_mask;
}

/* The shell's evtchn command: bound ports with their counts, pending and mask bits. */
void evtchn_dump(void)
{
	printf("event channels (2-level; upcalls %u, mask %d, pending %d):\n", upcalls,
	       vcpu->evtchn_upcall_mask, vcpu->evtchn_upcall_pending);
	for (int p = 1; p < EVTCHN_2L_NR_CHANNELS; p++) {
		if (!ports[p].name)
			continue;
		uint32_t bit = 1u << (p % 32);
		printf("  port %d %-8s events %u pending %d masked %d\n", p, ports[p].name, ports[p].count,
		       !!(shinfo->evtchn_pending[p / 32] & bit), !!(shinfo->evtchn_mask[p / 32] & bit));
	}
}

/* failsafe_entry lands here (T:102). */
void failsafe(void)
{
	panic("failsafe callback: the hypervisor could not reload a segment register");
}
