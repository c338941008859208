/*
 * hello: the first test kernel. It prints what the domain builder handed over in
 * start_info (ABI map 3.1) and checks the promises a builder must keep for a
 * xen-3.0-x86_32p domU (2.1-2.5): the magic, where start_info, the page tables and
 * the boot stack sit, the P2M list agreeing with the hypervisor's M2P table at
 * 0xF5800000, the console page, and the hypercall page's stubs (4.2).
 *
 * Expected lines:
 *   OK the kernel runs in ring 1
 *   OK start_info.magic is xen-3.0-x86_32p
 *   OK nr_pages is not zero
 *   OK ESI points at a page after the kernel, inside the domain's memory
 *   OK a domU is not privileged
 *   OK shared_info is a page-aligned machine address
 *   OK the P2M list is page aligned, between the kernel and start_info
 *   OK pt_base is page aligned
 *   OK the page tables follow start_info, xenstore and console
 *   OK at least an L3, an L2 and an L1
 *   OK L3 slot 3 is present
 *   OK ESP is the top of the boot stack page after the page tables
 *   OK cmd_line is NUL-terminated
 *   OK P2M and M2P agree
 *   OK store_mfn is the page after start_info
 *   OK console_mfn is the page after the xenstore page
 *   OK store and console have their own event channels
 *   OK console connection byte
 *   OK hypercall page stubs
 */
#include "test.h"

#define PAGE 4096u

/* VA <-> pseudo-physical frame (va_to_pfn, pfn_to_va in lib/mm.c): the builder maps
 * everything 1:1 from VIRT_BASE (2.1). */

static int has_nul(const char *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!s[i])
			return 1;
	return 0;
}

static void print_start_info(const struct start_info *si)
{
	printf("start_info at %p\n", (const void *)si);
	printf("  magic          %s\n", si->magic);
	printf("  nr_pages       %u\n", si->nr_pages);
	printf("  shared_info    0x%08x (machine address)\n", si->shared_info);
	printf("  flags          0x%x\n", si->flags);
	printf("  store_mfn      0x%x  store_evtchn   %u\n", si->store_mfn, si->store_evtchn);
	printf("  console_mfn    0x%x  console_evtchn %u\n", si->console_mfn, si->console_evtchn);
	printf("  pt_base        0x%08x  nr_pt_frames %u\n", si->pt_base, si->nr_pt_frames);
	printf("  mfn_list       0x%08x\n", si->mfn_list);
	printf("  mod_start      0x%08x  mod_len %u\n", si->mod_start, si->mod_len);
	printf("  cmd_line       \"%s\"\n", si->cmd_line);
	printf("  boot esp       0x%08x\n", (unsigned)boot_esp);
}

/* Where start_info, the page tables and the boot stack are (2.1, 2.4). */
static void check_placement(const struct start_info *si)
{
	unsigned long base = (unsigned long)VIRT_BASE, sip = (unsigned long)si;
	unsigned long end = base + si->nr_pages * PAGE;
	unsigned short cs;

	__asm__("mov %%cs, %0" : "=r" (cs));
	check_eq(cs & 3, 1, "the kernel runs in ring 1");
	check(memcmp(si->magic, "xen-3.0-x86_32p", 16) == 0, "start_info.magic is xen-3.0-x86_32p");
	check(si->nr_pages > 0, "nr_pages is not zero");
	check(sip % PAGE == 0 && sip >= (unsigned long)_end && sip < end,
	      "ESI points at a page after the kernel, inside the domain's memory");
	check((si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)) == 0, "a domU is not privileged");
	check(si->shared_info % PAGE == 0, "shared_info is a page-aligned machine address");
	check(si->mfn_list % PAGE == 0 && si->mfn_list >= (unsigned long)_end && si->mfn_list < sip,
	      "the P2M list is page aligned, between the kernel and start_info");
	check(si->pt_base % PAGE == 0, "pt_base is page aligned");
	check_eq(si->pt_base, sip + 3 * PAGE, "the page tables follow start_info, xenstore and console");
	check(si->nr_pt_frames >= 3, "at least an L3, an L2 and an L1");
	check((((const uint64_t *)si->pt_base)[3] & 1) != 0, "L3 slot 3 is present");
	check_eq(boot_esp, si->pt_base + (si->nr_pt_frames + 1) * PAGE,
		 "ESP is the top of the boot stack page after the page tables");
	check(has_nul(si->cmd_line, MAX_GUEST_CMDLINE), "cmd_line is NUL-terminated");
}

/*
 * The P2M list (start_info.mfn_list, one MFN per PFN) and the hypervisor's read-only
 * M2P table (one PFN per MFN at 0xF5800000, 6.3) must be inverse of each other for
 * every frame the domain owns; we sample a few, and the special pages.
 */
static void check_p2m(const struct start_info *si)
{
	const uint32_t *p2m = (const uint32_t *)si->mfn_list;
	const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
	unsigned long sipfn = va_to_pfn(si);
	unsigned long pfns[] = { 0, 1, va_to_pfn(hypercall_page), va_to_pfn(p2m), sipfn, si->nr_pages / 2,
				 si->nr_pages - 1 };
	int ok = 1;

	for (unsigned i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
		uint32_t mfn = p2m[pfns[i]];
		if (mfn > MACH2PHYS_MAX_MFN || m2p[mfn] != pfns[i]) {
			check_detail(0, "P2M and M2P agree", "pfn 0x%x -> mfn 0x%x -> pfn 0x%x",
				     (unsigned)pfns[i], mfn, mfn > MACH2PHYS_MAX_MFN ? 0xffffffffu : m2p[mfn]);
			ok = 0;
		}
	}
	if (ok)
		check(ok, "P2M and M2P agree");
	check_eq(si->store_mfn, p2m[sipfn + 1], "store_mfn is the page after start_info");
	check_eq(si->console_mfn, p2m[sipfn + 2], "console_mfn is the page after the xenstore page");
	check(si->store_evtchn != 0 && si->console_evtchn != 0 && si->store_evtchn != si->console_evtchn,
	      "store and console have their own event channels");
}

/* The console ring page starts cleared with connection = DISCONNECTED (until the backend connects). */
static void check_console(const struct start_info *si)
{
	const struct xencons_interface *cons = pfn_to_va(va_to_pfn(si) + 2);

	check_detail(cons->connection == XENCONSOLE_DISCONNECTED || cons->connection == XENCONSOLE_CONNECTED,
		     "console connection byte", "connection = %u", cons->connection);
	printf("  console connection %u, out_prod %u, out_cons %u\n", cons->connection,
	       cons->out_prod, cons->out_cons);
}

/*
 * The hypercall page (4.2): stub n at n*32 is `mov $n,%eax; int $0x82; ret`, padded
 * with int3; stub 23 (iret) is `push %eax; mov $23,%eax; int $0x82` with no ret.
 */
static void check_hypercall_page(void)
{
	const unsigned char *page = (const unsigned char *)hypercall_page;

	for (unsigned n = 0; n < HYPERCALL_STUBS; n++) {
		const unsigned char *stub = page + n * HYPERCALL_STUB_BYTES;
		unsigned char want[HYPERCALL_STUB_BYTES];
		unsigned len = 0;

		memset(want, 0xcc, sizeof(want));
		if (n == __HYPERVISOR_iret)
			want[len++] = 0x50;
		want[len++] = 0xb8;
		want[len++] = n;
		want[len++] = 0;
		want[len++] = 0;
		want[len++] = 0;
		want[len++] = 0xcd;
		want[len++] = 0x82;
		if (n != __HYPERVISOR_iret)
			want[len++] = 0xc3;
		for (unsigned i = 0; i < HYPERCALL_STUB_BYTES; i++) {
			if (stub[i] != want[i]) {
				check_detail(0, "hypercall page stubs", "stub %u byte %u is 0x%x, expected 0x%x",
					     n, i, stub[i], want[i]);
				return;
			}
		}
	}
	check(1, "hypercall page stubs");
}

void test_main(void)
{
	const struct start_info *si = start_info;

	install_trap_catcher();
	printf("hello from a pvplay test kernel\n");
	print_start_info(si);
	check_placement(si);
	check_p2m(si);
	check_console(si);
	check_hypercall_page();
	done();
}
