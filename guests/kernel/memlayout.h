/*
 * Memory layout of pvos: where the kernel lives, where a process lives, and
 * how a pseudo-physical frame number (pfn) turns into an address.
 *
 * A PV guest sees two kinds of frame number. A pfn is ours: 0 .. nr_pages-1,
 * contiguous, chosen by the domain builder. An mfn is the machine frame the
 * hypervisor really gave us; page tables, set_gdt and every other hypercall
 * that names a frame want mfns. The P2M list (start_info.mfn_list) maps
 * pfn -> mfn; the hypervisor's read-only M2P table maps mfn -> pfn.
 *
 *  0xFFFFFFFF +------------------------------+
 *             | hypervisor: read-only M2P at | L2 slots 428-511 of the L2 in
 *             | 0xF5800000, the rest unmapped| L3 slot 3; filled by Xen, never
 *  0xF5800000 +------------------------------+ by us (HYPERVISOR_VIRT_START)
 *             | (unused)                     |
 *   KERNBASE +  nr_pages * 4 KiB ------------+
 *             | the direct map: pfn p at     | the same L1 tables in every
 *             | KERNBASE + p * 4 KiB. Kernel | address space; frames that hold
 *             | image, P2M list, start_info, | page tables or the GDT are
 *             | console ring, free frames    | mapped read-only here
 *  0xC0000000 +------------------------------+ KERNBASE (the VIRT_BASE note)
 *             | (unmapped)                   |
 *  0x00600000 +------------------------------+ USERTOP: top of the user stack
 *             | user stack, USTACKPAGES      |
 *             | (unmapped gap)               |
 *             | program: text, data, bss     | a flat binary built into the
 *  0x00400000 +------------------------------+ kernel image; USERBASE
 *             | (unmapped: catches NULL)     |
 *  0x00000000 +------------------------------+
 *
 * All of user space, 0x00400000-0x005FFFFF, falls under one L1 table, so a
 * process owns exactly four page-table frames: its L3, the L2 for slot 0
 * (user), the L1 for user space, and its own copy of the L2 for slot 3
 * (kernel and hypervisor), which Xen requires to be private to one L3.
 */
#ifndef PVOS_MEMLAYOUT_H
#define PVOS_MEMLAYOUT_H

#define PGSIZE		4096u
#define PGSHIFT		12
#define KERNBASE	0xC0000000u
#define USERBASE	0x00400000u
#define USERTOP		0x00600000u
#define USTACKPAGES	2
#define MAXPAGES	16384u		/* the most RAM we direct-map: 64 MiB */
#define KSTACKSIZE	8192		/* each process's kernel stack */

#define PGROUNDUP(a)	(((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a)	((a) & ~(PGSIZE - 1))

#ifndef __ASSEMBLER__
#define P2V(pfn)	((void *)(KERNBASE + ((unsigned long)(pfn) << PGSHIFT)))
#define V2P(va)		(((unsigned long)(va) - KERNBASE) >> PGSHIFT)
#endif

#endif
