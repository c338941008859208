/*
 * The cost of pinning and unpinning a fresh address space: an L3 whose slot 3
 * holds an L2 that points at one L1 mapping 512 of our pages read-only. Each
 * MMUEXT_PIN_L3_TABLE validates the whole tree (and fills Xen's slots); each
 * MMUEXT_UNPIN_TABLE drops it again, since nothing else references it.
 */
#include "bench.h"

void test_main(void)
{
	unsigned long n = bench_arg("n", 2000);
	uint64_t *l3 = alloc_page(), *l2 = alloc_page(), *l1 = alloc_page();
	check(l3 && l2 && l1, "three pages for the tables");
	/* Entries are written while the pages are still ordinary writable pages. */
	for (unsigned i = 0; i < 512; i++)
		l1[i] = make_pte(p2m[i], 0x21);		/* present, accessed, read-only */
	l2[0] = make_pte(va_to_mfn(l1), 0x27);
	l3[3] = make_pte(va_to_mfn(l2), 0x27);
	/* A page table may have no writable mapping when it is validated. */
	check(set_page_rw(l1, 0) == 0 && set_page_rw(l2, 0) == 0 && set_page_rw(l3, 0) == 0,
	      "the tables are mapped read-only");
	uint32_t l3mfn = va_to_mfn(l3);
	long rc = 0;
	bench_mark("pin-start", n);
	for (unsigned long i = 0; i < n && rc == 0; i++) {
		rc = mmuext1(MMUEXT_PIN_L3_TABLE, l3mfn, 0);
		if (rc == 0)
			rc = mmuext1(MMUEXT_UNPIN_TABLE, l3mfn, 0);
	}
	bench_mark("pin-end", n);
	check_eq(rc, 0, "every pin and unpin succeeded");
	done();
}
