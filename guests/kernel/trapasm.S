/*
 * The assembly ends of every way into the kernel: exceptions, the system
 * call, the event upcall, the failsafe callback; the way back out through
 * HYPERVISOR_iret; and swtch(), which changes kernel stacks.
 */
#include <xen/abi.h>
#include "x86.h"

#define IRET_STUB (hypercall_page + __HYPERVISOR_iret * HYPERCALL_STUB_BYTES)

/* One entry per vector. The processor pushes an error code for some
 * exceptions only; the stub pushes a zero for the others so every frame
 * has the same shape. */
.macro vector n, haserr
	.globl vector\n
vector\n:
	.if \haserr == 0
	pushl $0
	.endif
	pushl $\n
	jmp alltraps
.endm

	.text
	vector 0, 0
	vector 1, 0
	vector 2, 0
	vector 3, 0
	vector 4, 0
	vector 5, 0
	vector 6, 0
	vector 7, 0
	vector 8, 1
	vector 9, 0
	vector 10, 1
	vector 11, 1
	vector 12, 1
	vector 13, 1
	vector 14, 1
	vector 15, 0
	vector 16, 0
	vector 17, 1
	vector 18, 0
	vector 19, 0
	vector 20, 0
	vector 21, 1
	vector 22, 0
	vector 23, 0
	vector 24, 0
	vector 25, 0
	vector 26, 0
	vector 27, 0
	vector 28, 0
	vector 29, 1
	vector 30, 1
	vector 31, 0
	vector 128, 0

/*T:500 A bounce frame.
 * When a trap reaches the hypervisor (ring 0) it does not handle it: it
 * writes a frame for us and jumps to the handler our trap table named, in
 * ring 1. The frame is the one a processor would push: error code (for
 * vectors 8, 10-14, 17, 21, 29, 30), EIP, CS, EFLAGS, and, when the trap
 * came from ring 3, ESP and SS. It is put on the current stack if we were in
 * ring 1, else on the stack we named with stack_switch (T:540). Two words
 * carry PV meaning: bits 16-23 of the CS slot hold the event mask as it was,
 * and EFLAGS.IF is its inverse, so the frame records our virtual interrupt
 * flag the way a real one records IF. alltraps completes the frame into a
 * struct trapframe and calls trap(). :*/
alltraps:
	cld
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	pushal
	movl $KDATA_SEL, %eax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp
	call trap
	addl $4, %esp

/*T:501 Returning with HYPERVISOR_iret.
 * A ring-1 kernel cannot use IRET to go to ring 3 or to restore its own
 * event mask, so it asks the hypervisor to: we jump (not call) to stub 23
 * of the hypercall page, which pushes EAX and enters the hypervisor with the
 * frame EAX, EIP, CS, EFLAGS[, ESP, SS] on our stack. The hypervisor reloads
 * those registers and sets the event mask to !EFLAGS.IF in the same step, so
 * there is no moment at which events are unmasked on a stack about to be
 * abandoned. If events became pending while we were masked, the unmask here
 * delivers them at once. :*/
	.globl trapret
trapret:
	popal
	popl %gs
	popl %fs
	popl %es
	popl %ds
	addl $8, %esp		/* trapno and err */
	incl hcall_count + 4 * __HYPERVISOR_iret
	jmp IRET_STUB

/* trapret_to(tf): start running the frame tf (the first process). */
	.globl trapret_to
trapret_to:
	movl 4(%esp), %esp
	jmp trapret

/*T:100 The event upcall.
 * Events (T:110) arrive here: the address we gave set_callbacks. The
 * hypervisor enters with events masked and a frame like an exception's
 * without an error code (EIP, CS with the old mask, EFLAGS[, ESP, SS]), when
 * evtchn_upcall_pending is set and the mask is clear, on its way back to us
 * from any hypercall, trap or timer. We give it the trap number T_EVENT and
 * the same path as every trap, so the return, and the restoring of the mask,
 * is HYPERVISOR_iret's too. :*/
	.globl upcall_entry
upcall_entry:
	pushl $0
	pushl $T_EVENT
	jmp alltraps

/*T:102 The failsafe callback.
 * If the hypervisor cannot reload a data segment register for us (say a
 * selector whose GDT entry we changed), it loads a null selector and enters
 * here with the four old selectors on the stack. pvos never gives it a bad
 * one, so arriving here is a kernel bug. :*/
	.globl failsafe_entry
failsafe_entry:
	cld
	call failsafe
1:	jmp 1b

/*
 * swtch(&old->context, new->context): save the callee-saved registers on
 * this stack, record where, and continue on the other stack where they were
 * saved the same way. The address space and the ring-1 stack for traps have
 * already been switched by the caller's multicall (T:540).
 */
	.globl swtch
swtch:
	movl 4(%esp), %eax
	movl 8(%esp), %edx
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, (%eax)
	movl %edx, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.section .note.GNU-stack, "", @progbits
