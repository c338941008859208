/*
 * Catch the kernel's own exceptions. Xen delivers an exception through the guest's
 * trap table with a bounce frame on the ring-1 stack (ABI map 6.9): error code
 * (only for vectors 8, 10-14, 17, 21, 29, 30), EIP, CS (upcall mask in bits 16-23),
 * EFLAGS, and ESP, SS when the trap came from ring 3 (then the frame is on the
 * stack_switch stack). Each stub makes the frame uniform (a 0 error code where none
 * was pushed), pushes its vector, saves the registers and calls
 * trap_dispatch(frame) (trap.c). That either crashes the domain (an unexpected
 * trap) or returns after recording it and perhaps moving the frame's EIP; we then
 * return with HYPERVISOR_iret (5.20), which restores the event mask from the
 * frame's IF.
 *
 * Also here: the entries of the event upcall and the failsafe callback, and the
 * ring-3 entry and exit (user_run, user_longjmp).
 */
#include <xen/abi.h>

#define IRET_STUB (hypercall_page + __HYPERVISOR_iret * HYPERCALL_STUB_BYTES)

.macro stub vector, has_err
	.globl trap_stub_\vector
trap_stub_\vector:
	.if \has_err == 0
	pushl $0
	.endif
	pushl $\vector
	jmp trap_common
.endm

	.text
	stub 0, 0
	stub 1, 0
	stub 2, 0
	stub 3, 0
	stub 4, 0
	stub 5, 0
	stub 6, 0
	stub 7, 0
	stub 8, 1
	stub 9, 0
	stub 10, 1
	stub 11, 1
	stub 12, 1
	stub 13, 1
	stub 14, 1
	stub 15, 0
	stub 16, 0
	stub 17, 1
	stub 18, 0
	stub 19, 0
	stub 20, 0
	stub 21, 1
	stub 22, 0
	stub 23, 0
	stub 24, 0
	stub 25, 0
	stub 26, 0
	stub 27, 0
	stub 28, 0
	stub 29, 1
	stub 30, 1
	stub 31, 0

/* Software-interrupt vectors the tests install (int $n with a DPL in the trap table). */
	stub 32, 0
	stub 128, 0
	stub 129, 0
	stub 131, 0

/*
 * Stack: vector, err, eip, cs, eflags[, esp, ss]. After PUSHAL it is a struct
 * trap_frame (test.h). trap_dispatch returns only if the trap was expected.
 */
trap_common:
	cld
	pushal
	pushl %esp
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp		/* vector, error code */
	jmp IRET_STUB

/*
 * The event upcall (6.11): Xen enters here with events masked and a frame of EIP,
 * CS (saved mask in bits 16-23), EFLAGS (IF = !saved mask)[, ESP, SS]. We push a
 * dummy error code and vector so the C side sees the same struct trap_frame.
 */
	.globl evtchn_upcall_entry
evtchn_upcall_entry:
	cld
	pushl $0
	pushl $0xffffffff
	pushal
	pushl %esp
	call evtchn_do_upcall
	addl $4, %esp
	popal
	addl $8, %esp
	jmp IRET_STUB

/* The failsafe callback (6.12): we never reload bad segments on purpose; report it. */
	.globl failsafe_entry
failsafe_entry:
	cld
	call failsafe_hit
1:	jmp 1b

/*
 * int user_run_asm(void (*fn)(void), void *user_esp): enter ring 3 at fn with
 * EFLAGS.IF set (so events stay unmasked there) through HYPERVISOR_iret, with the
 * ring-3 frame layout EIP, CS, EFLAGS, ESP, SS. user_longjmp(v) (called from a trap
 * handler, in ring 1) comes back here and returns v.
 */
	.globl user_run_asm
user_run_asm:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, user_kernel_esp
	movl 20(%esp), %ecx
	movl 24(%esp), %edx
	pushl $FLAT_USER_SS
	pushl %edx
	pushl $0x202
	pushl $FLAT_USER_CS
	pushl %ecx
	xorl %eax, %eax
	jmp IRET_STUB

	.globl user_longjmp
user_longjmp:
	movl 4(%esp), %eax
	movl user_kernel_esp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.bss
	.balign 4
user_kernel_esp:
	.long 0

	.section .rodata
	.balign 4
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_stub_\v
	.endr
	.globl trap_stubs_sw
trap_stubs_sw:
	.long 32, trap_stub_32, 128, trap_stub_128, 129, trap_stub_129, 131, trap_stub_131, 0, 0

	.section .note.GNU-stack, "", @progbits
