/*
 * Where pvos begins: the Xen notes that make this image a PV kernel, the page
 * the hypervisor fills with hypercall stubs, and _start.
 */
#include <xen/abi.h>
#include "memlayout.h"

/* One ELF note: name size, descriptor size, type, "Xen", descriptor. */
.macro xennote type, desc:vararg
	.balign 4
	.long 2f - 1f
	.long 4f - 3f
	.long \type
1:	.asciz "Xen"
2:	.balign 4
3:	\desc
4:	.balign 4
.endm

/*T:000 How the domain builder learns what we are.
 * A PV kernel is an ordinary ELF file plus notes of type "Xen". The builder
 * reads them before it allocates anything: XEN_VERSION must begin with
 * "xen-3.0"; LOADER "generic" says we need no Linux-specific treatment;
 * PAE_MODE "yes" asks for three-level PAE page tables whose top level may
 * live in any frame; VIRT_BASE is where pseudo-physical page 0 is mapped
 * (our KERNBASE), so the builder maps the image, and whatever it allocates
 * after it, at KERNBASE + pfn * 4096; HYPERCALL_PAGE names the page it asks
 * the hypervisor to fill with stubs (T:010). :*/
	.section .note.Xen, "a"
	xennote XEN_ELFNOTE_GUEST_OS, .asciz "pvos"
	xennote XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1"
	xennote XEN_ELFNOTE_LOADER, .asciz "generic"
	xennote XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0"
	xennote XEN_ELFNOTE_VIRT_BASE, .long KERNBASE
	xennote XEN_ELFNOTE_PADDR_OFFSET, .long 0
	xennote XEN_ELFNOTE_ENTRY, .long _start
	xennote XEN_ELFNOTE_HYPERCALL_PAGE, .long hypercall_page
	xennote XEN_ELFNOTE_PAE_MODE, .asciz "yes"
	xennote XEN_ELFNOTE_FEATURES, .asciz "pae_pgdir_above_4gb"

/*T:001 The first instruction.
 * The hypervisor starts us in ring 1 on its flat selectors, with ESI
 * pointing at start_info (the page that tells us everything else: memory
 * size, the P2M list, the console ring, shared_info's frame), ESP at the top
 * of a one-page boot stack the builder allocated, and events masked in
 * vcpu_info. Nothing is installed yet: no trap table, no event callback. A
 * fault now would crash the domain, since the hypervisor has nowhere to
 * deliver it. We move to the idle process's kernel stack and call main(). :*/
	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	movl $kstacks + KSTACKSIZE, %esp
	xorl %ebp, %ebp
	pushl %esi
	call main
1:	jmp 1b

	.section .text.hypercall_page, "ax"
	.balign PGSIZE
	.globl hypercall_page
hypercall_page:
	.fill PGSIZE, 1, 0xcc	/* int3: a page the hypervisor never filled traps at once */

	.section .note.GNU-stack, "", @progbits
