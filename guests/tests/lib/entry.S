/*
 * Entry of every test kernel: the Xen notes that make it a PV kernel, the page the
 * hypervisor fills with hypercall stubs, and _start.
 *
 * The builder reads the notes below (ABI map 1.2) to decide how to build the
 * domain: we are a "generic"-loader kernel for the Xen 3.0 ABI, built for PAE
 * ("yes" = PAE with extended CR3, so our L3 may live anywhere), linked at
 * VIRT_BASE with physical addresses from 0 (PADDR_OFFSET 0), entered at _start.
 * On entry (2.4): ring 1, flat selectors, ESI = VA of start_info, ESP = top of the
 * builder's boot stack, events masked, no trap handlers.
 */
#include <xen/abi.h>

/* One Xen note: namesz, descsz, type, "Xen\0", then the descriptor, 4-aligned. */
.macro elfnote type, desc:vararg
	.balign 4
	.long 2f - 1f
	.long 4f - 3f
	.long \type
1:	.asciz "Xen"
2:	.balign 4
3:	\desc
4:	.balign 4
.endm

	.section .note.Xen, "a"
	elfnote XEN_ELFNOTE_GUEST_OS, .asciz "pvplay-test"
	elfnote XEN_ELFNOTE_LOADER, .asciz "generic"
	elfnote XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0"
	elfnote XEN_ELFNOTE_VIRT_BASE, .long VIRT_BASE
	elfnote XEN_ELFNOTE_PADDR_OFFSET, .long 0
	elfnote XEN_ELFNOTE_ENTRY, .long _start
	elfnote XEN_ELFNOTE_HYPERCALL_PAGE, .long hypercall_page
	elfnote XEN_ELFNOTE_PAE_MODE, .asciz "yes"
	elfnote XEN_ELFNOTE_FEATURES, .asciz "pae_pgdir_above_4gb"

	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	/* Keep what the builder handed us; hello.c checks both. */
	movl %esi, start_info
	movl %esp, boot_esp
	/* Our own stack in .bss, so tests do not depend on the size of the boot stack. */
	movl $stack_top, %esp
	xorl %ebp, %ebp
	call mm_init		/* the P2M pointer and free-page cursor (lib/mm.c) */
	call test_main
	call done		/* does not return: shuts the domain down */
1:	jmp 1b

/*
 * The hypercall page (4.2): 128 stubs of 32 bytes, stub n at hypercall_page + n*32.
 * The hypervisor overwrites it before we start; the int3 filling makes a missing
 * page fail loudly instead of running off into the next function.
 */
	.section .text.hypercall_page, "ax"
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	.bss
	.balign 4
	.globl start_info, boot_esp
start_info:
	.long 0
boot_esp:
	.long 0
	.balign 16
stack:
	.skip 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
