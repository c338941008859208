/*
 * Where a user program begins. exec leaves argc and argv on the stack, with
 * ESP pointing at argc, so main is called as main(argc, argv); its return
 * value becomes the exit status.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	call main
	pushl %eax
	call exit
1:	jmp 1b

	.section .note.GNU-stack, "", @progbits
