/*
 * Grant tables (version 1): how a PV domain lets another domain use one of
 * its pages, and how it uses a page another domain lets it have.
 *
 * The granting side writes an entry in its own grant table, a page it
 * shares with the hypervisor: "domain D may map frame F". The reference
 * (the entry's index) is what it tells D, through xenstore. The mapping side
 * asks the hypervisor to map (granter, reference) at an address of its own;
 * the hypervisor checks the entry and marks it in use while mapped. Nobody
 * ever names the other domain's frame directly.
 *
 * Our mappings of other domains' pages appear in NMAP fixed windows of our
 * address space, pages of .bss that we unmap at boot so that a window shows
 * either a granted page or nothing.
 */
#include "defs.h"

#define NMAP 4
#define NENTRIES (PGSIZE / sizeof(struct grant_entry_v1))

static char table_page[PGSIZE] __attribute__((aligned(PGSIZE)));
static volatile struct grant_entry_v1 *gt;
static uint32_t table_mfn;
static char windows[NMAP][PGSIZE] __attribute__((aligned(PGSIZE)));

static struct gmap {
	int used;
	int dom, ref;
	uint32_t handle;
} gmaps[NMAP];

/* Ask for our grant table and map it; empty the mapping windows. */
void grant_init(void)
{
	uint32_t frame = 0;
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = (uint32_t)&frame };

	/*T:800 Finding our grant table.
	 * The grant table lives in frames the hypervisor allocated and shares
	 * with us. GNTTABOP_setup_table asks for (at least) nr_frames of them
	 * and writes their mfns into our list; then we map them like any page
	 * we may write, here over a page of our .bss, as with shared_info
	 * (T:110). One frame holds 512 entries of 8 bytes. The toolstack has
	 * already used entries 0 and 1 to grant our console and xenstore rings
	 * to domain 0, and entries 0-7 are reserved for it. :*/
	if (hv_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay)
		panic("grant table setup failed: status %d", st.status);
	if (hv_update_va_mapping((uint32_t)table_page, ((uint64_t)frame << PGSHIFT) | PTE_KERN, UVMF_INVLPG))
		panic("cannot map the grant table");
	gt = (struct grant_entry_v1 *)table_page;
	table_mfn = frame;
	lazy_enter();
	for (int i = 0; i < NMAP; i++)
		mmu_set_va((uint32_t)windows[i], 0);
	lazy_leave();
}

/* Grant domain dom access to machine frame mfn (read-only if ro); the reference, or -ENOSPC. */
int grant_access(int dom, uint32_t mfn, int ro)
{
	for (uint32_t ref = GNTTAB_NR_RESERVED; ref < NENTRIES; ref++) {
		if (gt[ref].flags != GTF_invalid)
			continue;
		/*T:810 Writing a grant entry.
		 * No hypercall: the entry is ours to write, and the hypervisor reads
		 * it only when someone tries to map or copy through it. The order
		 * matters, because it may read it at any moment: who (domid) and
		 * what (frame) first, a barrier, and only then flags, whose type
		 * GTF_permit_access is what makes the entry valid. GTF_readonly
		 * would refuse writable mappings. :*/
		gt[ref].domid = dom;
		gt[ref].frame = mfn;
		mb();
		gt[ref].flags = GTF_permit_access | (ro ? GTF_readonly : 0);
		return ref;
	}
	return -XEN_ENOSPC;
}

/* Take grant ref back; -EBUSY while the grantee still has it mapped. */
int grant_end(int ref)
{
	uint16_t flags = gt[ref].flags;

	/*T:811 Taking a grant back.
	 * While another domain maps the page, the hypervisor keeps GTF_reading
	 * or GTF_writing set in the entry's flags. We may only end the grant
	 * when neither is set, and the check and the clearing must be one
	 * atomic step, or the grantee could map it between the two: a
	 * compare-and-exchange of the flags to 0 that fails (and is retried)
	 * if the hypervisor changed them meanwhile. If the page is in use we
	 * refuse, and must not reuse or free it: the other domain can still
	 * write there. :*/
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(&gt[ref].flags, &flags, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	return 0;
}

/* The flags of entry ref now. */
int grant_flags(int ref)
{
	return gt[ref].flags;
}

/* Map domain dom's grant ref into a free window; the slot, or -1 and the GNTST_* in *status. */
int grant_map(int dom, int ref, int *status)
{
	int slot;

	for (slot = 0; slot < NMAP && gmaps[slot].used; slot++)
		;
	if (slot == NMAP) {
		*status = GNTST_no_space;
		return -1;
	}
	struct gnttab_map_grant_ref m = {
		.host_addr = (uint32_t)windows[slot], .flags = GNTMAP_host_map, .ref = ref, .dom = dom,
	};
	/*T:820 Mapping another domain's page.
	 * GNTTABOP_map_grant_ref names the granting domain and the reference it
	 * gave us, and where to map the page: with GNTMAP_host_map, a virtual
	 * address in our current page tables (here a window in the kernel's
	 * shared L1, so every address space sees it). The hypervisor reads the
	 * granter's entry, checks that it permits us, marks it GTF_writing,
	 * takes a reference on the frame so it cannot be freed under us, and
	 * writes the PTE itself: we could not, since the frame is not ours.
	 * The result is per operation, in status (GNTST_*), and a handle that
	 * names this mapping when we undo it. :*/
	long rc = hv_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
	*status = rc ? GNTST_general_error : m.status;
	if (*status != GNTST_okay)
		return -1;
	gmaps[slot] = (struct gmap){ .used = 1, .dom = dom, .ref = ref, .handle = m.handle };
	return slot;
}

/* The window of mapping slot. */
char *grant_window(int slot)
{
	return windows[slot];
}

/* The slot where we map a grant of domain dom, or -1. */
int grant_find_map(int dom)
{
	for (int i = 0; i < NMAP; i++)
		if (gmaps[i].used && gmaps[i].dom == dom)
			return i;
	return -1;
}

/* The reference and handle of mapping slot. */
void grant_map_info(int slot, int *ref, int *handle)
{
	*ref = gmaps[slot].ref;
	*handle = gmaps[slot].handle;
}

/* Undo grant_map; the GNTST_* status. */
int grant_unmap(int slot)
{
	struct gnttab_unmap_grant_ref u = { .host_addr = (uint32_t)windows[slot], .handle = gmaps[slot].handle };

	/*T:830 Unmapping.
	 * GNTTABOP_unmap_grant_ref gives back the mapping named by its handle
	 * at the address we mapped it. The hypervisor clears the PTE, flushes
	 * the TLB, drops its reference on the frame and clears GTF_writing in
	 * the granter's entry, after which the granter may end the grant
	 * (T:811). A domain that is destroyed with mappings still in place has
	 * them undone by the hypervisor the same way. :*/
	if (hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1))
		return GNTST_general_error;
	if (u.status == GNTST_okay)
		gmaps[slot].used = 0;
	return u.status;
}

/* Undo every mapping we hold; how many there were. */
int grant_unmap_all(void)
{
	int n = 0;

	for (int i = 0; i < NMAP; i++)
		if (gmaps[i].used && grant_unmap(i) == GNTST_okay)
			n++;
	return n;
}

/* The shell's grants command: entries in use, and our mappings of others' grants. */
void grant_dump(void)
{
	char text[TEXTMAX];
	int n = 0;

	printf("grant table v1: 1 frame (mfn %x), %d entries; in use:\n", table_mfn, (int)NENTRIES);
	for (uint32_t ref = 0; ref < NENTRIES; ref++) {
		uint16_t f = gt[ref].flags;
		if ((f & GTF_type_mask) == GTF_invalid)
			continue;
		printf("  ref %-3u -> domain %u, frame %x, %s%s%s%s", ref, gt[ref].domid, gt[ref].frame,
		       (f & GTF_type_mask) == GTF_permit_access ? "permit_access" : "other",
		       f & GTF_readonly ? ",readonly" : "", f & GTF_reading ? ",reading" : "",
		       f & GTF_writing ? ",writing" : "");
		if (gt[ref].frame == si->console_mfn)
			printf(" (toolstack: console ring)\n");
		else if (gt[ref].frame == si->store_mfn)
			printf(" (toolstack: xenstore ring)\n");
		else if (peer_shared_text(ref, text))
			printf(" (share): \"%s\"\n", text);
		else
			printf("\n");
	}
	for (int i = 0; i < NMAP; i++)
		n += gmaps[i].used;
	printf("mappings of other domains' grants (GNTTABOP_map_grant_ref):%s\n", n ? "" : " none");
	for (int i = 0; i < NMAP; i++) {
		if (!gmaps[i].used)
			continue;
		page_text(windows[i], text);
		printf("  domain %d ref %d, handle %u, at 0x%08x: \"%s\"\n", gmaps[i].dom, gmaps[i].ref,
		       gmaps[i].handle, (uint32_t)windows[i], text);
	}
}
