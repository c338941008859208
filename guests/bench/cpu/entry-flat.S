/*
 * Entry of the flat image the emulator runs (flat.ld puts it first, at the
 * image base). The loader enters here in 32-bit protected mode with flat
 * segments, paging off and EAX = the iteration count. work()'s checksum is
 * left in EAX at the HLT, where the emulator stops.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	movl	$stack_top, %esp
	pushl	%eax
	call	work
	hlt
1:	jmp	1b

	.section .bss
	.balign	4096
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
