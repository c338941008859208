/*
 * The demo guest: what the playground boots until the teaching OS exists. It is a
 * complete (tiny) PV kernel that talks to its PV console the way a real domU does:
 *
 *  - the console ring page (struct xencons_interface, ABI map 7.1) is found from
 *    start_info.console_mfn through the M2P table at MACH2PHYS_VIRT_START (mfn ->
 *    pfn) and the builder's 1:1 mapping from VIRT_BASE (2.1);
 *  - shared_info (3.3) is mapped at a page of .bss with update_va_mapping;
 *  - the event upcall is registered with set_callbacks (5.7), the console port is
 *    unmasked (5.16), and only then is evtchn_upcall_mask cleared (6.11: an upcall
 *    with no callback registered crashes the domain);
 *  - it prints a banner, then runs a line editor (backspace, Ctrl-U, Ctrl-C; escape
 *    sequences are skipped) that answers each line, sleeping in SCHEDOP_block
 *    (5.9) whenever there is no input, so an idle guest costs no instructions.
 *
 * It also writes a few lines to the hypervisor's own console (console_io, 5.12),
 * which the playground shows apart from hvc0.
 */
#include <xen/abi.h>

#define PAGE_SHIFT 12
#define LINE_MAX 120
#define OUT_SIZE 2048u
#define IN_SIZE 1024u

extern char hypercall_page[];
extern char upcall_entry[], failsafe_entry[];
/* Where the kernel is linked (demo.ld): pfn 0's virtual address (2.1). */
extern char VIRT_BASE[];

/* ---- Hypercalls through the hypercall page (4.1, 4.2): args in EBX, ECX, EDX, ESI. ---- */

#define HC_CALL "call hypercall_page + %c[off]"
#define HC_OFF(nr) [off] "i" ((nr) * HYPERCALL_STUB_BYTES)

#define hypercall2(nr, a1, a2) ({						\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2); \
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c)		\
			 : HC_OFF(nr) : "memory");				\
	__res; })

#define hypercall3(nr, a1, a2, a3) ({						\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2), \
		__d = (unsigned long)(a3);					\
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c), "+d" (__d) \
			 : HC_OFF(nr) : "memory");				\
	__res; })

#define hypercall4(nr, a1, a2, a3, a4) ({					\
	long __res; unsigned long __b = (unsigned long)(a1), __c = (unsigned long)(a2), \
		__d = (unsigned long)(a3), __S = (unsigned long)(a4);		\
	__asm__ volatile(HC_CALL : "=a" (__res), "+b" (__b), "+c" (__c), "+d" (__d), \
			 "+S" (__S) : HC_OFF(nr) : "memory");			\
	__res; })

#define barrier() __asm__ volatile("" ::: "memory")

struct evtchn_port_op {
	uint32_t port;
};

static void shutdown(unsigned reason)
{
	unsigned arg = reason;

	for (;;)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &arg);
}

static void event_send(unsigned port)
{
	struct evtchn_port_op op = { port };

	hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &op);
}

/* ---- State ---- */

static struct start_info *si;
static struct shared_info *shared;
static volatile struct vcpu_info *vcpu0;
static volatile struct xencons_interface *ring;
static unsigned console_port;
static volatile unsigned console_events;
static char shinfo_page[4096] __attribute__((aligned(4096)));

static unsigned slen(const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	return n;
}

/* Write to the hypervisor's console (console_io): our boot log, apart from hvc0. */
static void xen_log(const char *s)
{
	hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, slen(s), s);
}

/* ---- Events (6.11) ---- */

/* Called by upcall_entry with events masked: acknowledge what is pending, as a real guest does. */
void demo_upcall(void)
{
	vcpu0->evtchn_upcall_pending = 0;
	uint32_t sel = __atomic_exchange_n(&vcpu0->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);

	while (sel) {
		unsigned w = __builtin_ctz(sel);
		sel &= sel - 1;
		uint32_t bits = shared->evtchn_pending[w] & ~shared->evtchn_mask[w];
		__atomic_and_fetch(&shared->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST);
		if (w == console_port / 32 && (bits & (1u << (console_port % 32))))
			console_events++;
	}
}

void demo_failsafe(void)
{
	xen_log("demo: failsafe callback: a segment reload failed\n");
	shutdown(SHUTDOWN_crash);
}

/*
 * Sleep until ready() holds. The check runs with events masked, so an event
 * that arrives between the check and the block is not lost: SCHEDOP_block clears
 * the mask and returns at once when an upcall is already pending (5.9), and the
 * upcall is delivered on the way back to us.
 */
static void wait_until(int (*ready)(void))
{
	for (;;) {
		vcpu0->evtchn_upcall_mask = 1;
		barrier();
		if (ready()) {
			vcpu0->evtchn_upcall_mask = 0;
			barrier();
			return;
		}
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
	}
}

/* ---- The console ring (7.1) ---- */

static int out_has_room(void)
{
	return ring->out_prod - ring->out_cons < OUT_SIZE;
}

static int in_has_bytes(void)
{
	return ring->in_cons != ring->in_prod;
}

static void cons_write(const char *s, unsigned n)
{
	while (n) {
		wait_until(out_has_room);
		uint32_t prod = ring->out_prod;
		while (n && prod - ring->out_cons < OUT_SIZE) {
			ring->out[prod & (OUT_SIZE - 1)] = *s++;
			prod++;
			n--;
		}
		/* The bytes must be in the ring before the backend can see the new index. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		ring->out_prod = prod;
		event_send(console_port);
	}
}

static void puts_(const char *s)
{
	cons_write(s, slen(s));
}

static void putu(unsigned v)
{
	char d[10];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n) {
		char c = d[--n];
		cons_write(&c, 1);
	}
}

static void puthex(unsigned v)
{
	char d[10] = { '0', 'x' };

	for (int i = 0; i < 8; i++)
		d[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
	cons_write(d, 10);
}

/* Take one byte of input; there must be one (in_has_bytes). */
static char cons_getc(void)
{
	uint32_t cons = ring->in_cons;
	char c = ring->in[cons & (IN_SIZE - 1)];

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring->in_cons = cons + 1;
	return c;
}

/* ---- Commands ---- */

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void prompt(void)
{
	puts_("demo> ");
}

static void cmd_help(void)
{
	puts_("commands:\r\n"
	      "  help      this list\r\n"
	      "  info      what the domain builder handed over (start_info)\r\n"
	      "  poweroff  shut the domain down (SCHEDOP_shutdown, poweroff)\r\n"
	      "anything else is echoed back.\r\n");
}

static void cmd_info(void)
{
	puts_("start_info magic  ");
	cons_write(si->magic, slen(si->magic));
	puts_("\r\nmemory            ");
	putu(si->nr_pages);
	puts_(" pages (");
	putu(si->nr_pages >> 8);
	puts_(" MiB)\r\nshared_info       machine address ");
	puthex(si->shared_info);
	puts_("\r\nconsole ring      mfn ");
	puthex(si->console_mfn);
	puts_(", event channel ");
	putu(si->console_evtchn);
	puts_("\r\nxenstore ring     mfn ");
	puthex(si->store_mfn);
	puts_(", event channel ");
	putu(si->store_evtchn);
	puts_("\r\nconsole events    ");
	putu(console_events);
	puts_(" received\r\n");
}

static void run_line(const char *line)
{
	if (!line[0])
		return;
	if (streq(line, "help")) {
		cmd_help();
	} else if (streq(line, "info")) {
		cmd_info();
	} else if (streq(line, "poweroff")) {
		puts_("powering off\r\n");
		xen_log("demo: poweroff requested on the console\n");
		shutdown(SHUTDOWN_poweroff);
	} else {
		puts_("you typed: ");
		puts_(line);
		puts_("\r\n");
	}
}

/* ---- The line editor ---- */

static char line[LINE_MAX + 1];
static unsigned len;
static int after_cr, in_escape;

static void edit(char c)
{
	if (in_escape) {
		/* ESC [ ... final byte (0x40-0x7e), or ESC and one byte. */
		if (in_escape == 1 && c == '[')
			in_escape = 2;
		else if (in_escape == 1 || (c >= 0x40 && c <= 0x7e))
			in_escape = 0;
		return;
	}
	if (c == '\n' && after_cr) {
		after_cr = 0;	/* the \n of a \r\n pair */
		return;
	}
	after_cr = c == '\r';
	switch (c) {
	case '\r':
	case '\n':
		puts_("\r\n");
		line[len] = 0;
		run_line(line);
		len = 0;
		prompt();
		return;
	case 0x7f:
	case '\b':
		if (len) {
			len--;
			puts_("\b \b");
		}
		return;
	case 0x15:	/* Ctrl-U: erase the line */
		while (len) {
			len--;
			puts_("\b \b");
		}
		return;
	case 0x03:	/* Ctrl-C: abandon the line */
		puts_("^C\r\n");
		len = 0;
		prompt();
		return;
	case 0x1b:
		in_escape = 1;
		return;
	}
	if (c >= 0x20 && c < 0x7f && len < LINE_MAX) {
		line[len++] = c;
		cons_write(&c, 1);
	}
}

/* ---- Boot ---- */

static void map_shared_info(void)
{
	uint64_t pte = (uint64_t)si->shared_info | 0x63;	/* present, rw, accessed, dirty */
	long rc = hypercall4(__HYPERVISOR_update_va_mapping, (unsigned long)shinfo_page,
			     (uint32_t)pte, (uint32_t)(pte >> 32), 2 /* UVMF_INVLPG */);

	if (rc) {
		xen_log("demo: cannot map shared_info\n");
		shutdown(SHUTDOWN_crash);
	}
	shared = (struct shared_info *)shinfo_page;
	vcpu0 = &shared->vcpu_info[0];
}

static void find_console(void)
{
	const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
	uint32_t pfn = m2p[si->console_mfn];

	if (pfn >= si->nr_pages) {
		xen_log("demo: the M2P table has no pfn for the console frame\n");
		shutdown(SHUTDOWN_crash);
	}
	ring = (volatile struct xencons_interface *)((unsigned long)VIRT_BASE + (pfn << PAGE_SHIFT));
	console_port = si->console_evtchn;
}

static void enable_events(void)
{
	struct evtchn_port_op op = { console_port };

	if (hypercall4(__HYPERVISOR_set_callbacks, FLAT_KERNEL_CS, (unsigned long)upcall_entry,
		       FLAT_KERNEL_CS, (unsigned long)failsafe_entry)) {
		xen_log("demo: set_callbacks failed\n");
		shutdown(SHUTDOWN_crash);
	}
	hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask, &op);
	/* Only now, with a callback to deliver to, may events reach us. */
	barrier();
	vcpu0->evtchn_upcall_mask = 0;
	barrier();
}

void demo_main(struct start_info *start)
{
	si = start;
	xen_log("demo: booting\n");
	map_shared_info();
	find_console();
	enable_events();
	xen_log("demo: console ring mapped, event upcall registered, waiting for input on hvc0\n");

	puts_("\r\n"
	      "  pvplay demo guest\r\n"
	      "  a paravirtualized kernel on the Xen x86_32 PAE PV ABI\r\n"
	      "\r\n"
	      "This console is the guest's PV console ring (hvc0); what you type goes\r\n"
	      "into the ring and wakes the guest with an event. Type 'help'.\r\n"
	      "\r\n");
	prompt();
	for (;;) {
		wait_until(in_has_bytes);
		while (in_has_bytes())
			edit(cons_getc());
		/* Tell the backend there is room in in[] again. */
		event_send(console_port);
	}
}
