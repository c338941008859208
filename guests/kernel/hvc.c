/*
 * hvc0: the PV console. Its ring is one shared page (struct
 * xencons_interface) with an output ring of 2048 bytes and an input ring of
 * 1024; the backend in domain 0 reads what we write and writes what is typed,
 * and the two sides poke each other through one event channel. Both come
 * from start_info. Before hvc_init() runs, output goes to the hypervisor's
 * own console through console_io (earlycon_write).
 */
#include "defs.h"

#define OUT_MASK (sizeof(((struct xencons_interface *)0)->out) - 1)
#define IN_MASK (sizeof(((struct xencons_interface *)0)->in) - 1)

static volatile struct xencons_interface *ring;
static int port;
int hvc_ready;

/* Write n bytes to the hypervisor's console: our log before hvc0 works. */
void earlycon_write(const char *s, int n)
{
	/*T:200 The early console.
	 * console_io(CONSOLEIO_write) hands bytes straight to the hypervisor's
	 * own console. Xen allows it only for domain 0 and debug builds; pvplay
	 * allows every domain, so a kernel can say something before it has any
	 * driver. We use it until the ring driver below is up, and for the few
	 * lines that belong in the hypervisor's log rather than on hvc0. :*/
	hv_console_io(CONSOLEIO_write, n, s);
}

static void hvc_intr(int p);

/* Find the console ring and bind its event channel. */
void hvc_init(void)
{
	/*T:210 Finding the console ring.
	 * start_info names the ring by machine frame (console_mfn), not by
	 * address. The builder allocated it from our memory, so it has a pfn
	 * too; the hypervisor's read-only M2P table at MACH2PHYS_VIRT_START
	 * turns the mfn into that pfn, and the direct map turns the pfn into an
	 * address. No hypercall is needed: the frame is already ours. :*/
	uint32_t pfn = M2P[si->console_mfn];

	if (pfn >= nr_pages)
		panic("console ring mfn %x has no pfn", si->console_mfn);
	ring = P2V(pfn);
	port = si->console_evtchn;
	evtchn_bind(port, hvc_intr, "console");
	hvc_ready = 1;
}

/* Sleep until the backend signals the port: events masked, not lost. */
static void wait_backend(void)
{
	uint32_t p = port;
	struct sched_poll poll = { .ports = (uint32_t)&p, .nr_ports = 1, .timeout = 0 };

	/*T:220 Waiting for the backend with events masked.
	 * When the output ring is full we must wait for the backend to drain
	 * it, but we may be inside an event handler or a masked section, where
	 * taking the upcall is not allowed. SCHEDOP_poll blocks this vcpu until
	 * one of the listed ports is pending, and unlike SCHEDOP_block it does
	 * not unmask events. We clear the port's pending bit first, so only a
	 * new notification (the backend's "I consumed some output") wakes us;
	 * that notification leaves the port pending, so the console handler
	 * still sees it once we unmask. :*/
	evtchn_clear(port);
	if (ring->out_prod - ring->out_cons < OUT_MASK + 1)
		return;
	hv_sched_op(SCHEDOP_poll, &poll);
}

/* Put n bytes into the output ring, waiting for room; notify the backend. */
void hvc_write(const char *s, int n)
{
	int was = irq_save();

	while (n > 0) {
		uint32_t prod = ring->out_prod;
		if (prod - ring->out_cons > OUT_MASK) {
			wait_backend();
			continue;
		}
		while (n > 0 && prod - ring->out_cons <= OUT_MASK) {
			ring->out[prod & OUT_MASK] = *s++;
			prod++;
			n--;
		}
		/*T:230 Publishing output.
		 * The ring's indexes are free-running 32-bit counters: the byte for
		 * index i is out[i % 2048], and prod - cons is how much is in flight.
		 * The backend reads out_prod and then the bytes below it, so the
		 * bytes must be in memory before the new index is: a barrier, then
		 * the store of out_prod, then EVTCHNOP_send on the console port,
		 * which the backend takes as "look at the ring". :*/
		mb();
		ring->out_prod = prod;
		evtchn_notify(port);
	}
	irq_restore(was);
}

/* Handler of the console port: take everything typed and pass it to the line discipline. */
static void hvc_intr(int p)
{
	uint32_t cons = ring->in_cons, prod = ring->in_prod;
	int got = 0;

	/*T:240 Taking input.
	 * The backend fills in[] and advances in_prod; we read from in_cons up
	 * to the in_prod we loaded (a barrier keeps the byte loads after that
	 * load), then publish the new in_cons and notify the backend, which may
	 * have more waiting for the space. The same event means "there is input"
	 * and "there is room for output": we cannot tell them apart, so the
	 * handler simply looks at both. :*/
	mb();
	while (cons != prod) {
		console_intr(ring->in[cons & IN_MASK]);
		cons++;
		got = 1;
	}
	mb();
	ring->in_cons = cons;
	if (got)
		evtchn_notify(p);
}
