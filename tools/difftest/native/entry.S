/*
 * The differential-test harness, assembly part: process entry, raw system
 * calls, entering a test case with every register and EFLAGS set, and the way
 * back into the harness after the signal that ends a case.
 *
 * run_case(state) saves the harness's callee-saved registers and stack pointer,
 * loads EFLAGS and the eight general registers from `state` and jumps to the
 * test code. It never returns by itself: the case ends with a signal (INT3 or a
 * fault), the handler rewrites the saved context to resume at resume_case on
 * the harness stack, and resume_case returns from run_case.
 */
	.text
	.globl _start, sys6, run_case, resume_case, sig_restorer

_start:
	xorl %ebp, %ebp
	andl $-16, %esp
	call harness_main
	movl %eax, %ebx
	movl $252, %eax		/* exit_group */
	int $0x80
	hlt

/* long sys6(nr, a, b, c, d, e, f): a Linux i386 system call with up to six arguments. */
sys6:
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %ebx
	movl 20(%esp), %eax
	movl 24(%esp), %ebx
	movl 28(%esp), %ecx
	movl 32(%esp), %edx
	movl 36(%esp), %esi
	movl 40(%esp), %edi
	movl 44(%esp), %ebp
	int $0x80
	popl %ebx
	popl %esi
	popl %edi
	popl %ebp
	ret

/*
 * run_case(u32 *state): state = { eflags, edi, esi, ebp, (unused), ebx, edx,
 * ecx, eax, esp } -- the order POPF then POPA read them.
 */
run_case:
	movl %ebx, saved_ebx
	movl %esi, saved_esi
	movl %edi, saved_edi
	movl %ebp, saved_ebp
	movl %esp, saved_esp
	movl 4(%esp), %eax
	movl 36(%eax), %ecx
	movl %ecx, case_esp
	movl %eax, %esp
	popfl
	popal
	movl case_esp, %esp
	jmp *code_entry

/* Reached through the signal handler's rewritten context, on the harness stack. */
resume_case:
	movl saved_ebx, %ebx
	movl saved_esi, %esi
	movl saved_edi, %edi
	movl saved_ebp, %ebp
	cld
	ret

/* The signal trampoline: rt_sigreturn. */
sig_restorer:
	movl $173, %eax
	int $0x80
	hlt

	.data
	.globl saved_esp, code_entry
	.p2align 2
saved_ebx: .long 0
saved_esi: .long 0
saved_edi: .long 0
saved_ebp: .long 0
saved_esp: .long 0
case_esp: .long 0
code_entry: .long 0x00100000
	.section .note.GNU-stack,"",@progbits
