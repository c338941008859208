/*
 * Catch the kernel's own exceptions. Xen delivers an exception through the guest's
 * trap table with a bounce frame on the ring-1 stack (ABI map 6.9): error code
 * (only for vectors 8, 10-14, 17, 21, 29, 30), EIP, CS (upcall mask in bits 16-23),
 * EFLAGS. Each stub makes the frame uniform (a 0 error code where none was pushed),
 * pushes its vector and calls trap_unexpected(vector, err, eip), which reports the
 * trap and crashes the domain; it never returns.
 */
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

/* Stack: vector, err, eip, cs, eflags. Pass (vector, err, eip) by the cdecl convention. */
trap_common:
	cld
	movl 0(%esp), %eax	/* vector */
	movl 4(%esp), %ecx	/* error code */
	movl 8(%esp), %edx	/* faulting or next EIP */
	pushl %edx
	pushl %ecx
	pushl %eax
	call trap_unexpected
1:	jmp 1b

	.section .rodata
	.balign 4
	.globl trap_stubs
trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long trap_stub_\v
	.endr

	.section .note.GNU-stack, "", @progbits
