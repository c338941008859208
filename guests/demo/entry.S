/*
 * Entry of the demo guest: the Xen notes that make it a PV kernel (ABI map 1.2),
 * the page the hypervisor fills with hypercall stubs (4.2), _start, and the
 * assembly ends of the event upcall and the failsafe callback.
 *
 * We are a "generic"-loader kernel for the Xen 3.0 ABI, PAE ("yes": our L3 may
 * live anywhere), linked at VIRT_BASE (demo.ld) with physical addresses from 0.
 * On entry (2.4): ring 1, flat selectors, ESI = VA of start_info, events masked
 * (evtchn_upcall_mask = 1), no callbacks. The guest keeps events masked until
 * console.c has registered its upcall with set_callbacks.
 */
#include <xen/abi.h>

#define IRET_STUB (hypercall_page + __HYPERVISOR_iret * HYPERCALL_STUB_BYTES)

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
	elfnote XEN_ELFNOTE_GUEST_OS, .asciz "pvplay-demo"
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
	movl $stack_top, %esp
	xorl %ebp, %ebp
	pushl %esi		/* demo_main(struct start_info *) */
	call demo_main
1:	jmp 1b			/* demo_main shuts the domain down and never returns */

/*
 * The hypercall page: 128 stubs of 32 bytes, stub n at hypercall_page + n*32.
 * The hypervisor overwrites it before we start; int3 filling makes a missing page
 * fail loudly.
 */
	.section .text.hypercall_page, "ax"
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc

	.text
/*
 * The event upcall (6.11): Xen enters here with events masked and a bounce frame
 * of EIP, CS (saved mask in bits 16-23), EFLAGS. We save the registers the C
 * handler may change and return through HYPERVISOR_iret, which restores the mask.
 */
	.globl upcall_entry
upcall_entry:
	cld
	pushal
	call demo_upcall
	popal
	jmp IRET_STUB

/* The failsafe callback (6.12): we never load bad segments; if it happens, crash. */
	.globl failsafe_entry
failsafe_entry:
	cld
	call demo_failsafe
1:	jmp 1b

	.bss
	.balign 16
stack:
	.skip 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
